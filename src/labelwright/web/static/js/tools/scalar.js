// <lw-rating>, <lw-rubric>, <lw-number>, <lw-textarea>.

import { LwTool } from './base.js';

function scale(min, max, current, readonly, label, onPick) {
  const wrap = document.createElement('div');
  wrap.className = 'scale';
  wrap.setAttribute('role', 'radiogroup');
  wrap.setAttribute('aria-label', label);
  for (let v = min; v <= max; v++) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'opt';
    b.textContent = String(v);
    b.dataset.value = String(v);
    b.setAttribute('role', 'radio');
    b.setAttribute('aria-checked', String(current === v));
    b.disabled = readonly;
    b.addEventListener('click', () => onPick(current === v ? null : v));
    wrap.append(b);
  }
  return wrap;
}

export class LwRating extends LwTool {
  render() {
    const { min = 1, max = 5, name = 'rating' } = this.config;
    this.replaceChildren(scale(min, max, this.value, this.readonly, name, (v) => this.emit(v)));
  }
}

export class LwRubric extends LwTool {
  render() {
    const value = this.value && typeof this.value === 'object' ? this.value : {};
    const rows = (this.config.criteria || []).map((c) => {
      const row = document.createElement('div');
      row.className = 'rubric-row';
      row.dataset.criterion = c.name;
      const label = document.createElement('div');
      label.className = 'crit';
      label.textContent = c.name;
      if (c.description) {
        const small = document.createElement('small');
        small.textContent = c.description;
        label.append(small);
      }
      const pick = (v) => {
        const next = { ...value };
        if (v === null) delete next[c.name];
        else next[c.name] = v;
        // schema order
        const ordered = {};
        for (const k of this.config.criteria.map((x) => x.name)) if (k in next) ordered[k] = next[k];
        this.emit(Object.keys(ordered).length ? ordered : null);
      };
      row.append(label, scale(c.min ?? 1, c.max ?? 5, value[c.name], this.readonly, c.name, pick));
      return row;
    });
    this.replaceChildren(...rows);
  }
}

export class LwNumber extends LwTool {
  render() {
    let input = this.querySelector('input');
    if (!input) {
      input = document.createElement('input');
      input.type = 'number';
      input.setAttribute('aria-label', this.config.name || 'number');
      input.addEventListener('change', () => {
        const text = input.value.trim();
        this.emit(text === '' ? null : Number(text));
      });
      this.replaceChildren(input);
    }
    const { min, max, integer } = this.config;
    if (min !== undefined && min !== null) input.min = String(min);
    if (max !== undefined && max !== null) input.max = String(max);
    input.step = integer ? '1' : 'any';
    input.readOnly = this.readonly;
    const shown = this.value === null || this.value === undefined ? '' : String(this.value);
    if (input.value !== shown) input.value = shown;
  }
}

/**
 * Free text. With `context.source` (a translation pair: the control is `of` a text object),
 * the source text sits on the left and the text area on the right.
 */
export class LwTextarea extends LwTool {
  render() {
    const source = typeof this.context.source === 'string' ? this.context.source : null;
    let area = this.querySelector('textarea');
    if (!area || this._paired !== (source !== null)) area = this.build(source !== null);
    if (source !== null) {
      const shown = this.querySelector('.pair-text');
      if (shown.textContent !== source) shown.textContent = source;
      this.querySelector('.pair-source .obj-label').textContent = this.context.sourceName || 'source';
    }
    if (this.config.max_length) area.maxLength = this.config.max_length;
    area.readOnly = this.readonly;
    const shown = this.value ?? '';
    if (area.value !== shown && document.activeElement !== area) area.value = shown;
    this.count(area);
  }

  build(paired) {
    this._paired = paired;
    const area = document.createElement('textarea');
    area.rows = paired ? 6 : 4;
    area.setAttribute('aria-label', paired ? `${this.config.name} (translation)` : this.config.name || 'text');
    area.addEventListener('input', () => {
      this.count(area);
      clearTimeout(this._t);
      this._t = setTimeout(() => this.emit(area.value === '' ? null : area.value), 250);
    });
    area.addEventListener('blur', () => {
      clearTimeout(this._t);
      const v = area.value === '' ? null : area.value;
      if (v !== this.value) this.emit(v);
    });
    const counter = document.createElement('div');
    counter.className = 'small muted ta-count';
    if (!paired) {
      this.replaceChildren(area, counter);
      return area;
    }
    const left = document.createElement('div');
    left.className = 'pair-source';
    const label = document.createElement('div');
    label.className = 'obj-label';
    const text = document.createElement('div');
    text.className = 'pair-text';
    text.setAttribute('aria-label', 'Source text');
    left.append(label, text);
    const right = document.createElement('div');
    right.className = 'pair-target';
    const head = document.createElement('div');
    head.className = 'obj-label';
    head.textContent = 'translation';
    right.append(head, area, counter);
    const grid = document.createElement('div');
    grid.className = 'pair';
    grid.append(left, right);
    this.replaceChildren(grid);
    return area;
  }

  /** "12 / 500" under the area when the control has a maximum length. */
  count(area) {
    const counter = this.querySelector('.ta-count');
    if (!counter) return;
    const max = this.config.max_length;
    counter.hidden = !max;
    if (max) counter.textContent = `${[...area.value].length} / ${max}`;
  }
}

customElements.define('lw-rating', LwRating);
customElements.define('lw-rubric', LwRubric);
customElements.define('lw-number', LwNumber);
customElements.define('lw-textarea', LwTextarea);
