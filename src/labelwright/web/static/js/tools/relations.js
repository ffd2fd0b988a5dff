// <lw-relations>: labeled links between regions (e.g. spans) of the same result.

import { LwTool, names } from './base.js';

export class LwRelations extends LwTool {
  get relations() {
    return Array.isArray(this.value) ? this.value : [];
  }

  render() {
    const regions = this.context.regions || [];
    const byId = new Map(regions.map((r) => [r.id, r]));
    const describe = (id) => {
      const r = byId.get(id);
      return r ? `${r.text} · ${r.label}` : id;
    };
    const parts = [];
    if (!this.readonly) {
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
      const labels = names(this.config.labels);
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
        const rel = { from: from.value, to: to.value };
        if (label) rel.label = label.value;
        const dup = this.relations.some(
          (r) => r.from === rel.from && r.to === rel.to && (r.label ?? null) === (rel.label ?? null),
        );
        if (!dup) this.emit([...this.relations, rel]);
      });
      form.append(add);
      parts.push(form);
      if (regions.length < 2) {
        const hint = document.createElement('p');
        hint.className = 'small muted';
        hint.textContent = 'Create at least two regions to relate them.';
        parts.push(hint);
      }
    }
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
}

customElements.define('lw-relations', LwRelations);
