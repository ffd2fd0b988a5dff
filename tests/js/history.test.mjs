import assert from 'node:assert/strict';
import { test } from 'node:test';
import { History } from '../../src/labelwright/web/static/js/lib/history.js';

test('undo and redo walk the snapshots', () => {
  const h = new History({});
  h.push({ a: 1 });
  h.push({ a: 2 });
  assert.deepEqual(h.undo(), { a: 1 });
  assert.deepEqual(h.undo(), {});
  assert.equal(h.canUndo, false);
  assert.deepEqual(h.undo(), {});
  assert.deepEqual(h.redo(), { a: 1 });
  assert.deepEqual(h.redo(), { a: 2 });
  assert.equal(h.canRedo, false);
});

test('a new state after undo clears redo; equal states are ignored', () => {
  const h = new History(0);
  h.push(1);
  h.push(2);
  h.undo();
  assert.equal(h.push(3), true);
  assert.equal(h.canRedo, false);
  assert.equal(h.push(3), false);
  assert.deepEqual(h.past, [0, 1]);
});

test('the history is bounded and reset starts over', () => {
  const h = new History(0, { limit: 3 });
  for (let i = 1; i <= 10; i++) h.push(i);
  assert.deepEqual(h.past, [7, 8, 9]);
  h.reset(42);
  assert.equal(h.present, 42);
  assert.equal(h.canUndo, false);
});
