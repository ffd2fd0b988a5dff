// <lw-document>: the pages of a document object — navigation, thumbnails and one image stage.
//
//   const doc = document.createElement('lw-document');
//   await doc.load({taskId, name})   GET /tasks/{taskId}/documents/{name}: signed page URLs, sizes,
//                                    text layers (a PDF is rendered by the server on first use)
//   doc.stage                        the <lw-image-stage> showing the current page; the document's
//                                    controls dock in it, <lw-regions> draws on it
//   doc.show(index) / doc.page       go to a page (PageUp / PageDown too)
//   doc.words(index)                 the page's text-layer words (null until loaded or none)
//   doc.regionPicked(control, item)  a region tool tells which region the user picked; the
//                                    <lw-fields> of the document link fields to it
// It is the pages' viewer, not a tool: it emits no lw-change.

import { api } from '../../lib/api.js';
import '../image/stage.js';

export class LwDocument extends HTMLElement {
  constructor() {
    super();
    /** @type {any[]} */
    this.pages = [];
    this.page = 0;
    /** @type {Map<number, any>} text layers by page index */
    this.layers = new Map();
    this.stage = /** @type {any} */ (document.createElement('lw-image-stage'));
    this._built = false;
    this._onKey = (e) => {
      if (!this.isConnected || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === 'PageDown') this.show(this.page + 1);
      else if (e.key === 'PageUp') this.show(this.page - 1);
      else return;
      e.preventDefault();
    };
  }

  connectedCallback() {
    this._build();
    document.addEventListener('keydown', this._onKey);
  }

  disconnectedCallback() {
    document.removeEventListener('keydown', this._onKey);
  }

  _build() {
    if (this._built) return;
    this._built = true;
    this.classList.add('doc-viewer');
    const button = (text, label, action, data) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'btn btn-sm';
      b.textContent = text;
      b.title = label;
      b.setAttribute('aria-label', label);
      b.dataset.page = data;
      b.addEventListener('click', action);
      return b;
    };
    this.prev = button('‹', 'Previous page (PageUp)', () => this.show(this.page - 1), 'prev');
    this.next = button('›', 'Next page (PageDown)', () => this.show(this.page + 1), 'next');
    this.label = document.createElement('span');
    this.label.className = 'doc-page-label small';
    this.label.setAttribute('role', 'status');
    this.info = document.createElement('span');
    this.info.className = 'doc-info muted small';
    const nav = document.createElement('div');
    nav.className = 'doc-nav';
    nav.append(this.prev, this.label, this.next, this.info);
    this.thumbs = document.createElement('ol');
    this.thumbs.className = 'doc-thumbs';
    this.thumbs.setAttribute('aria-label', 'Pages');
    const body = document.createElement('div');
    body.className = 'doc-body';
    body.append(this.thumbs, this.stage);
    this.append(nav, body);
  }

  /**
   * Fetch the document's pages and show the first one.
   * @param {{taskId: number, name: string}} source
   */
  async load({ taskId, name }) {
    this._build();
    this.label.textContent = 'Loading pages…';
    try {
      const doc = await api('GET', `/tasks/${taskId}/documents/${encodeURIComponent(name)}`);
      this.pages = doc.pages || [];
    } catch (err) {
      this.label.textContent = `Document unavailable: ${err.message}`;
      throw err;
    }
    this._renderThumbs();
    if (!this.pages.length) {
      this.label.textContent = 'This document has no pages.';
      return;
    }
    await this.show(0);
  }

  _renderThumbs() {
    const items = this.pages.map((p, i) => {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'doc-thumb';
      b.dataset.pageIndex = String(i);
      b.setAttribute('aria-label', `Page ${i + 1}`);
      const img = document.createElement('img');
      img.loading = 'lazy';
      img.alt = '';
      if (p.url) img.src = p.url;
      const n = document.createElement('span');
      n.className = 'small';
      n.textContent = String(i + 1);
      b.append(img, n);
      b.addEventListener('click', () => this.show(i));
      li.append(b);
      return li;
    });
    this.thumbs.replaceChildren(...items);
  }

  /** The tools that follow the page: region tools on the stage and the docked fields tools. */
  _followers() {
    return [...this.stage.tools, ...this.querySelectorAll('lw-fields')];
  }

  /**
   * Show a page (clamped to the document).
   * @param {number} index
   */
  async show(index) {
    if (!this.pages.length) return;
    const i = Math.max(0, Math.min(this.pages.length - 1, index));
    const changed = i !== this.page || !this.stage.dataset.ready;
    this.page = i;
    const p = this.pages[i];
    this.dataset.page = String(i);
    this.label.textContent = `Page ${i + 1} / ${this.pages.length}`;
    this.info.textContent = p.has_text ? 'text layer' : 'no text layer';
    this.prev.disabled = i === 0;
    this.next.disabled = i === this.pages.length - 1;
    for (const b of this.thumbs.querySelectorAll('.doc-thumb')) {
      b.setAttribute('aria-current', String(Number(b.dataset.pageIndex) === i));
    }
    for (const tool of this._followers()) tool.pageChanged?.(i);
    this._loadLayer(i);
    if (changed && p.url) {
      this.stage.dataset.ready = '';
      await this.stage.setImage({ src: p.url, width: p.width, height: p.height });
    }
  }

  async _loadLayer(i) {
    const p = this.pages[i];
    if (!p?.text_layer_url || this.layers.has(i)) return;
    this.layers.set(i, null);
    try {
      const response = await fetch(p.text_layer_url);
      if (response.ok) this.layers.set(i, await response.json());
      else this.layers.delete(i);
    } catch {
      this.layers.delete(i);
    }
  }

  /**
   * The page's text-layer words, when its text layer is loaded.
   * @param {number} index
   * @returns {{text: string, x: number, y: number, w: number, h: number}[] | null}
   */
  words(index) {
    return this.layers.get(index)?.words || null;
  }

  /**
   * A region tool reports the region the user picked (selected) on this document.
   * @param {string} control
   * @param {any} item
   */
  regionPicked(control, item) {
    for (const fields of this.querySelectorAll('lw-fields')) /** @type {any} */ (fields).regionPicked?.(control, item);
  }

  /**
   * Show a region: go to its page and select it in its tool.
   * @param {string} id
   */
  async reveal(id) {
    for (const tool of this.stage.tools) {
      const item = tool.allItems?.find((r) => r.id === id);
      if (!item) continue;
      await this.show(item.page ?? 0);
      this.stage.activate(tool);
      tool.select(id);
      return true;
    }
    return false;
  }
}

customElements.define('lw-document', LwDocument);
