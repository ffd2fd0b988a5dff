import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CodePointIndex, codePointLength, trimRange } from '../../src/labelwright/web/static/js/lib/offsets.js';

const TEXT = 'Zoë 👩🏽‍💻 works in Zu\u0308rich 😀!';

test('code point length counts surrogate pairs once and combining marks separately', () => {
  assert.equal(codePointLength('a😀b'), 3);
  assert.equal(codePointLength('u\u0308'), 2);
  assert.equal(codePointLength(TEXT), [...TEXT].length);
  assert.equal(new CodePointIndex(TEXT).length, [...TEXT].length);
});

test('utf16 <-> code point round trip at every code point', () => {
  const index = new CodePointIndex(TEXT);
  const points = [...TEXT];
  let u = 0;
  for (let cp = 0; cp <= points.length; cp++) {
    assert.equal(index.toUtf16(cp), u, `cp ${cp}`);
    assert.equal(index.toCodePoint(u), cp, `u ${u}`);
    if (cp < points.length) u += points[cp].length;
  }
});

test('the middle of a surrogate pair rounds down to the character start', () => {
  const index = new CodePointIndex('a😀b');
  assert.equal(index.toCodePoint(2), 1);
  assert.equal(index.toCodePoint(3), 2);
});

test('slices match Python-style code point slicing', () => {
  const index = new CodePointIndex(TEXT);
  const points = [...TEXT];
  const start = TEXT.indexOf('Zu');
  const cpStart = index.toCodePoint(start);
  assert.equal(index.slice(cpStart, cpStart + 7), points.slice(cpStart, cpStart + 7).join(''));
  assert.equal(index.slice(cpStart, cpStart + 7), 'Zu\u0308rich');
  assert.equal(index.slice(0, 8), 'Zoë 👩🏽‍💻');
});

test('lone surrogates count as one code point each', () => {
  const index = new CodePointIndex('a\ud83db');
  assert.equal(index.length, 3);
  assert.equal(index.toUtf16(2), 2);
});

test('trimRange drops surrounding whitespace', () => {
  const index = new CodePointIndex('  😀 x  ');
  assert.deepEqual(trimRange(index, 0, 7), [2, 5]);
  assert.deepEqual(trimRange(index, 0, 2), [2, 2]);
});

test('a 100,000 character text with emoji indexes quickly', () => {
  const big = 'word 😀 '.repeat(12500);
  const t0 = performance.now();
  const index = new CodePointIndex(big);
  for (let i = 0; i < 10000; i++) index.toUtf16(i * 7);
  assert.ok(performance.now() - t0 < 500);
  assert.equal(index.length, [...big].length);
});
