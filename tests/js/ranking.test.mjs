import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromBucketPlaces, moveGroup, moveToPlace, ranks, tieWithNext, toBucketPlaces, toGroups, toValue, untie } from '../../src/labelwright/web/static/js/lib/ranking.js';

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

test('bucket places keep empty buckets and put the rest in no bucket', () => {
  const ids = ['r1', 'r2', 'r3', 'r4'];
  const places = toBucketPlaces([['r1', 'r3'], [], 'x', 'r2'], ids, ['good', 'ok', 'bad']);
  assert.deepEqual(places, [['r1', 'r3'], [], [], ['r2', 'r4']]);
  assert.deepEqual(fromBucketPlaces(places), [['r1', 'r3'], [], [], ['r2', 'r4']]);
  assert.deepEqual(fromBucketPlaces([['r1'], ['r2'], []]), ['r1', 'r2']);
});

test('moving a response between buckets takes it out of its old place', () => {
  const places = [['r1', 'r2'], [], ['r3']];
  assert.deepEqual(moveToPlace(places, 'r2', 1), [['r1'], ['r2'], ['r3']]);
  assert.deepEqual(moveToPlace(places, 'r3', 0), [['r1', 'r2', 'r3'], [], []]);
  assert.deepEqual(fromBucketPlaces(moveToPlace(places, 'r3', 0)), [['r1', 'r2', 'r3'], []]);
  assert.deepEqual(places, [['r1', 'r2'], [], ['r3']]); // not mutated
});
