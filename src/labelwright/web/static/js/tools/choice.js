// <lw-choice>: one option; <lw-choices>: any number of options.

import { LwTool, names, optionButton } from './base.js';

export class LwChoice extends LwTool {
  render() {
    const wrap = document.createElement('div');
    wrap.className = 'opts';
    wrap.setAttribute('role', 'radiogroup');
    wrap.setAttribute('aria-label', this.config.name || 'choice');
    for (const option of names(this.config.options)) {
      const b = optionButton(option, this.keys.get(option), {
        role: 'radio',
        'aria-checked': String(this.value === option),
        'data-option': option,
      });
      b.disabled = this.readonly;
      b.addEventListener('click', () => this.applyKey(option));
      wrap.append(b);
    }
    this.replaceChildren(wrap);
  }

  applyKey(option) {
    if (this.readonly) return false;
    this.emit(this.value === option ? null : option);
    return true;
  }
}

export class LwChoices extends LwTool {
  render() {
    const chosen = new Set(Array.isArray(this.value) ? this.value : []);
    const wrap = document.createElement('div');
    wrap.className = 'opts';
    wrap.setAttribute('role', 'group');
    wrap.setAttribute('aria-label', this.config.name || 'choices');
    for (const option of names(this.config.options)) {
      const b = optionButton(option, this.keys.get(option), {
        'aria-pressed': String(chosen.has(option)),
        'data-option': option,
      });
      b.disabled = this.readonly;
      b.addEventListener('click', () => this.applyKey(option));
      wrap.append(b);
    }
    this.replaceChildren(wrap);
  }

  applyKey(option) {
    if (this.readonly) return false;
    const chosen = new Set(Array.isArray(this.value) ? this.value : []);
    if (chosen.has(option)) chosen.delete(option);
    else chosen.add(option);
    // keep the schema's order
    this.emit(names(this.config.options).filter((o) => chosen.has(o)));
    return true;
  }
}

customElements.define('lw-choice', LwChoice);
customElements.define('lw-choices', LwChoices);
