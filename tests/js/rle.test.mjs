import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  compressCounts,
  decodeRle,
  decompressCounts,
  encodeRle,
  maskToRuns,
  paintRuns,
  polygonRuns,
  polygonToRle,
  rleArea,
  rleRuns,
  runsToMask,
} from '../../src/labelwright/web/static/js/lib/rle.js';
import { rasterizePolygon } from '../../src/labelwright/web/static/js/lib/geometry.js';

// Golden strings made by pycocotools.mask.encode on the same masks.
const SMALL = [
  [1, 0, 0, 0, 0],
  [0, 1, 1, 1, 0],
  [0, 1, 1, 1, 0],
  [0, 0, 0, 0, 0],
];
const FIRST_SET = [
  [1, 1, 1, 1, 1, 1, 1],
  [0, 0, 0, 0, 0, 0, 0],
  [0, 0, 0, 1, 0, 0, 0],
  [0, 0, 0, 1, 0, 0, 0],
  [0, 0, 0, 0, 0, 0, 0],
  [0, 0, 0, 0, 0, 0, 1],
];

function rowMajor(rows) {
  return Uint8Array.from(rows.flat());
}

test('encode matches pycocotools on a small mask (column-major runs)', () => {
  const mask = rowMajor(SMALL);
  assert.deepEqual(maskToRuns(mask, 5, 4), [0, 1, 4, 2, 2, 2, 2, 2, 5]);
  assert.deepEqual(encodeRle(mask, 5, 4), { size: [4, 5], counts: '0141N0003' });
});

test('a mask whose first pixel is set starts with a zero run; negative differences encode', () => {
  const rle = encodeRle(rowMajor(FIRST_SET), 7, 6);
  assert.equal(rle.counts, '01500000L11O3000O0');
  assert.deepEqual(decodeRle(rle).mask, rowMajor(FIRST_SET));
});

test('a large rectangle matches pycocotools, with long runs and zero differences', () => {
  const w = 400;
  const h = 300;
  const mask = new Uint8Array(w * h);
  for (let y = 50; y < 250; y++) for (let x = 20; x < 380; x++) mask[y * w + x] = 1;
  const rle = encodeRle(mask, w, h);
  assert.equal(rle.counts, `Rm5X6T3${'0'.repeat(717)}ni5`);
  assert.equal(rleArea(rle), 200 * 360);
  assert.deepEqual(decodeRle(rle).mask, mask);
});

test('decode accepts list counts and string counts alike', () => {
  const list = { size: [4, 5], counts: [0, 1, 4, 2, 2, 2, 2, 2, 5] };
  const text = { size: [4, 5], counts: '0141N0003' };
  assert.deepEqual(decodeRle(list).mask, rowMajor(SMALL));
  assert.deepEqual(decodeRle(text).mask, rowMajor(SMALL));
  assert.equal(rleArea(list), 7);
});

test('compress and decompress round-trip arbitrary runs, including huge counts', () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let n = 0; n < 50; n++) {
    const runs = Array.from({ length: 1 + Math.floor(rand() * 30) }, () => Math.floor(rand() * 5000));
    assert.deepEqual(decompressCounts(compressCounts(runs)), runs);
  }
  const huge = [0, 48_000_000, 3, 2 ** 33];
  assert.deepEqual(decompressCounts(compressCounts(huge)), huge);
});

test('random masks round-trip through runs and RLE', () => {
  let seed = 11;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (const [w, h] of [[1, 1], [3, 8], [17, 5], [64, 33]]) {
    const mask = Uint8Array.from({ length: w * h }, () => (rand() < 0.4 ? 1 : 0));
    assert.deepEqual(runsToMask(maskToRuns(mask, w, h), w, h), mask);
    assert.deepEqual(decodeRle(encodeRle(mask, w, h)).mask, mask);
  }
});

test('malformed RLE is refused like the server does', () => {
  assert.throws(() => rleRuns({ size: [2, 2], counts: [1, 2] }), /add up to 3 pixels but size 2x2 has 4/);
  assert.throws(() => rleRuns({ size: [2, 2], counts: [5, -1] }), /negative/);
  assert.throws(() => decompressCounts('0\x7f'), /invalid character/);
  assert.throws(() => decompressCounts('h'), /ends in the middle/);
});

test('an empty mask is one run of zeros', () => {
  const rle = encodeRle(new Uint8Array(12), 4, 3);
  assert.deepEqual(rleRuns(rle), [12]);
  assert.equal(rleArea(rle), 0);
});

// ---------------------------------------------------------------- polygons (pycocotools' frPoly)

test('a fractional quad fills exactly as pycocotools.mask.frPyObjects does', () => {
  // golden: frPyObjects([[3.3, 4.7, 41.25, 2.1, 44.8, 30.05, 7.6, 27.4]], 48, 64)[0]['counts']
  const rle = polygonToRle([[3.3, 4.7], [41.25, 2.1], [44.8, 30.05], [7.6, 27.4]], 64, 48);
  assert.deepEqual(rle.size, [48, 64]);
  assert.equal(rle.counts, 'U66Z15K5K6I101O00000000000000000000000O101O0000000000000000000000000O101O0002N8H8H8Hdk0');
  assert.equal(rleArea(rle), 946);
});

test('an axis-parallel polygon on whole pixels covers the pixels whose centres it contains', () => {
  const points = [[2, 3], [12, 3], [12, 8], [2, 8]];
  const mask = paintRuns(new Uint8Array(16 * 10), polygonRuns(points, 16, 10), 16, 10);
  assert.deepEqual(mask, rasterizePolygon(points, 16, 10));
  assert.equal(mask.reduce((n, v) => n + v, 0), 10 * 5);
});

test('polygon runs always cover the image, also for shapes past its border', () => {
  for (const points of [
    [[-5, -5], [50, -5], [50, 50], [-5, 50]],
    [[0, 0], [7, 0], [0, 5]],
    [[3, 3], [3, 3], [3, 3]],
  ]) {
    const runs = polygonRuns(points, 7, 5);
    assert.equal(runs.reduce((a, b) => a + b, 0), 35);
    assert.ok(runs.every((r) => r >= 0));
  }
  assert.deepEqual(polygonRuns([[-5, -5], [50, -5], [50, 50], [-5, 50]], 7, 5), [0, 35]);
  assert.deepEqual(polygonRuns([[3, 3], [3, 3], [3, 3]], 7, 5), [35]);
});

test('paintRuns paints or erases into an existing mask', () => {
  const mask = new Uint8Array(4 * 3).fill(1);
  paintRuns(mask, [1, 2, 9], 4, 3, 0); // column 0, rows 1 and 2
  assert.deepEqual([...mask], [1, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1]);
});
