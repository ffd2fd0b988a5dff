// <lw-fields>: key-value fields of a document, each linked to a region and normalized.
//
// Value: [{name, value, region?, normalized?}] (DESIGN §5), one entry per filled field, in the
// schema's order. Each field of the control has a row: the value as written, the normalized
// value (an ISO date, a number for amounts, an id without spaces — computed from the value and
// editable), and its region. "Link" (or the field's key, then a click on a region) waits for the
// next region picked on the document (on the page or in the region list): the field links to it
// and, when empty, takes the region's text. context.regions lists the result's regions
// ({id, control, text, page, label}) so a link shows what it points at.

import { normalizeField } from '../../lib/documents.js';
import { LwTool } from '../base.js';

/** @param {string | undefined} text */
function short(text, n = 24) {
  const s = String(text || '').replace(/\s+/g, ' ').trim();
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

export class LwFields extends LwTool {
  constructor() {
    super();
    /** @type {string | null} the field waiting for a region */
    this.linking = null;
  }

  get specs() {
    return (this.config.fields || []).map((f) => (typeof f === 'string' ? { name: f, type: 'text' } : { type: 'text', ...f }));
  }

  get entries() {
    return Array.isArray(this.value) ? this.value : [];
  }

  entry(name) {
    return this.entries.find((e) => e.name === name) || null;
  }

  /**
   * Store one field's entry (null removes it); entries stay in the schema's order.
   * @param {string} name
   * @param {any | null} next
   */
  put(name, next) {
    const byName = new Map(this.entries.map((e) => [e.name, e]));
    if (next) byName.set(name, next);
    else byName.delete(name);
    const ordered = this.specs.map((s) => byName.get(s.name)).filter(Boolean);
    for (const [n, e] of byName) if (!this.specs.some((s) => s.name === n)) ordered.push(e);
    this.emit(ordered.length ? ordered : null);
  }

  /**
   * The entry for a new value as written: the normalized value follows it.
   * @param {any} spec
   * @param {any | null} current
   * @param {string} text
   */
  withValue(spec, current, text) {
    if (!text && !current?.region) return null;
    const next = { ...(current || {}), name: spec.name, value: text };
    const normalized = normalizeField(spec.type, text);
    if (normalized === null) delete next.normalized;
    else next.normalized = normalized;
    return next;
  }

  /** A label hotkey (a field name): start linking that field. */
  applyKey(name) {
    if (this.readonly || !this.specs.some((s) => s.name === name)) return false;
    this.linking = this.linking === name ? null : name;
    this.render();
    return true;
  }

  /**
   * A region was picked on the document: link the waiting field to it.
   * @param {string} control
   * @param {any} region
   */
  regionPicked(control, region) {
    if (!this.linking || this.readonly) return;
    const spec = this.specs.find((s) => s.name === this.linking);
    this.linking = null;
    if (!spec) return this.render();
    const current = this.entry(spec.name);
    const text = current?.value || region.text || '';
    const next = this.withValue(spec, current, text) || { name: spec.name, value: '' };
    next.region = region.id;
    this.put(spec.name, next);
  }

  pageChanged() {}

  render() {
    const regions = new Map((this.context.regions || []).map((r) => [r.id, r]));
    const rows = this.specs.map((spec) => this.row(spec, this.entry(spec.name), regions));
    const table = document.createElement('div');
    table.className = 'fields-table';
    table.append(...rows);
    const hint = document.createElement('p');
    hint.className = 'muted small fields-hint';
    hint.setAttribute('role', 'status');
    hint.textContent = this.linking
      ? `Pick the region for “${this.linking}” on the page or in the region list.`
      : 'Link a field, then pick its region; the normalized value follows what you type.';
    this.replaceChildren(table, hint);
  }

  row(spec, entry, regions) {
    const row = document.createElement('div');
    row.className = 'field-row';
    row.dataset.field = spec.name;
    row.classList.toggle('linking', this.linking === spec.name);
    const name = document.createElement('div');
    name.className = 'field-name';
    const b = document.createElement('b');
    b.textContent = spec.name;
    const type = document.createElement('span');
    type.className = 'muted small';
    type.textContent = ` ${spec.type}${spec.required ? ' · required' : ''}`;
    name.append(b, type);
    const key = this.keys.get(spec.name);
    if (key) {
      const kbd = document.createElement('kbd');
      kbd.textContent = key.length === 1 ? key.toUpperCase() : key;
      name.append(' ', kbd);
    }
    const value = document.createElement('input');
    value.type = 'text';
    value.name = `value-${spec.name}`;
    value.placeholder = 'value as written';
    value.value = entry?.value ?? '';
    value.disabled = this.readonly;
    value.setAttribute('aria-label', `${spec.name} value`);
    value.addEventListener('change', () => this.put(spec.name, this.withValue(spec, entry, value.value)));
    const normalized = document.createElement('input');
    normalized.type = 'text';
    normalized.name = `normalized-${spec.name}`;
    normalized.placeholder = { date: 'YYYY-MM-DD', amount: 'number', id: 'id' }[spec.type] || 'normalized';
    normalized.value = entry?.normalized ?? '';
    normalized.disabled = this.readonly || !entry;
    normalized.setAttribute('aria-label', `${spec.name} normalized value`);
    normalized.addEventListener('change', () => {
      if (!entry) return;
      const next = { ...entry };
      const raw = normalized.value.trim();
      if (!raw) delete next.normalized;
      else next.normalized = spec.type === 'amount' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
      this.put(spec.name, next);
    });
    const link = document.createElement('div');
    link.className = 'field-link small';
    const target = entry?.region ? regions.get(entry.region) : null;
    const chip = document.createElement('button');
    chip.type = 'button';
    chip.className = 'field-region';
    chip.dataset.region = entry?.region || '';
    chip.textContent = entry?.region
      ? `↳ ${entry.region}${target ? ` (p${(target.page ?? 0) + 1}${target.text ? ` “${short(target.text)}”` : ''})` : ' (missing)'}`
      : 'no region';
    chip.disabled = !entry?.region;
    chip.title = 'Show the region';
    chip.addEventListener('click', () => /** @type {any} */ (this.closest('lw-document'))?.reveal(entry.region));
    const pick = document.createElement('button');
    pick.type = 'button';
    pick.className = 'btn btn-sm';
    pick.dataset.action = 'link';
    pick.textContent = this.linking === spec.name ? 'Cancel' : 'Link';
    pick.setAttribute('aria-pressed', String(this.linking === spec.name));
    pick.disabled = this.readonly;
    pick.addEventListener('click', () => this.applyKey(spec.name));
    link.append(chip, pick);
    if (entry?.region && !this.readonly) {
      const unlink = document.createElement('button');
      unlink.type = 'button';
      unlink.className = 'btn btn-sm';
      unlink.dataset.action = 'unlink';
      unlink.textContent = 'Unlink';
      unlink.addEventListener('click', () => {
        const next = { ...entry };
        delete next.region;
        this.put(spec.name, next.value ? next : null);
      });
      link.append(unlink);
    }
    row.append(name, value, normalized, link);
    return row;
  }
}

customElements.define('lw-fields', LwFields);
