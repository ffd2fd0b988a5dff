import assert from 'node:assert/strict';
import { test } from 'node:test';
import { moveGroup, ranks, tieWithNext, toGroups, toValue, untie } from '../../src/labelwright/web/static/js/lib/ranking.js';

const IDS = ['r1', 'r2', 'r3', 'r4'];

test('groups from a value append missing responses and drop unknown ones', () => {
  assert.deepEqual(toGroups(null, IDS), [['r1'], ['r2'], ['r3'], ['r4']]);
  assert.deepEqual(toGroups(['r3', ['r1', 'x', 'r2']], IDS), [['r3'], ['r1', 'r2'], ['r4']]);
  assert.deepEqual(toGroups(['r1', 'r1'], ['r1']), [['r1']]);
});

test('the wire value writes groups of one as plain ids', () => {
  assert.deepEqual(toValue([['r3'], ['r1', 'r2'], ['r4']]), ['r3', ['r1', 'r2'], 'r4']);
});

test('move, tie and untie', () => {
  let g = toGroups(null, IDS);
  g = moveGroup(g, 2, 0);
  assert.deepEqual(toValue(g), ['r3', 'r1', 'r2', 'r4']);
  g = tieWithNext(g, 1);
  assert.deepEqual(toValue(g), ['r3', ['r1', 'r2'], 'r4']);
  assert.deepEqual(ranks(g), { r3: 1, r1: 2, r2: 2, r4: 4 });
  assert.deepEqual(toValue(untie(g, 1)), ['r3', 'r1', 'r2', 'r4']);
  assert.deepEqual(toValue(tieWithNext(g, 2)), toValue(g)); // last group: nothing to tie with
  assert.deepEqual(toValue(moveGroup(g, 0, 99)), [['r1', 'r2'], 'r4', 'r3']);
});

test('operations never mutate their input', () => {
  const g = [['r1'], ['r2']];
  tieWithNext(g, 0);
  moveGroup(g, 0, 1);
  assert.deepEqual(g, [['r1'], ['r2']]);
});
