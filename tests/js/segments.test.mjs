import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSegments, nextRegionId, overlapsAny } from '../../src/labelwright/web/static/js/lib/segments.js';

test('segments cover the text and list covering spans, outermost first', () => {
  const spans = [
    { start: 2, end: 8, label: 'ORG' },
    { start: 4, end: 6, label: 'PER' },
  ];
  const segs = buildSegments(10, spans);
  assert.deepEqual(
    segs.map((s) => [s.start, s.end, s.spans]),
    [
      [0, 2, []],
      [2, 4, [0]],
      [4, 6, [0, 1]],
      [6, 8, [0]],
      [8, 10, []],
    ],
  );
});

test('no spans gives one segment; empty text gives none', () => {
  assert.deepEqual(buildSegments(5, []), [{ start: 0, end: 5, spans: [] }]);
  assert.deepEqual(buildSegments(0, []), []);
});

test('overlap and region ids', () => {
  const spans = [{ id: 's1', start: 0, end: 3, label: 'A' }, { id: 's3', start: 5, end: 6, label: 'A' }];
  assert.equal(overlapsAny(spans, 2, 4), true);
  assert.equal(overlapsAny(spans, 3, 5), false);
  assert.equal(nextRegionId(spans, 's'), 's2');
});

test('1,000 spans over 100,000 characters segment fast', () => {
  const spans = Array.from({ length: 1000 }, (_, i) => ({ start: i * 100, end: i * 100 + 10, label: 'X' }));
  const t0 = performance.now();
  const segs = buildSegments(100000, spans);
  assert.ok(performance.now() - t0 < 200);
  assert.equal(segs.length, 2000);
});
