// <lw-regions>: document layout boxes per page with reading order and transcription.
//
// Value: [{id, page, x, y, w, h, label, order, text?, attributes?}] in page-image pixels. It is
// the image <lw-boxes> tool (draw, move, resize, label keys, region list, lock/hide) on the page
// that <lw-document> shows; regions of the other pages are kept as they are. A new region gets
// the next reading-order number and, when the page has a text layer, the text under it.
// Suggestions (context.suggestions: regions of predictions, e.g. from the PDF text layer or OCR)
// are drawn dashed: "Accept" (or a double click on one) copies it, text included, into the value,
// where it stays editable. Picking a region tells the document (fields link to it).

import { byReadingOrder, moveInOrder, nextOrder, renumber, textInBox } from '../../lib/documents.js';
import { nextRegionId } from '../../lib/segments.js';
import { pointInBox } from '../../lib/geometry.js';
import { LwBoxes } from '../image/boxes.js';
import { svg } from '../image/stage.js';

const SHOWN_SUGGESTIONS = 50;

/** @param {string | undefined} text */
function short(text, n = 28) {
  const s = String(text || '').replace(/\s+/g, ' ').trim();
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

export class LwRegions extends LwBoxes {
  static prefix = 'r';
  static kind = 'Regions';

  constructor() {
    super();
    this.page = 0;
    this.ghostLayer = null;
  }

  connectedCallback() {
    super.connectedCallback();
    if (this.g && !this.ghostLayer) {
      this.ghostLayer = svg('g', { class: 'ghosts' });
      this.g.prepend(this.ghostLayer);
      this.drawGhosts();
    }
  }

  get value() {
    return this._value;
  }

  set value(v) {
    this._value = v === undefined ? null : v;
    if (this.isConnected) this.render();
  }

  /** Every region of the document, all pages. */
  get allItems() {
    return Array.isArray(this._value) ? this._value : [];
  }

  /** The regions of the page on show (what the box tool edits). */
  get items() {
    return this.allItems.filter((r) => (r.page ?? 0) === this.page);
  }

  get doc() {
    return /** @type {any} */ (this.closest('lw-document'));
  }

  newId() {
    return nextRegionId(this.allItems, this.constructor.prefix);
  }

  /** The document shows another page. */
  pageChanged(index) {
    if (index === this.page) return;
    this.cancelDraft?.();
    this.page = index;
    this.selectedId = null;
    this.render();
  }

  /**
   * The box tool's new list for this page: merged with the other pages, new regions numbered
   * in reading order and given the text under them.
   * @param {any[] | null} pageItems
   */
  emit(pageItems) {
    const before = new Set(this.allItems.map((r) => r.id));
    const others = this.allItems.filter((r) => (r.page ?? 0) !== this.page);
    let order = nextOrder(this.allItems);
    const words = this.doc?.words(this.page) || null;
    const mine = (pageItems || []).map((r) => {
      const item = { ...r, page: this.page };
      if (!before.has(item.id)) {
        item.order = order++;
        if (!item.text && words) {
          const text = textInBox(words, item);
          if (text) item.text = text;
        }
      }
      return item;
    });
    const all = [...others, ...mine];
    super.emit(all.length ? all : null);
  }

  /** Store a list of all pages' regions (reading order edits). */
  commitAll(all, selectId = this.selectedId) {
    this.selectedId = selectId;
    super.emit(all.length ? all : null);
  }

  select(id) {
    super.select(id);
    const item = id ? this.allItems.find((r) => r.id === id) : null;
    if (item) this.doc?.regionPicked(this.config.name, item);
  }

  describe(r) {
    const text = short(r.text);
    return ` · #${r.order ?? '–'}${text ? ` · “${text}”` : ''}`;
  }

  editorFields(r, disabled) {
    const rows = super.editorFields(r, disabled);
    const order = document.createElement('input');
    order.type = 'number';
    order.name = 'order';
    order.min = '0';
    order.step = '1';
    order.value = String(byReadingOrder(this.allItems).findIndex((x) => x.id === r.id));
    order.disabled = disabled;
    order.title = 'Position in the reading order (0 = first)';
    order.addEventListener('change', () => {
      const target = Number(order.value);
      if (Number.isFinite(target)) this.commitAll(moveInOrder(renumber(this.allItems), r.id, target), r.id);
    });
    rows.push(this.field('Reading order', order));
    const text = document.createElement('textarea');
    text.name = 'text';
    text.rows = 3;
    text.value = r.text ?? '';
    text.disabled = disabled;
    text.placeholder = 'Transcription of the text in the box';
    text.addEventListener('change', () => {
      const next = { ...r };
      if (text.value === '') delete next.text;
      else next.text = text.value;
      this.replace(next);
    });
    rows.push(this.field('Text', text));
    const words = this.doc?.words(this.page);
    if (words && !disabled) {
      const fill = document.createElement('button');
      fill.type = 'button';
      fill.className = 'btn btn-sm';
      fill.dataset.action = 'text-from-layer';
      fill.textContent = 'Text from the PDF';
      fill.title = "Replace the text by the PDF text layer's words inside the box";
      fill.addEventListener('click', () => this.replace({ ...r, text: textInBox(words, r) }));
      rows.push(fill);
    }
    return rows;
  }

  // ------------------------------------------------------------ suggestions

  /** Suggested regions of this page that are not in the value yet. */
  get pendingSuggestions() {
    const have = new Set(this.allItems.map((r) => r.id));
    const taken = this.allItems.filter((r) => (r.page ?? 0) === this.page);
    return (this.context.suggestions || []).filter(
      (s) =>
        (s.page ?? 0) === this.page &&
        !have.has(s.id) &&
        !taken.some((r) => r.x === s.x && r.y === s.y && r.w === s.w && r.h === s.h),
    );
  }

  /**
   * Copy suggestions into the value (editable from then on).
   * @param {any[]} suggestions
   */
  accept(suggestions) {
    if (!this.editable || !suggestions.length) return;
    const labels = new Set(this.labels.map((l) => l.name));
    let all = [...this.allItems];
    let order = nextOrder(all);
    let last = null;
    for (const s of suggestions) {
      const id = all.some((r) => r.id === s.id) ? nextRegionId(all, this.constructor.prefix) : s.id;
      const item = { id, page: s.page ?? 0, x: s.x, y: s.y, w: s.w, h: s.h, label: labels.has(s.label) ? s.label : this.currentLabel, order: order++ };
      if (s.text) item.text = s.text;
      if (s.attributes) item.attributes = s.attributes;
      all = [...all, item];
      last = id;
    }
    this.commitAll(all, last);
    if (last) this.select(last);
  }

  renderExtra() {
    if (!this.extraBar) return;
    const pending = this.pendingSuggestions;
    if (!pending.length || this.readonly) {
      this.extraBar.replaceChildren();
      return;
    }
    const head = document.createElement('div');
    head.className = 'doc-sugg-head small';
    const title = document.createElement('b');
    title.textContent = `Suggestions on this page (${pending.length})`;
    const all = document.createElement('button');
    all.type = 'button';
    all.className = 'btn btn-sm';
    all.dataset.action = 'accept-all';
    all.textContent = 'Accept all';
    all.addEventListener('click', () => this.accept(pending));
    head.append(title, all);
    const list = document.createElement('ul');
    list.className = 'doc-sugg';
    for (const s of pending.slice(0, SHOWN_SUGGESTIONS)) {
      const li = document.createElement('li');
      li.dataset.suggestion = s.id;
      const text = document.createElement('span');
      text.className = 'small';
      const score = typeof s.score === 'number' ? ` ${Math.round(s.score * 100)}%` : '';
      text.textContent = `${s.label} · “${short(s.text, 40)}”${score}`;
      text.title = `${s.origin || 'suggestion'}: ${s.text || ''}`;
      const ok = document.createElement('button');
      ok.type = 'button';
      ok.className = 'btn btn-sm';
      ok.dataset.action = 'accept';
      ok.textContent = 'Accept';
      ok.addEventListener('click', () => this.accept([s]));
      li.addEventListener('pointerenter', () => this.ghostHover(s.id, true));
      li.addEventListener('pointerleave', () => this.ghostHover(s.id, false));
      li.append(ok, text);
      list.append(li);
    }
    this.extraBar.replaceChildren(head, list);
  }

  draw() {
    super.draw();
    this.drawGhosts();
  }

  drawGhosts() {
    if (!this.ghostLayer) return;
    const shapes = this.pendingSuggestions.map((s) => {
      const r = svg('rect', { x: s.x, y: s.y, width: s.w, height: s.h, class: 'ghost' });
      r.dataset.suggestion = s.id;
      r.style.setProperty('--c', this.colorOf(s.label));
      return r;
    });
    this.ghostLayer.replaceChildren(...shapes);
  }

  ghostHover(id, on) {
    this.ghostLayer?.querySelector(`[data-suggestion="${CSS.escape(id)}"]`)?.classList.toggle('hover', on);
  }

  doubleClick(p) {
    if (this.hitId(p.x, p.y, this.stage.px(3))) return;
    const hit = this.pendingSuggestions.filter((s) => pointInBox(s, p.x, p.y));
    if (hit.length) this.accept([hit[hit.length - 1]]);
  }
}

customElements.define('lw-regions', LwRegions);
