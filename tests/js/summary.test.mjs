import assert from 'node:assert/strict';
import { test } from 'node:test';

import { labelCounts, regionKind, summarizeValue } from '../../src/labelwright/web/static/js/lib/summary.js';

const box = (label, extra = {}) => ({ id: `b${Math.random()}`, x: 1, y: 2, w: 3, h: 4, label, attributes: {}, ...extra });

test('boxes: count and labels, most frequent first, without a control', () => {
  const value = [box('person'), box('car'), box('car')];
  assert.equal(summarizeValue(value), '3 boxes: car ×2, person');
  assert.equal(summarizeValue([box('car')]), '1 box: car');
  assert.equal(summarizeValue([box('car', { rotation: 30 })], { type: 'boxes' }), '1 box: car');
});

test('polygons, masks and keypoints', () => {
  const polygons = [
    { id: 'p1', points: [[0, 0], [5, 0], [5, 5]], label: 'sign' },
    { id: 'p2', points: [[1, 1], [6, 1], [6, 6]], label: 'sign' },
  ];
  assert.equal(summarizeValue(polygons), '2 polygons: sign ×2');
  assert.equal(summarizeValue([{ id: 'm', rle: { size: [4, 4], counts: [16] }, label: 'road' }]), '1 mask: road');
  const keypoints = [
    { id: 'k1', x: 1, y: 1, label: 'head', visible: true },
    { id: 'k2', x: 2, y: 2, label: 'hand', visible: true },
    { id: 'k3', x: 3, y: 3, label: 'hand', visible: false },
  ];
  assert.equal(summarizeValue(keypoints), '3 keypoints: hand ×2, head (1 not visible)');
});

test('document regions: pages, labels and transcriptions', () => {
  const regions = [
    { id: 'p0-r0', page: 0, x: 1, y: 1, w: 9, h: 9, label: 'header', order: 0, text: 'INVOICE' },
    { id: 'p0-r1', page: 0, x: 1, y: 20, w: 9, h: 9, label: 'key', order: 1, text: 'Total:' },
    { id: 'p1-r2', page: 1, x: 1, y: 1, w: 9, h: 9, label: 'text', order: 2 },
  ];
  assert.equal(summarizeValue(regions), '3 regions on 2 pages: header, key, text (2 with text)');
  assert.equal(summarizeValue(regions.slice(2)), '1 region: text');
});

test('fields: name and value, the normalized value when it differs', () => {
  const fields = [
    { id: 'f1', name: 'invoice_number', value: 'INV-2024-0001', region: 'p0-r4', normalized: 'INV-2024-0001' },
    { name: 'total', value: '$677.45', region: 'p0-r30', normalized: 677.45 },
    { name: 'vendor', value: 'Initech' },
  ];
  assert.equal(summarizeValue(fields, { type: 'fields' }), 'invoice_number: INV-2024-0001, total: $677.45 (677.45), vendor: Initech');
  assert.equal(summarizeValue(fields), summarizeValue(fields, { type: 'fields' }));
});

test('segments, tracks and transcripts', () => {
  const segments = [
    { start: 0, end: 1.5, label: 'speech' },
    { start: 2, end: 3, label: 'music' },
  ];
  assert.equal(summarizeValue(segments), '2 segments: speech, music (2.5 s)');
  const tracks = [{ id: 't1', label: 'car', keyframes: [{ frame: 0, x: 0, y: 0, w: 1, h: 1 }] }];
  assert.equal(summarizeValue(tracks), '1 track: car');
  const transcript = [
    { start: 61.25, end: 64, text: 'Hello   there', speaker: 'A' },
    { start: 65, end: 66, text: 'Hi' },
  ];
  assert.equal(summarizeValue(transcript), '[1:01.3–1:04.0] A: “Hello there” … (2 lines)');
});

test('spans, relations, choices, pairwise, ranking and scalars keep their summaries', () => {
  assert.equal(
    summarizeValue([{ start: 0, end: 4, label: 'ORG', text: 'Acme' }, { start: 5, end: 9, label: 'LOC', text: 'Oslo' }]),
    'ORG: “Acme” [0–4]\nLOC: “Oslo” [5–9]',
  );
  assert.equal(summarizeValue([{ from: 'a', to: 'b', label: 'works_for' }]), 'a → b (works_for)');
  assert.equal(summarizeValue(['positive', 'urgent']), 'positive, urgent');
  assert.equal(summarizeValue({ choice: 'a', strength: 2 }), 'A better (strength 2)');
  assert.equal(summarizeValue(['r1', ['r2', 'r3']], { type: 'ranking' }), 'r1 > r2 = r3');
  assert.equal(summarizeValue({ fluency: 4, accuracy: 5 }), 'fluency: 4, accuracy: 5');
  assert.equal(summarizeValue(3), '3');
  assert.equal(summarizeValue(null), '—');
  assert.equal(summarizeValue([]), '(none)');
});

test('nothing prints [object Object]', () => {
  const values = [
    [{ unknown: { deep: true } }],
    { nested: { a: 1 } },
    [box(undefined)],
    [{ id: 'x', x: 1, y: 2, label: null }],
  ];
  for (const value of values) assert.doesNotMatch(summarizeValue(value), /\[object Object\]/);
  assert.equal(summarizeValue([box(undefined)]), '1 box: unlabeled');
  assert.equal(summarizeValue({ nested: { a: 1 } }), 'nested: {"a":1}');
});

test('many labels are cut after six', () => {
  const value = 'abcdefgh'.split('').map((l) => box(l));
  assert.equal(labelCounts(value), 'a, b, c, d, e, f, +2 more');
  assert.equal(regionKind(value, undefined), 'boxes');
  assert.equal(regionKind([{ a: 1 }], undefined), null);
});
