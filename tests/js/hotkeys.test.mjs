import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildHotkeyMap, comboOf, displayCombo, normalizeCombo } from '../../src/labelwright/web/static/js/lib/hotkeys.js';

test('combos from key events', () => {
  assert.equal(comboOf({ key: 'Enter', ctrlKey: true }), 'Ctrl+Enter');
  assert.equal(comboOf({ key: 'Enter', metaKey: true }), 'Ctrl+Enter');
  assert.equal(comboOf({ key: 'Z', ctrlKey: true, shiftKey: true }), 'Ctrl+Shift+z');
  assert.equal(comboOf({ key: 'ß', code: 'KeyS', altKey: true }), 'Alt+s');
  assert.equal(comboOf({ key: '?', shiftKey: true }), '?');
  assert.equal(comboOf({ key: '4' }), '4');
});

test('written combos normalize to the event form', () => {
  assert.equal(normalizeCombo('ctrl+enter'), 'Ctrl+Enter');
  assert.equal(normalizeCombo('Ctrl+Shift+Z'), 'Ctrl+Shift+z');
  assert.equal(normalizeCombo('Alt+S'), comboOf({ key: 's', code: 'KeyS', altKey: true }));
  assert.equal(normalizeCombo('P'), 'p');
  assert.equal(displayCombo('Ctrl+Enter'), 'Ctrl ⏎');
});

test('explicit hotkeys first, then free keys in schema order', () => {
  const controls = [
    { name: 'sentiment', type: 'choice', options: ['pos', { name: 'neg', hotkey: '1' }] },
    { name: 'ents', type: 'spans', labels: ['PER', 'ORG'], hotkeys: { ORG: 'o' } },
    { name: 'score', type: 'rating', min: 1, max: 5 },
    { name: 'rel', type: 'relations', labels: ['x'] },
    { name: 'pref', type: 'pairwise' },
  ];
  const { keys, byLabel, conflicts } = buildHotkeyMap(controls);
  assert.deepEqual(conflicts, []);
  assert.equal(byLabel.get('sentiment/neg'), '1');
  assert.equal(byLabel.get('ents/ORG'), 'o');
  assert.equal(byLabel.get('sentiment/pos'), '2');
  assert.equal(byLabel.get('ents/PER'), '3');
  assert.equal(byLabel.get('pref/a'), '4');
  assert.equal(byLabel.get('pref/b'), '6');
  assert.equal(byLabel.has('rel/x'), false);
  assert.deepEqual(keys.get('3'), { control: 'ents', type: 'spans', label: 'PER' });
});

test('duplicate explicit keys are reported; reserved keys are never handed out', () => {
  const many = Array.from({ length: 30 }, (_, i) => `L${i}`);
  const { byLabel, conflicts } = buildHotkeyMap([
    { name: 'a', type: 'choice', options: [{ name: 'x', hotkey: 'k' }, { name: 'y', hotkey: 'K' }] },
    { name: 'b', type: 'choices', options: many },
  ]);
  assert.deepEqual(conflicts, ['k']);
  assert.ok(![...byLabel.values()].includes('g'));
});
