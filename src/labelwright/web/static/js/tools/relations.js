// <lw-relations>: labeled links between regions (e.g. spans) of the same result.
//
// Drawing: click a region in its tool (a span in the text), then another; the pair shows here
// with the relation's labels: click one (or press its key) to add the relation. A control with
// one label (or none) adds it at once. Escape or "Cancel" drops the pending pair. The
// from / to / label pickers below do the same without a mouse.

import { REGION_EVENT } from '../lib/constants.js';
import { LwTool, names, optionButton } from './base.js';

export class LwRelations extends LwTool {
  constructor() {
    super();
    /** @type {{from: string, to: string|null}|null} */
    this.pending = null;
    this.onRegion = (event) => this.pickRegion(event.detail.id);
    this.onEscape = (event) => {
      if (event.key === 'Escape' && this.pending) {
        this.pending = null;
        this.render();
      }
    };
  }

  connectedCallback() {
    super.connectedCallback();
    // region tools sit beside this one in the page; their clicks bubble to the document
    document.addEventListener(REGION_EVENT, this.onRegion);
    document.addEventListener('keydown', this.onEscape);
  }

  disconnectedCallback() {
    document.removeEventListener(REGION_EVENT, this.onRegion);
    document.removeEventListener('keydown', this.onEscape);
  }

  get relations() {
    return Array.isArray(this.value) ? this.value : [];
  }

  get regionIds() {
    return new Set((this.context.regions || []).map((r) => r.id));
  }

  /** A region was clicked: it becomes the start, or the end, of the pending relation. */
  pickRegion(id) {
    if (this.readonly || !this.regionIds.has(id)) return;
    if (!this.pending || this.pending.to !== null || this.pending.from === id) {
      this.pending = { from: id, to: null };
    } else {
      this.pending = { from: this.pending.from, to: id };
      const labels = names(this.config.labels);
      if (labels.length <= 1) {
        this.add(this.pending.from, id, labels[0] ?? null);
        return;
      }
    }
    this.render();
  }

  /** A label key: labels the pending pair. */
  applyKey(label) {
    if (this.readonly || !this.pending?.to) return false;
    this.add(this.pending.from, this.pending.to, label);
    return true;
  }

  add(from, to, label) {
    this.pending = null;
    if (!from || !to || from === to) {
      this.render();
      return;
    }
    const rel = { from, to };
    if (label !== null && label !== undefined) rel.label = label;
    const dup = this.relations.some(
      (r) => r.from === rel.from && r.to === rel.to && (r.label ?? null) === (rel.label ?? null),
    );
    if (dup) this.render();
    else this.emit([...this.relations, rel]);
  }

  render() {
    const regions = this.context.regions || [];
    const byId = new Map(regions.map((r) => [r.id, r]));
    if (this.pending && (!byId.has(this.pending.from) || (this.pending.to && !byId.has(this.pending.to)))) {
      this.pending = null;
    }
    const describe = (id) => {
      const r = byId.get(id);
      return r ? `${r.text} · ${r.label}` : id;
    };
    const labels = names(this.config.labels);
    const parts = [];
    if (!this.readonly) parts.push(this.renderDrawing(describe, labels), this.renderForm(regions, describe, labels));
    const list = document.createElement('ul');
    list.className = 'span-list';
    list.setAttribute('aria-label', 'Relations');
    this.relations.forEach((rel, i) => {
      const li = document.createElement('li');
      li.className = 'chip';
      li.dataset.relation = String(i);
      const text = document.createElement('span');
      text.textContent = `${describe(rel.from)} → ${describe(rel.to)}`;
      li.append(text);
      if (rel.label) {
        const b = document.createElement('b');
        b.textContent = rel.label;
        li.append(b);
      }
      if (!this.readonly) {
        const x = document.createElement('button');
        x.type = 'button';
        x.textContent = '×';
        x.setAttribute('aria-label', 'Remove relation');
        x.addEventListener('click', () => this.emit(this.relations.filter((_, j) => j !== i)));
        li.append(x);
      }
      list.append(li);
    });
    parts.push(list);
    this.replaceChildren(...parts);
  }

  /** The pending pair (or how to start one) and, once both ends are picked, the labels. */
  renderDrawing(describe, labels) {
    const box = document.createElement('div');
    box.className = 'rel-draw';
    box.setAttribute('aria-live', 'polite');
    const p = this.pending;
    const hint = document.createElement('span');
    hint.className = 'small muted';
    if (!p) {
      hint.textContent = (this.context.regions || []).length < 2
        ? 'Create at least two regions to relate them.'
        : 'Click a region, then another, to relate them.';
      box.append(hint);
      return box;
    }
    const from = document.createElement('span');
    from.className = 'rel-end';
    from.textContent = describe(p.from);
    box.append(from, document.createTextNode(' → '));
    if (!p.to) {
      hint.textContent = 'now click the other region';
      box.append(hint);
    } else {
      const to = document.createElement('span');
      to.className = 'rel-end';
      to.textContent = describe(p.to);
      const picks = document.createElement('span');
      picks.className = 'rel-labels';
      picks.setAttribute('role', 'group');
      picks.setAttribute('aria-label', 'relation label');
      for (const label of labels) {
        const b = optionButton(label, this.keys.get(label), { 'data-relation-label': label });
        b.addEventListener('click', () => this.applyKey(label));
        picks.append(b);
      }
      box.append(to, picks);
    }
    const cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.className = 'btn btn-sm btn-ghost';
    cancel.textContent = 'Cancel';
    cancel.addEventListener('click', () => {
      this.pending = null;
      this.render();
    });
    box.append(cancel);
    return box;
  }

  /** From / to / label pickers: the same without a pointer. */
  renderForm(regions, describe, labels) {
    const form = document.createElement('div');
    form.className = 'rel-form';
    const pick = (label) => {
      const s = document.createElement('select');
      s.setAttribute('aria-label', label);
      s.name = label;
      s.append(new Option(`${label}…`, ''));
      for (const r of regions) s.append(new Option(describe(r.id), r.id));
      return s;
    };
    const from = pick('from');
    const to = pick('to');
    form.append(from, document.createTextNode('→'), to);
    let label = null;
    if (labels.length) {
      label = document.createElement('select');
      label.name = 'label';
      label.setAttribute('aria-label', 'relation label');
      for (const l of labels) label.append(new Option(l, l));
      form.append(label);
    }
    const add = document.createElement('button');
    add.type = 'button';
    add.className = 'btn btn-sm';
    add.textContent = 'Add relation';
    add.disabled = regions.length < 2;
    add.addEventListener('click', () => {
      if (!from.value || !to.value || from.value === to.value) return;
      this.add(from.value, to.value, label ? label.value : null);
    });
    form.append(add);
    return form;
  }
}

customElements.define('lw-relations', LwRelations);
