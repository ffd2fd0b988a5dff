// <lw-spans>: labeled character ranges of a text, in Unicode code-point offsets.
//
// Mouse: select text, then press a label's key (or click the label). Clicking a label first
// arms it, so the next selection is labeled at once. Click a span to select it; Delete removes
// the selected span.
//
// Keyboard: focus the text (Tab), move the caret with the arrows (Ctrl+arrows by word,
// Home/End to the ends), extend a selection with Shift (+Ctrl by word), then press a label's
// key (or Enter for the armed label). Escape drops the selection. A step is one user-perceived
// character, so a selection never splits an emoji or a letter from its combining marks.
//
// Rendering: the text is cut into segments at span boundaries once per value; a 100,000
// character text with 1,000 spans renders as ~2,000 elements built in one fragment, and code
// point <-> DOM lookups are binary searches (no scans of the text or the DOM).

import { moveCaret, snapToCharacter } from '../lib/caret.js';
import { LABEL_COLORS, REGION_EVENT } from '../lib/constants.js';
import { CodePointIndex, codePointLength, trimRange } from '../lib/offsets.js';
import { buildSegments, nextRegionId, overlapsAny } from '../lib/segments.js';
import { LwTool, optionButton } from './base.js';

const CARET_HIGHLIGHT = 'lw-caret';
const CHIP_TEXT = 40;
const LIST_LIMIT = 100;

export class LwSpans extends LwTool {
  constructor() {
    super();
    this._index = null;
    this._indexedText = null;
    /** @type {[number, number]|null} the range a label key would label, in code points */
    this.selection = null;
    /** keyboard caret and selection anchor, in code points */
    this.caret = 0;
    this.anchor = 0;
    this.armed = null;
    this.selectedId = null;
    this.message = '';
    /** @type {HTMLElement|null} */
    this._box = null;
    /** @type {HTMLElement|null} */
    this._status = null;
    /** @type {HTMLElement|null} */
    this._bar = null;
    /** @type {HTMLElement|null} */
    this._note = null;
    /** @type {HTMLElement|null} */
    this._list = null;
    this._listState = null;
    this._showAll = false;
  }

  get spans() {
    return Array.isArray(this.value) ? this.value : [];
  }

  get index() {
    const text = this.context.text ?? '';
    if (this._indexedText !== text) {
      this._index = new CodePointIndex(text);
      this._indexedText = text;
      this.caret = Math.min(this.caret, this._index.length);
      this.anchor = Math.min(this.anchor, this._index.length);
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
    if (!this._box || this._box.parentNode !== this) this.build();
    this._bar.hidden = this.readonly;
    this._bar.replaceChildren(...labels.map(({ name, color }) => this.labelButton(name, color)));
    this.syncText(colorOf);
    this._status.hidden = this.readonly;
    if (document.activeElement !== this._box) this._status.textContent = this.idleHint();
    this._note.textContent = this.message;
    this._note.hidden = !this.message;
    const listState = [this.spans, this.selectedId, this.readonly, this._showAll, this._shownColors];
    if (!this._listState || listState.some((v, i) => v !== this._listState[i])) {
      this._list.replaceWith((this._list = this.renderList(colorOf)));
      this._listState = listState;
    }
    if (document.activeElement === this._box) this.showCaret();
  }

  /** The parts that live as long as the element: toolbar, text box, status, note, list. */
  build() {
    const bar = document.createElement('div');
    bar.className = 'spans-labels';
    bar.setAttribute('role', 'toolbar');
    bar.setAttribute('aria-label', `${this.config.name} labels`);
    const box = document.createElement('div');
    box.className = 'spans-text';
    box.tabIndex = 0;
    box.setAttribute('role', 'textbox');
    box.setAttribute('aria-readonly', 'true');
    box.setAttribute('aria-multiline', 'true');
    box.addEventListener('mouseup', () => this.captureSelection(box));
    box.addEventListener('keydown', (e) => this.onKey(e));
    box.addEventListener('focus', () => this.showCaret());
    box.addEventListener('blur', () => this.hideCaret());
    box.addEventListener('click', (e) => {
      const mark = /** @type {HTMLElement} */ (e.target).closest('mark');
      const sel = window.getSelection();
      if (mark && (!sel || sel.isCollapsed)) {
        this.selectedId = mark.dataset.span || null;
        this.render();
        if (this.selectedId) {
          const detail = { control: this.config.name, id: this.selectedId };
          this.dispatchEvent(new CustomEvent(REGION_EVENT, { bubbles: true, composed: true, detail }));
        }
      }
    });
    const status = document.createElement('p');
    status.className = 'spans-status small muted';
    status.setAttribute('aria-live', 'polite');
    status.hidden = true;
    const note = document.createElement('p');
    note.className = 'small muted';
    const list = document.createElement('ul');
    this._bar = bar;
    this._box = box;
    this._status = status;
    this._note = note;
    this._list = list;
    /** @type {string[]} a key per child of the box: what the segment shows */
    this._segKeys = [];
    this._shownText = null;
    this._shownColors = '';
    this.replaceChildren(bar, box, status, note, list);
  }

  labelButton(name, color) {
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
    return b;
  }

  /**
   * Bring the text box up to date. The text is cut into segments at span boundaries; only the
   * run of segments that differs from what is shown is replaced, so adding a span to a long
   * text touches a few elements and the browser keeps the layout of the rest.
   */
  syncText(colorOf) {
    const box = /** @type {HTMLElement} */ (this._box);
    box.setAttribute(
      'aria-label',
      this.readonly
        ? 'Labeled text'
        : 'Text to label: select with the mouse or Shift+arrows (Ctrl for words), then press a label key',
    );
    const text = this.context.text ?? '';
    const index = this.index;
    const spans = this.spans;
    const colors = JSON.stringify([...colorOf]);
    if (this._shownText !== text || this._shownColors !== colors) {
      box.replaceChildren();
      this._segKeys = [];
      this._shownText = text;
      this._shownColors = colors;
    }
    const segments = buildSegments(index.length, spans);
    const keys = segments.map((seg) => {
      let key = `${seg.start}-${seg.end}`;
      for (const i of seg.spans) key += `|${spans[i].id}/${spans[i].label}`;
      if (this.selectedId !== null && seg.spans.some((i) => spans[i].id === this.selectedId)) key += '*';
      return key;
    });
    const old = this._segKeys;
    let head = 0;
    while (head < old.length && head < keys.length && old[head] === keys[head]) head++;
    let tail = 0;
    while (
      tail < old.length - head &&
      tail < keys.length - head &&
      old[old.length - 1 - tail] === keys[keys.length - 1 - tail]
    ) tail++;
    if (head === old.length && head === keys.length) return;
    const frag = document.createDocumentFragment();
    for (let k = head; k < keys.length - tail; k++) frag.append(this.segmentElement(text, index, spans, segments[k], colorOf));
    const kids = box.children;
    const before = kids[old.length - tail] || null;
    for (let k = old.length - tail - 1; k >= head; k--) kids[k].remove();
    box.insertBefore(frag, before);
    this._segKeys = keys;
  }

  segmentElement(text, index, spans, seg, colorOf) {
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
      if (this.selectedId !== null && seg.spans.some((i) => spans[i].id === this.selectedId)) el.classList.add('sel');
    } else {
      el = document.createElement('span');
    }
    el.dataset.s = String(seg.start);
    el.textContent = text.slice(index.toUtf16(seg.start), index.toUtf16(seg.end));
    return el;
  }

  /**
   * Chips of the spans, for reading and removing them. A long list is cut to its first
   * LIST_LIMIT chips (plus the selected span) until asked for all: a thousand wrapped chips
   * cost more layout than the whole text.
   */
  renderList(colorOf) {
    const list = document.createElement('ul');
    list.className = 'span-list';
    list.setAttribute('aria-label', 'Spans');
    const spans = this.spans;
    list.hidden = !spans.length;
    const cut = !this._showAll && spans.length > LIST_LIMIT * 1.5;
    const shown = cut ? spans.filter((s, i) => i < LIST_LIMIT || s.id === this.selectedId) : spans;
    for (const s of shown) {
      const li = document.createElement('li');
      li.className = 'chip' + (s.id === this.selectedId ? ' sel' : '');
      li.style.setProperty('--c', colorOf.get(s.label) || LABEL_COLORS[0]);
      li.dataset.span = s.id ?? '';
      const b = document.createElement('b');
      b.textContent = s.label;
      const t = document.createElement('span');
      t.textContent = clip(s.text);
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
    }
    if (cut) {
      const more = document.createElement('li');
      const all = document.createElement('button');
      all.type = 'button';
      all.className = 'btn btn-sm btn-ghost';
      all.dataset.showAll = '';
      all.textContent = `Show all ${spans.length.toLocaleString()} spans`;
      all.addEventListener('click', () => {
        this._showAll = true;
        this.render();
      });
      more.append(all);
      list.append(more);
    }
    return list;
  }

  // ------------------------------------------------------------------ keyboard

  /** Caret keys on the focused text box. */
  onKey(event) {
    const text = this.context.text ?? '';
    const index = this.index;
    if (event.key === 'Escape' && this.anchor !== this.caret) {
      event.preventDefault();
      event.stopPropagation();
      this.anchor = this.caret;
      this.showCaret();
      return;
    }
    if (event.key === 'Enter' && !event.ctrlKey && !event.metaKey && this.armed && this.selection) {
      event.preventDefault();
      this.applyKey(this.armed);
      return;
    }
    const moves = { ArrowLeft: false, ArrowRight: true, Home: false, End: true };
    if (!(event.key in moves) || event.altKey || event.metaKey) return;
    event.preventDefault();
    let u = index.toUtf16(this.caret);
    if (event.key === 'Home') u = 0;
    else if (event.key === 'End') u = text.length;
    else u = moveCaret(text, u, { unit: event.ctrlKey ? 'word' : 'char', forward: moves[event.key] });
    this.caret = index.toCodePoint(u);
    if (!event.shiftKey) this.anchor = this.caret;
    this.showCaret();
  }

  /** Reflect the keyboard caret/selection: DOM selection, caret highlight, status line. */
  showCaret() {
    const box = this._box;
    if (!box || this.readonly) return;
    const index = this.index;
    const lo = Math.min(this.anchor, this.caret);
    const hi = Math.max(this.anchor, this.caret);
    const sel = window.getSelection();
    let said;
    if (lo < hi) {
      const [start, end] = trimRange(index, lo, hi);
      this.selection = start < end ? [start, end] : null;
      const range = document.createRange();
      range.setStart(...this.domPoint(lo));
      range.setEnd(...this.domPoint(hi));
      sel?.removeAllRanges();
      sel?.addRange(range);
      this.setCaretHighlight(null);
      said = this.selection
        ? `Selected ${start}–${end} “${clip(index.slice(start, end))}”: press a label key${this.armed ? ` or Enter for ${this.armed}` : ''}.`
        : 'Only spaces selected.';
    } else {
      this.selection = null;
      if (sel && !sel.isCollapsed && box.contains(sel.anchorNode)) sel.removeAllRanges();
      const u = index.toUtf16(this.caret);
      const text = this.context.text ?? '';
      const after = moveCaret(text, u);
      this.setCaretHighlight(after > u ? [this.caret, index.toCodePoint(after)] : null, u === text.length);
      said = `Caret at ${this.caret} of ${index.length}. Shift+arrows select, Ctrl+Shift+arrows by word.`;
    }
    if (this._status) {
      this._status.textContent = said;
      this._status.hidden = false;
    }
  }

  /** Out of the text box: no caret; the status line keeps its place (no layout shift). */
  hideCaret() {
    this.setCaretHighlight(null);
    if (this._status) this._status.textContent = this.idleHint();
  }

  idleHint() {
    return this.armed
      ? `${this.armed} is armed: the next selection gets it.`
      : 'Select text, then press a label key. Keyboard: Tab into the text, Shift+arrows select.';
  }

  /** Mark the character after the caret (a caret is invisible in non-editable text). */
  setCaretHighlight(range, atEnd = false) {
    const highlights = globalThis.CSS?.highlights;
    if (!highlights || typeof Highlight === 'undefined') return;
    this._box?.classList.toggle('caret-end', Boolean(atEnd && this._box === document.activeElement));
    if (!range) {
      highlights.delete(CARET_HIGHLIGHT);
      return;
    }
    const r = document.createRange();
    r.setStart(...this.domPoint(range[0]));
    r.setEnd(...this.domPoint(range[1]));
    highlights.set(CARET_HIGHLIGHT, new Highlight(r));
  }

  /**
   * The DOM boundary point (text node, UTF-16 offset) of a code-point offset.
   * @param {number} cp
   * @returns {[Node, number]}
   */
  domPoint(cp) {
    const box = /** @type {HTMLElement} */ (this._box);
    const kids = box.children;
    if (!kids.length) return [box, 0];
    // last segment starting at or before cp
    let lo = 0;
    let hi = kids.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (Number(/** @type {HTMLElement} */ (kids[mid]).dataset.s) <= cp) lo = mid;
      else hi = mid - 1;
    }
    const seg = /** @type {HTMLElement} */ (kids[lo]);
    const start = Number(seg.dataset.s);
    const node = seg.firstChild || seg;
    return [node, this.index.toUtf16(cp) - this.index.toUtf16(start)];
  }

  // ------------------------------------------------------------------ mouse

  /** Read the DOM selection inside the text box as a code-point range. */
  captureSelection(box) {
    const sel = window.getSelection();
    if (!sel || !sel.rangeCount) {
      this.selection = null;
      return;
    }
    const range = sel.getRangeAt(0);
    if (!box.contains(range.startContainer) || !box.contains(range.endContainer)) return;
    const text = this.context.text ?? '';
    const snap = (cp) => this.index.toCodePoint(snapToCharacter(text, this.index.toUtf16(cp)));
    if (sel.isCollapsed) {
      // a click puts the keyboard caret there
      this.caret = snap(this.pointToOffset(box, range.startContainer, range.startOffset));
      this.anchor = this.caret;
      this.showCaret();
      return;
    }
    const a = this.pointToOffset(box, range.startContainer, range.startOffset);
    const b = this.pointToOffset(box, range.endContainer, range.endOffset);
    this.anchor = Math.min(a, b);
    this.caret = Math.max(a, b);
    this.showCaret(); // sets this.selection (trimmed) and says what is selected
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

  // ------------------------------------------------------------------ editing

  /**
   * Label a range (the selection, programmatic use and tests too).
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
    this.anchor = this.caret;
    window.getSelection()?.removeAllRanges();
    // insert in order (start, then longer first) without re-sorting the whole list
    const spans = this.spans;
    let at = spans.length;
    while (at > 0 && (spans[at - 1].start > start || (spans[at - 1].start === start && spans[at - 1].end < end))) at--;
    const next = [...spans.slice(0, at), span, ...spans.slice(at)];
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

function clip(text) {
  return text.length > CHIP_TEXT ? `${text.slice(0, CHIP_TEXT - 1)}…` : text;
}

customElements.define('lw-spans', LwSpans);
