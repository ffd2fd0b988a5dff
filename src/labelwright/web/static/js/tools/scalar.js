// <lw-rating>, <lw-rubric>, <lw-number>, <lw-textarea>.

import { LwTool } from './base.js';

const STEP_KEYS = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1 };

/**
 * A row of value buttons (a radio group with one tab stop). Arrow keys move to the next or
 * previous value and pick it, Home / End pick the ends; Space, Enter or a click on the chosen
 * value clears it. `key` names the scale so
 * the tool can give the focus back after it re-renders.
 */
function scale(min, max, current, readonly, label, onPick, key = label) {
  const wrap = document.createElement('div');
  wrap.className = 'scale';
  wrap.setAttribute('role', 'radiogroup');
  wrap.setAttribute('aria-label', label);
  wrap.dataset.scale = key;
  for (let v = min; v <= max; v++) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'opt';
    b.textContent = String(v);
    b.dataset.value = String(v);
    b.setAttribute('role', 'radio');
    b.setAttribute('aria-checked', String(current === v));
    // one tab stop per scale (the chosen value, else the first); arrows move within it
    b.tabIndex = current === v || ((current === null || current === undefined) && v === min) ? 0 : -1;
    b.disabled = readonly;
    b.addEventListener('click', () => onPick(current === v ? null : v));
    b.addEventListener('keydown', (event) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      let next = null;
      if (event.key in STEP_KEYS) next = Math.min(max, Math.max(min, (current ?? v) + STEP_KEYS[event.key]));
      else if (event.key === 'Home') next = min;
      else if (event.key === 'End') next = max;
      if (next === null) return;
      event.preventDefault();
      event.stopPropagation();
      if (next !== current) onPick(next);
    });
    wrap.append(b);
  }
  return wrap;
}

/**
 * Replace a tool's content and keep the keyboard focus on the same value of the same scale
 * (re-rendering after a pick would otherwise drop it).
 */
function replaceKeepingFocus(tool, ...parts) {
  const active = document.activeElement;
  const held = active && tool.contains(active) ? active.closest('[data-scale]') : null;
  const where = held ? [held.dataset.scale, active.dataset.value] : null;
  tool.replaceChildren(...parts);
  if (!where) return;
  const scales = [...tool.querySelectorAll('[data-scale]')].filter((el) => el.dataset.scale === where[0]);
  const buttons = scales.length ? [...scales[0].querySelectorAll('button')] : [];
  const picked = buttons.find((b) => b.getAttribute('aria-checked') === 'true');
  (picked || buttons.find((b) => b.dataset.value === where[1]))?.focus();
}

export class LwRating extends LwTool {
  render() {
    const { min = 1, max = 5, name = 'rating' } = this.config;
    replaceKeepingFocus(this, scale(min, max, this.value, this.readonly, name, (v) => this.emit(v)));
  }
}

/**
 * Named ratings. For a control of a `responses` object (`context.responses`, a list of
 * `{id, text}`) it rates each response on each criterion: one block per response, labelled A / B
 * for a pair and by id otherwise, and the value is `{response_id: {criterion: rating}}` in task
 * and schema order; otherwise the value is `{criterion: rating}`.
 */
export class LwRubric extends LwTool {
  get criteria() {
    return this.config.criteria || [];
  }

  /** Criterion ratings in schema order, or null when none is set. */
  orderedRatings(ratings) {
    const out = {};
    for (const c of this.criteria) if (ratings && c.name in ratings) out[c.name] = ratings[c.name];
    return Object.keys(out).length ? out : null;
  }

  /** Rows of criterion scales for `ratings`; `pick(criterion, value)` sets one rating. */
  rows(ratings, pick, prefix = '') {
    return this.criteria.map((c) => {
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
      const ariaLabel = prefix ? `${prefix}: ${c.name}` : c.name;
      row.append(label, scale(c.min ?? 1, c.max ?? 5, ratings[c.name], this.readonly, ariaLabel, (v) => pick(c.name, v), ariaLabel));
      return row;
    });
  }

  render() {
    const responses = Array.isArray(this.context.responses) ? this.context.responses : null;
    const value = this.value && typeof this.value === 'object' ? this.value : {};
    if (!responses) {
      const pick = (name, v) => {
        const next = { ...value };
        if (v === null) delete next[name];
        else next[name] = v;
        this.emit(this.orderedRatings(next));
      };
      replaceKeepingFocus(this, ...this.rows(value, pick));
      return;
    }
    const pair = responses.length === 2;
    const blocks = responses.map((r, i) => {
      const ratings = value[r.id] && typeof value[r.id] === 'object' ? value[r.id] : {};
      const name = pair ? `${i === 0 ? 'A' : 'B'} · ${r.id}` : String(r.id);
      const block = document.createElement('div');
      block.className = 'rubric-response';
      block.dataset.response = r.id;
      block.setAttribute('role', 'group');
      block.setAttribute('aria-label', `Response ${name}`);
      const head = document.createElement('div');
      head.className = 'rid';
      head.textContent = name;
      const pick = (criterion, v) => {
        const next = { ...ratings };
        if (v === null) delete next[criterion];
        else next[criterion] = v;
        const all = { ...value, [r.id]: this.orderedRatings(next) };
        // task order; responses without a rating are left out
        const out = {};
        for (const x of responses) if (all[x.id]) out[x.id] = all[x.id];
        this.emit(Object.keys(out).length ? out : null);
      };
      block.append(head, ...this.rows(ratings, pick, pair ? (i === 0 ? 'A' : 'B') : String(r.id)));
      return block;
    });
    replaceKeepingFocus(this, ...blocks);
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
