// <lw-spans>: labeled character ranges of a text, in Unicode code-point offsets.
//
// Select text with the mouse, then press a label's key (or click the label). Clicking a label
// first arms it, so the next selection is labeled at once. Click a span to select it; Delete
// removes the selected span.

import { LABEL_COLORS } from '../lib/constants.js';
import { CodePointIndex, codePointLength, trimRange } from '../lib/offsets.js';
import { buildSegments, nextRegionId, overlapsAny } from '../lib/segments.js';
import { LwTool, optionButton } from './base.js';

export class LwSpans extends LwTool {
  constructor() {
    super();
    this._index = null;
    this._indexedText = null;
    /** @type {[number, number]|null} */
    this.selection = null;
    this.armed = null;
    this.selectedId = null;
    this.message = '';
  }

  get spans() {
    return Array.isArray(this.value) ? this.value : [];
  }

  get index() {
    const text = this.context.text ?? '';
    if (this._indexedText !== text) {
      this._index = new CodePointIndex(text);
      this._indexedText = text;
    }
    return this._index;
  }

  labelInfo() {
    return (this.config.labels || []).map((item, i) => {
      const name = typeof item === 'string' ? item : item.name;
      const color = (typeof item === 'object' && item.color) || LABEL_COLORS[i % LABEL_COLORS.length];
      return { name, color };
    });
  }

  render() {
    const labels = this.labelInfo();
    const colorOf = new Map(labels.map((l) => [l.name, l.color]));
    const bar = document.createElement('div');
    bar.className = 'spans-labels';
    bar.setAttribute('role', 'toolbar');
    bar.setAttribute('aria-label', `${this.config.name} labels`);
    for (const { name, color } of labels) {
      const b = optionButton(name, this.keys.get(name), {
        'aria-pressed': String(this.armed === name),
        'data-label': name,
      });
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.background = color;
      b.prepend(sw);
      b.disabled = this.readonly;
      // keep the text selection when the button is pressed
      b.addEventListener('mousedown', (e) => e.preventDefault());
      b.addEventListener('click', () => {
        if (!this.applyKey(name)) {
          this.armed = this.armed === name ? null : name;
          this.render();
        }
      });
      bar.append(b);
    }

    const text = this.context.text ?? '';
    const index = this.index;
    const spans = this.spans;
    const box = document.createElement('div');
    box.className = 'spans-text';
    box.tabIndex = 0;
    box.setAttribute('aria-label', 'Text to label; select text, then press a label key');
    const frag = document.createDocumentFragment();
    for (const seg of buildSegments(index.length, spans)) {
      const piece = text.slice(index.toUtf16(seg.start), index.toUtf16(seg.end));
      let el;
      if (seg.spans.length) {
        el = document.createElement('mark');
        const inner = spans[seg.spans[seg.spans.length - 1]];
        el.style.setProperty('--c', colorOf.get(inner.label) || LABEL_COLORS[0]);
        if (seg.spans.length > 1) {
          el.classList.add('stack');
          el.style.setProperty('--c2', colorOf.get(spans[seg.spans[0]].label) || LABEL_COLORS[1]);
        }
        el.dataset.span = inner.id ?? '';
        el.title = seg.spans.map((i) => spans[i].label).join(' + ');
        if (seg.spans.some((i) => spans[i].id === this.selectedId)) el.classList.add('sel');
      } else {
        el = document.createElement('span');
      }
      el.dataset.s = String(seg.start);
      el.textContent = piece;
      frag.append(el);
    }
    box.append(frag);
    box.addEventListener('mouseup', () => this.captureSelection(box));
    box.addEventListener('keyup', (e) => {
      if (e.shiftKey) this.captureSelection(box);
    });
    box.addEventListener('click', (e) => {
      const mark = /** @type {HTMLElement} */ (e.target).closest('mark');
      const sel = window.getSelection();
      if (mark && (!sel || sel.isCollapsed)) {
        this.selectedId = mark.dataset.span || null;
        this.render();
      }
    });

    const list = document.createElement('ul');
    list.className = 'span-list';
    list.setAttribute('aria-label', 'Spans');
    spans.forEach((s) => {
      const li = document.createElement('li');
      li.className = 'chip' + (s.id === this.selectedId ? ' sel' : '');
      li.style.setProperty('--c', colorOf.get(s.label) || LABEL_COLORS[0]);
      li.dataset.span = s.id ?? '';
      const b = document.createElement('b');
      b.textContent = s.label;
      const t = document.createElement('span');
      t.textContent = s.text.length > 40 ? `${s.text.slice(0, 39)}…` : s.text;
      li.append(b, t);
      if (!this.readonly) {
        const x = document.createElement('button');
        x.type = 'button';
        x.textContent = '×';
        x.setAttribute('aria-label', `Remove ${s.label} ${s.text}`);
        x.addEventListener('click', () => this.remove(s.id));
        li.append(x);
      }
      list.append(li);
    });
    const note = document.createElement('p');
    note.className = 'small muted';
    note.textContent = this.message;
    note.hidden = !this.message;
    const scroll = this.querySelector('.spans-text')?.scrollTop || 0;
    this.replaceChildren(...(this.readonly ? [] : [bar]), box, note, list);
    box.scrollTop = scroll;
  }

  /** Read the DOM selection inside the text box as a code-point range. */
  captureSelection(box) {
    const sel = window.getSelection();
    if (!sel || sel.isCollapsed || !sel.rangeCount) {
      this.selection = null;
      return;
    }
    const range = sel.getRangeAt(0);
    if (!box.contains(range.startContainer) || !box.contains(range.endContainer)) return;
    const a = this.pointToOffset(box, range.startContainer, range.startOffset);
    const b = this.pointToOffset(box, range.endContainer, range.endOffset);
    const [start, end] = trimRange(this.index, Math.min(a, b), Math.max(a, b));
    this.selection = start < end ? [start, end] : null;
    if (this.selection && this.armed) this.applyKey(this.armed);
  }

  /** Code-point offset of a DOM boundary point inside the text box. */
  pointToOffset(box, node, offset) {
    if (node.nodeType === Node.TEXT_NODE) {
      const seg = /** @type {HTMLElement} */ (node.parentElement);
      return Number(seg.dataset.s) + codePointLength(node.data.slice(0, offset));
    }
    if (node === box) {
      const child = /** @type {HTMLElement|undefined} */ (box.children[offset]);
      return child ? Number(child.dataset.s) : this.index.length;
    }
    const seg = /** @type {HTMLElement} */ (node.closest('[data-s]') || node);
    const start = Number(seg.dataset.s);
    return offset === 0 ? start : start + codePointLength(seg.textContent || '');
  }

  /**
   * Label the current selection (programmatic use and tests too).
   * @param {number} start code point
   * @param {number} end code point, exclusive
   * @param {string} label
   * @returns {boolean}
   */
  addSpan(start, end, label) {
    if (this.readonly || !(start < end)) return false;
    if (!this.config.overlap && overlapsAny(this.spans, start, end)) {
      this.message = 'Spans may not overlap in this project.';
      this.render();
      return false;
    }
    const span = { id: nextRegionId(this.spans, 's'), start, end, text: this.index.slice(start, end), label };
    this.message = '';
    this.selection = null;
    window.getSelection()?.removeAllRanges();
    const next = [...this.spans, span].sort((x, y) => x.start - y.start || y.end - x.end);
    this.selectedId = span.id;
    this.emit(next);
    return true;
  }

  applyKey(label) {
    if (!this.selection) return false;
    const [start, end] = this.selection;
    return this.addSpan(start, end, label);
  }

  remove(id) {
    if (this.readonly) return;
    if (this.selectedId === id) this.selectedId = null;
    this.emit(this.spans.filter((s) => s.id !== id));
  }

  /** Delete the selected span; returns whether there was one. */
  deleteSelected() {
    if (!this.selectedId || this.readonly) return false;
    this.remove(this.selectedId);
    return true;
  }
}

customElements.define('lw-spans', LwSpans);
