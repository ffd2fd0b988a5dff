// <lw-pairwise> (A / tie / B, strength, reason) and <lw-ranking> (order with tie groups).

import { fromBucketPlaces, moveGroup, moveToPlace, tieWithNext, toBucketPlaces, toGroups, toValue, untie } from '../lib/ranking.js';
import { LwTool, optionButton } from './base.js';

const STRENGTHS = [
  [1, 'Slightly'],
  [2, 'Clearly'],
  [3, 'Much'],
];

export class LwPairwise extends LwTool {
  get current() {
    return this.value && typeof this.value === 'object' ? this.value : null;
  }

  render() {
    const v = this.current;
    const choices = document.createElement('div');
    choices.className = 'pw-choices';
    choices.setAttribute('role', 'radiogroup');
    choices.setAttribute('aria-label', this.config.name || 'preference');
    for (const [choice, text] of [
      ['a', 'A is better'],
      ['tie', 'Tie'],
      ['b', 'B is better'],
    ]) {
      const b = optionButton(text, this.keys.get(choice), {
        role: 'radio',
        'aria-checked': String(v?.choice === choice),
        'data-choice': choice,
      });
      b.disabled = this.readonly;
      b.addEventListener('click', () => this.applyKey(choice));
      choices.append(b);
    }
    const row = document.createElement('div');
    row.className = 'pw-row';
    const strength = document.createElement('div');
    strength.className = 'scale';
    strength.setAttribute('role', 'radiogroup');
    strength.setAttribute('aria-label', 'strength');
    for (const [n, text] of STRENGTHS) {
      const b = optionButton(text, undefined, {
        role: 'radio',
        'aria-checked': String(v?.strength === n),
        'data-strength': String(n),
      });
      b.disabled = this.readonly || !v || v.choice === 'tie';
      b.addEventListener('click', () => {
        const next = { ...v };
        if (next.strength === n) delete next.strength;
        else next.strength = n;
        this.emit(this.ordered(next));
      });
      strength.append(b);
    }
    const reason = document.createElement('input');
    reason.type = 'text';
    reason.placeholder = 'Reason (optional)';
    reason.setAttribute('aria-label', 'reason');
    reason.value = v?.reason ?? '';
    reason.readOnly = this.readonly;
    reason.disabled = !v;
    reason.addEventListener('change', () => {
      const next = { ...v };
      if (reason.value.trim()) next.reason = reason.value;
      else delete next.reason;
      this.emit(this.ordered(next));
    });
    row.append(strength, reason);
    this.replaceChildren(choices, row);
  }

  ordered(v) {
    const out = { choice: v.choice };
    if (v.strength && v.choice !== 'tie') out.strength = v.strength;
    if (v.reason) out.reason = v.reason;
    return out;
  }

  applyKey(choice) {
    if (this.readonly) return false;
    const v = this.current;
    if (v?.choice === choice) return true;
    this.emit(this.ordered({ ...(v || {}), choice }));
    return true;
  }
}

export class LwRanking extends LwTool {
  get ids() {
    return (this.context.responses || []).map((r) => r.id);
  }

  /**
   * Named buckets: one labelled place per bucket (empty ones kept) and a "no bucket" place;
   * each response moves with its place buttons, or with keys 1-9 (bucket) and 0 (none).
   * @param {string[]} buckets
   */
  renderBuckets(buckets) {
    const places = toBucketPlaces(this.value, this.ids, buckets);
    const texts = new Map((this.context.responses || []).map((r) => [r.id, r.text || '']));
    const names = [...buckets, 'No bucket'];
    const list = document.createElement('ol');
    list.className = 'rank-list buckets';
    list.setAttribute('aria-label', 'Buckets, best first');
    places.forEach((members, p) => {
      const li = document.createElement('li');
      li.className = `rank-item bucket${p === buckets.length ? ' unplaced' : ''}`;
      li.dataset.bucket = names[p];
      const head = document.createElement('span');
      head.className = 'rank-pos bucket-name';
      head.textContent = names[p];
      const box = document.createElement('div');
      box.className = 'rank-members';
      if (!members.length) {
        const empty = document.createElement('span');
        empty.className = 'muted small';
        empty.textContent = 'empty';
        box.append(empty);
      }
      for (const id of members) {
        const m = document.createElement('span');
        m.className = 'member';
        m.tabIndex = 0;
        m.dataset.response = id;
        m.title = texts.get(id) || '';
        const name = document.createElement('b');
        name.textContent = id;
        m.append(name);
        if (!this.readonly) {
          names.forEach((target, t) => {
            if (t === p) return;
            const b = document.createElement('button');
            b.type = 'button';
            b.className = 'btn btn-sm btn-ghost';
            b.textContent = t === buckets.length ? '×' : `→ ${target}`;
            b.setAttribute('aria-label', `Move ${id} to ${target}`);
            b.addEventListener('click', () => this.emit(fromBucketPlaces(moveToPlace(places, id, t))));
            m.append(b);
          });
          m.addEventListener('keydown', (e) => {
            if (e.altKey || e.ctrlKey || e.metaKey) return;
            const n = e.key === '0' ? buckets.length : Number(e.key) - 1;
            if (Number.isInteger(n) && n >= 0 && n <= buckets.length && /^[0-9]$/.test(e.key)) {
              e.preventDefault();
              e.stopPropagation();
              this.emit(fromBucketPlaces(moveToPlace(places, id, n)));
            }
          });
        }
        box.append(m);
      }
      li.append(head, box);
      list.append(li);
    });
    this.replaceChildren(list);
  }

  render() {
    if (Array.isArray(this.config.buckets) && this.config.buckets.length) {
      this.renderBuckets(this.config.buckets);
      return;
    }
    const groups = toGroups(this.value, this.ids);
    const texts = new Map((this.context.responses || []).map((r) => [r.id, r.text || '']));
    const list = document.createElement('ol');
    list.className = 'rank-list';
    list.setAttribute('aria-label', 'Ranking, best first');
    let rank = 1;
    groups.forEach((group, i) => {
      const li = document.createElement('li');
      li.className = 'rank-item';
      li.tabIndex = 0;
      li.dataset.index = String(i);
      li.dataset.group = group.join(',');
      li.draggable = !this.readonly;
      li.setAttribute('aria-label', `Rank ${rank}: ${group.join(' tied with ')}`);
      const pos = document.createElement('span');
      pos.className = 'rank-pos';
      pos.textContent = String(rank);
      const members = document.createElement('div');
      members.className = 'rank-members';
      for (const id of group) {
        const m = document.createElement('span');
        m.className = 'member';
        m.title = texts.get(id) || '';
        const name = document.createElement('b');
        name.textContent = id;
        const gist = document.createElement('span');
        gist.className = 'gist';
        const text = texts.get(id) || '';
        gist.textContent = text.length > 70 ? `${text.slice(0, 69)}…` : text;
        m.append(name, gist);
        members.append(m);
      }
      li.append(pos, members);
      if (!this.readonly) {
        const tools = document.createElement('div');
        tools.className = 'tools';
        const btn = (text, label, fn, disabled) => {
          const b = document.createElement('button');
          b.type = 'button';
          b.className = 'btn btn-sm btn-ghost';
          b.textContent = text;
          b.setAttribute('aria-label', label);
          b.disabled = disabled;
          b.addEventListener('click', fn);
          tools.append(b);
        };
        btn('↑', `Move ${group.join(', ')} up`, () => this.update(moveGroup(groups, i, i - 1), i - 1), i === 0);
        btn('↓', `Move ${group.join(', ')} down`, () => this.update(moveGroup(groups, i, i + 1), i + 1), i === groups.length - 1);
        if (this.config.allow_ties !== false)
          btn('Tie ↓', `Tie ${group.join(', ')} with next`, () => this.update(tieWithNext(groups, i), i), i === groups.length - 1);
        if (group.length > 1) btn('Untie', `Untie ${group.join(', ')}`, () => this.update(untie(groups, i), i), false);
        li.append(tools);
        li.addEventListener('keydown', (e) => {
          const map = { ArrowUp: () => moveGroup(groups, i, i - 1), ArrowDown: () => moveGroup(groups, i, i + 1) };
          if (e.altKey || e.ctrlKey || e.metaKey) return;
          if (e.key in map) {
            e.preventDefault();
            e.stopPropagation();
            this.update(map[e.key](), e.key === 'ArrowUp' ? i - 1 : i + 1);
          } else if (e.key === 't' && this.config.allow_ties !== false) {
            e.stopPropagation();
            this.update(tieWithNext(groups, i), i);
          } else if (e.key === 'u') {
            e.stopPropagation();
            this.update(untie(groups, i), i);
          }
        });
        li.addEventListener('dragstart', (e) => {
          e.dataTransfer?.setData('text/plain', String(i));
          li.classList.add('dragging');
        });
        li.addEventListener('dragend', () => li.classList.remove('dragging'));
        li.addEventListener('dragover', (e) => e.preventDefault());
        li.addEventListener('drop', (e) => {
          e.preventDefault();
          const from = Number(e.dataTransfer?.getData('text/plain'));
          if (!Number.isNaN(from) && from !== i) this.update(moveGroup(groups, from, i), i);
        });
      }
      list.append(li);
      rank += group.length;
    });
    const parts = [list];
    if (!this.readonly) {
      const hint = document.createElement('p');
      hint.className = 'small muted rank-hint';
      hint.textContent = 'Drag to reorder, or focus an item and press ↑ ↓ to move it, T to tie it with the next, U to untie.';
      parts.push(hint);
    }
    if (!this.readonly && this.value === null) {
      const keep = document.createElement('button');
      keep.type = 'button';
      keep.className = 'btn btn-sm';
      keep.textContent = 'Keep this order';
      keep.style.marginTop = '8px';
      keep.addEventListener('click', () => this.update(groups, 0));
      parts.push(keep);
    }
    this.replaceChildren(...parts);
  }

  update(groups, focusIndex) {
    this.emit(toValue(groups));
    const item = this.querySelector(`.rank-item[data-index="${Math.max(0, focusIndex)}"]`);
    if (item) /** @type {HTMLElement} */ (item).focus();
  }
}

customElements.define('lw-pairwise', LwPairwise);
customElements.define('lw-ranking', LwRanking);
