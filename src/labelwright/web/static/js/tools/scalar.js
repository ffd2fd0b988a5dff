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

export class LwTextarea extends LwTool {
  render() {
    let area = this.querySelector('textarea');
    if (!area) {
      area = document.createElement('textarea');
      area.rows = 4;
      area.setAttribute('aria-label', this.config.name || 'text');
      area.addEventListener('input', () => {
        clearTimeout(this._t);
        this._t = setTimeout(() => this.emit(area.value === '' ? null : area.value), 250);
      });
      area.addEventListener('blur', () => {
        clearTimeout(this._t);
        const v = area.value === '' ? null : area.value;
        if (v !== this.value) this.emit(v);
      });
      this.replaceChildren(area);
    }
    if (this.config.max_length) area.maxLength = this.config.max_length;
    area.readOnly = this.readonly;
    const shown = this.value ?? '';
    if (area.value !== shown && document.activeElement !== area) area.value = shown;
  }
}

customElements.define('lw-rating', LwRating);
customElements.define('lw-rubric', LwRubric);
customElements.define('lw-number', LwNumber);
customElements.define('lw-textarea', LwTextarea);
