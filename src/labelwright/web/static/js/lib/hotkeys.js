// Keyboard shortcuts: normalizing key events and handing out label hotkeys.

import { AUTO_KEYS, RESERVED_KEYS } from './constants.js';

/**
 * A canonical combo string for a key event: modifiers in the order Ctrl, Alt, Shift, then the
 * key; letters are lower case; Cmd counts as Ctrl. With Alt, letters come from `code` (macOS
 * turns Alt+S into "ß").
 * @param {{key: string, code?: string, ctrlKey?: boolean, metaKey?: boolean, altKey?: boolean,
 *   shiftKey?: boolean}} event
 * @returns {string}
 */
export function comboOf(event) {
  let key = event.key;
  if (event.altKey && event.code && /^Key[A-Z]$/.test(event.code)) key = event.code.slice(3);
  if (event.altKey && event.code && /^Digit[0-9]$/.test(event.code)) key = event.code.slice(5);
  if (key === ' ') key = 'Space';
  if (key.length === 1) key = key.toLowerCase();
  const parts = [];
  if (event.ctrlKey || event.metaKey) parts.push('Ctrl');
  if (event.altKey) parts.push('Alt');
  // Shift is implied by the character for printable keys ("?" not "Shift+/")
  if (event.shiftKey && (key.length > 1 || parts.length)) parts.push('Shift');
  parts.push(key);
  return parts.join('+');
}

/**
 * Canonical form of a written combo ("ctrl+enter" -> "Ctrl+Enter", "A" -> "a").
 * @param {string} text
 * @returns {string}
 */
export function normalizeCombo(text) {
  const parts = text.split('+').map((p) => p.trim()).filter(Boolean);
  const key = parts.pop() || '';
  const mods = new Set(parts.map((p) => p.toLowerCase()));
  const out = [];
  if (mods.has('ctrl') || mods.has('cmd') || mods.has('meta')) out.push('Ctrl');
  if (mods.has('alt') || mods.has('option')) out.push('Alt');
  if (mods.has('shift')) out.push('Shift');
  out.push(key.length === 1 ? key.toLowerCase() : key[0].toUpperCase() + key.slice(1));
  return out.join('+');
}

/** Control types whose labels or options get keys. */
const KEYED = {
  choice: 'options',
  choices: 'options',
  spans: 'labels',
  relations: 'labels',
  pairwise: 'choices',
  boxes: 'labels',
  polygons: 'labels',
  keypoints: 'labels',
  masks: 'labels',
};
const PAIRWISE = ['a', 'tie', 'b'];

/**
 * @typedef {{control: string, type: string, label: string}} KeyTarget
 */

/**
 * Hotkeys for every label and option of a schema's controls: explicit ones (`hotkey` on a label,
 * or the control's `hotkeys` map) first, then free keys from AUTO_KEYS in schema order
 * (relations only get explicit keys).
 * @param {object[]} controls schema controls
 * @returns {{keys: Map<string, KeyTarget>, byLabel: Map<string, string>, conflicts: string[]}}
 *   `byLabel` maps "control/label" to its key.
 */
export function buildHotkeyMap(controls) {
  /** @type {Map<string, KeyTarget>} */
  const keys = new Map();
  /** @type {Map<string, string>} */
  const byLabel = new Map();
  const conflicts = [];
  const pending = [];
  for (const control of controls) {
    const field = KEYED[control.type];
    if (!field) continue;
    const items = control.type === 'pairwise' ? PAIRWISE : control[field] || [];
    for (const item of items) {
      const label = typeof item === 'string' ? item : item.name;
      const explicit =
        (typeof item === 'object' && item.hotkey) || (control.hotkeys || {})[label] || null;
      const target = { control: control.name, type: control.type, label };
      if (explicit) {
        const combo = normalizeCombo(String(explicit));
        if (keys.has(combo)) conflicts.push(combo);
        else {
          keys.set(combo, target);
          byLabel.set(`${control.name}/${label}`, combo);
        }
      } else if (control.type !== 'relations') pending.push(target);
    }
  }
  let k = 0;
  for (const target of pending) {
    while (k < AUTO_KEYS.length && (keys.has(AUTO_KEYS[k]) || RESERVED_KEYS.includes(AUTO_KEYS[k])))
      k++;
    if (k >= AUTO_KEYS.length) break;
    keys.set(AUTO_KEYS[k], target);
    byLabel.set(`${target.control}/${target.label}`, AUTO_KEYS[k]);
    k++;
  }
  return { keys, byLabel, conflicts };
}

/**
 * How a combo is shown to people ("Ctrl+Enter" -> "Ctrl ⏎").
 * @param {string} combo
 * @returns {string}
 */
export function displayCombo(combo) {
  return combo
    .split('+')
    .map((p) => ({ Enter: '⏎', Delete: 'Del', Escape: 'Esc' })[p] || (p.length === 1 ? p.toUpperCase() : p))
    .join(' ');
}
