// The base of every annotation tool: value/config/context properties, one lw-change event.

import { CHANGE_EVENT } from '../lib/constants.js';

/** Names of a control's labels or options (plain strings or {name}). */
export function names(items) {
  return (items || []).map((item) => (typeof item === 'string' ? item : item.name));
}

/** Base class: subclasses implement render() and optionally applyKey(label). */
export class LwTool extends HTMLElement {
  constructor() {
    super();
    this._config = {};
    this._value = null;
    this._context = {};
    this._readonly = false;
    /** @type {Map<string, string>} label -> key combo, shown on buttons */
    this.keys = new Map();
  }

  connectedCallback() {
    this.classList.add('lw-tool', this.localName);
    this.render();
  }

  get config() {
    return this._config;
  }
  set config(v) {
    this._config = v || {};
    if (this.isConnected) this.render();
  }
  get value() {
    return this._value;
  }
  set value(v) {
    this._value = v === undefined ? null : v;
    if (this.isConnected) this.render();
  }
  get context() {
    return this._context;
  }
  set context(v) {
    this._context = v || {};
    if (this.isConnected) this.render();
  }
  get readonly() {
    return this._readonly;
  }
  set readonly(v) {
    this._readonly = Boolean(v);
    if (this.isConnected) this.render();
  }

  /**
   * Store a new value, re-render and emit the one change event.
   * @param {any} value
   */
  emit(value) {
    this._value = value;
    this.render();
    this.dispatchEvent(
      new CustomEvent(CHANGE_EVENT, {
        bubbles: true,
        composed: true,
        detail: { control: this._config.name, value },
      }),
    );
  }

  /** Handle a label hotkey; returns whether it did something. */
  applyKey(_label) {
    return false;
  }

  render() {}
}

/**
 * A button showing an option and its hotkey.
 * @param {string} text
 * @param {string|undefined} key
 * @param {Record<string, any>} attrs
 */
export function optionButton(text, key, attrs = {}) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'opt';
  for (const [k, v] of Object.entries(attrs)) b.setAttribute(k, v);
  b.append(document.createTextNode(text));
  if (key) {
    const kbd = document.createElement('kbd');
    kbd.textContent = key.length === 1 ? key.toUpperCase() : key;
    b.append(kbd);
  }
  return b;
}
