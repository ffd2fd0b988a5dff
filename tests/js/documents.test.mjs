import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  byReadingOrder,
  moveInOrder,
  nextOrder,
  normalizeAmount,
  normalizeDate,
  normalizeField,
  normalizeId,
  renumber,
  textInBox,
} from '../../src/labelwright/web/static/js/lib/documents.js';

const words = [
  { text: 'Invoice', x: 10, y: 10, w: 60, h: 12 },
  { text: 'number:', x: 75, y: 10, w: 60, h: 12 },
  { text: 'INV-7', x: 200, y: 10, w: 50, h: 12 },
  { text: 'Second', x: 10, y: 30, w: 50, h: 12 },
  { text: 'line', x: 65, y: 30, w: 30, h: 12 },
];

test('textInBox joins the words whose centre is inside, line by line', () => {
  assert.equal(textInBox(words, { x: 0, y: 0, w: 150, h: 50 }), 'Invoice number:\nSecond line');
  assert.equal(textInBox(words, { x: 190, y: 5, w: 70, h: 20 }), 'INV-7');
  // a box that only clips a word's edge does not take it
  assert.equal(textInBox(words, { x: 0, y: 0, w: 30, h: 50 }), '');
  assert.equal(textInBox([], { x: 0, y: 0, w: 10, h: 10 }), '');
});

test('reading order: next number, sorting, renumbering, moving', () => {
  const regions = [
    { id: 'a', page: 0, x: 0, y: 50, order: 4 },
    { id: 'b', page: 0, x: 0, y: 10, order: 1 },
    { id: 'c', page: 1, x: 0, y: 0 },
    { id: 'd', page: 0, x: 0, y: 90 },
  ];
  assert.equal(nextOrder(regions), 5);
  assert.equal(nextOrder([]), 0);
  assert.deepEqual(byReadingOrder(regions).map((r) => r.id), ['b', 'a', 'd', 'c']);
  assert.deepEqual(renumber(regions).map((r) => [r.id, r.order]), [['a', 1], ['b', 0], ['c', 3], ['d', 2]]);
  const moved = moveInOrder(renumber(regions), 'c', 0);
  assert.deepEqual(byReadingOrder(moved).map((r) => r.id), ['c', 'b', 'a', 'd']);
  assert.deepEqual(moved.map((r) => r.order).sort(), [0, 1, 2, 3]);
});

test('dates are read in the usual written forms', () => {
  assert.equal(normalizeDate('2024-03-15'), '2024-03-15');
  assert.equal(normalizeDate('Date: 15.03.2024'), '2024-03-15');
  assert.equal(normalizeDate('15/03/24'), '2024-03-15');
  assert.equal(normalizeDate('03/25/2024'), '2024-03-25');
  assert.equal(normalizeDate('15 March 2024'), '2024-03-15');
  assert.equal(normalizeDate('Mar 5th, 2024'), '2024-03-05');
  assert.equal(normalizeDate('2024-02-30'), null);
  assert.equal(normalizeDate('no date here'), null);
});

test('amounts are read with either decimal separator', () => {
  assert.equal(normalizeAmount('$1,308.80'), 1308.8);
  assert.equal(normalizeAmount('1.308,80 €'), 1308.8);
  assert.equal(normalizeAmount('TOTAL 42.5'), 42.5);
  assert.equal(normalizeAmount('1,000'), 1000);
  assert.equal(normalizeAmount('(12.00)'), -12);
  assert.equal(normalizeAmount('-5'), -5);
  assert.equal(normalizeAmount('n/a'), null);
});

test('ids lose white space; text is trimmed; the field type picks the rule', () => {
  assert.equal(normalizeId(' INV - 2024 - 01 '), 'INV-2024-01');
  assert.equal(normalizeId('  '), null);
  assert.equal(normalizeField('amount', '$2.50'), 2.5);
  assert.equal(normalizeField('date', '1 Jan 2025'), '2025-01-01');
  assert.equal(normalizeField('text', '  Acme   Corp '), 'Acme Corp');
  assert.equal(normalizeField('id', 'R 00042'), 'R00042');
});
