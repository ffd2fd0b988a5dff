import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  actualSizeView,
  boundsIntersect,
  boxBounds,
  boxCorners,
  boxFromCorners,
  boxHandles,
  deleteVertex,
  fitView,
  hitBox,
  hitHandle,
  hitVertex,
  insertVertex,
  isBoxInside,
  isSelfIntersecting,
  makeGridIndex,
  maskArea,
  moveBox,
  movePolygon,
  nearestEdge,
  paintStroke,
  pointInBox,
  pointInPolygon,
  polygonArea,
  rasterizePolygon,
  resizeBox,
  rotationTowards,
  selfIntersections,
  snapBoxInside,
  toImage,
  toScreen,
  zoomAt,
} from '../../src/labelwright/web/static/js/lib/geometry.js';

const close = (a, b, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);
const closePoint = (p, q, eps = 1e-9) => {
  close(p[0], q[0], eps);
  close(p[1], q[1], eps);
};

test('screen and image coordinates are inverse under any zoom and pan', () => {
  const view = { scale: 2.5, tx: -40, ty: 13 };
  closePoint(toScreen(view, 10, 20), [-15, 63]);
  closePoint(toImage(view, ...toScreen(view, 123.25, 7.5)), [123.25, 7.5]);
});

test('zooming at a point keeps the image point under it', () => {
  let view = { scale: 1, tx: 0, ty: 0 };
  const before = toImage(view, 300, 200);
  view = zoomAt(view, 1.25, 300, 200);
  view = zoomAt(view, 3, 300, 200);
  close(view.scale, 3.75);
  closePoint(toImage(view, 300, 200), before);
  // clamped at the extremes
  assert.equal(zoomAt(view, 1e9, 0, 0).scale, 64);
});

test('fit centres the whole image; 1:1 keeps the centre and lands on whole pixels', () => {
  const fit = fitView(8000, 6000, 1000, 800, { pad: 0 });
  close(fit.scale, 0.125);
  close(fit.tx, 0);
  close(fit.ty, 25);
  const one = actualSizeView(fit, 1000, 800);
  assert.equal(one.scale, 1);
  assert.ok(Number.isInteger(one.tx) && Number.isInteger(one.ty));
  closePoint(toImage(one, 500, 400), [4000, 3000], 1);
});

test('point-in-box works for rotated boxes', () => {
  const box = { x: 0, y: 40, w: 100, h: 20 }; // centre (50, 50)
  assert.ok(pointInBox(box, 90, 50));
  assert.ok(!pointInBox(box, 50, 80));
  const turned = { ...box, rotation: 90 };
  assert.ok(pointInBox(turned, 50, 90));
  assert.ok(!pointInBox(turned, 90, 50));
  assert.ok(pointInBox(turned, 62, 50, 3)); // within the tolerance
});

test('rotated corners turn clockwise (y down) like the server validator', () => {
  const corners = boxCorners({ x: 0, y: 0, w: 20, h: 10, rotation: 90 });
  // top-left of the unrotated box ends up at the top-right after a clockwise quarter turn
  closePoint(corners[0], [15, -5]);
  closePoint(corners[1], [15, 15]);
  assert.ok(!isBoxInside({ x: 0, y: 0, w: 20, h: 10, rotation: 90 }, 100, 100));
  assert.ok(isBoxInside({ x: 10, y: 10, w: 20, h: 10, rotation: 90 }, 100, 100));
});

test('hit testing picks the topmost box and skips hidden ones', () => {
  const boxes = [
    { x: 0, y: 0, w: 50, h: 50 },
    { x: 25, y: 25, w: 50, h: 50 },
  ];
  assert.equal(hitBox(boxes, 30, 30), 1);
  assert.equal(hitBox(boxes, 10, 10), 0);
  assert.equal(hitBox(boxes, 90, 90), -1);
  assert.equal(hitBox(boxes, 30, 30, { skip: (_, i) => i === 1 }), 0);
});

test('resize handles sit on corners and edge midpoints, and the rotate handle above the top', () => {
  const box = { x: 10, y: 20, w: 40, h: 30 };
  const hs = boxHandles(box, { rotateOffset: 5 });
  closePoint(hs.nw, [10, 20]);
  closePoint(hs.se, [50, 50]);
  closePoint(hs.e, [50, 35]);
  closePoint(hs.rotate, [30, 15]);
  assert.equal(hitHandle(box, 49, 49, 3), 'se');
  assert.equal(hitHandle(box, 30, 21, 3), 'n');
  assert.equal(hitHandle(box, 30, 35, 3), null);
  assert.equal(hitHandle(box, 30, 15.5, 3, { rotateOffset: 5 }), 'rotate');
});

test('resizing keeps the opposite handle fixed and flips past it', () => {
  const box = { x: 10, y: 20, w: 40, h: 30 };
  assert.deepEqual(resizeBox(box, 'se', 70, 60), { x: 10, y: 20, w: 60, h: 40 });
  assert.deepEqual(resizeBox(box, 'n', 0, 10), { x: 10, y: 10, w: 40, h: 40 });
  assert.deepEqual(resizeBox(box, 'e', 0, 0), { x: 0, y: 20, w: 10, h: 30 }); // flipped
  const tiny = resizeBox(box, 'w', 50, 0, { minSize: 2 });
  close(tiny.w, 2);
});

test('resizing a rotated box moves along its sides and keeps the anchor corner in place', () => {
  const box = { x: 0, y: 40, w: 100, h: 20, rotation: 30 };
  const anchor = boxCorners(box)[0]; // nw stays when dragging se
  const se = boxCorners(box)[2];
  const out = resizeBox(box, 'se', se[0] + 10, se[1] + 5);
  closePoint(boxCorners(out)[0], anchor, 1e-9);
  assert.equal(out.rotation, 30);
  // dragging the east handle outward along the box axis only changes the width
  const e = boxHandles(box).e;
  const r = (30 * Math.PI) / 180;
  const wider = resizeBox(box, 'e', e[0] + 10 * Math.cos(r), e[1] + 10 * Math.sin(r));
  close(wider.w, 110);
  close(wider.h, 20);
});

test('rotation handle angle: up is 0, right is 90, snapped to steps', () => {
  const box = { x: 0, y: 0, w: 20, h: 20 };
  close(rotationTowards(box, 10, -50), 0);
  close(rotationTowards(box, 60, 10), 90);
  close(rotationTowards(box, -40, 10), -90);
  close(rotationTowards(box, 60, 12, { step: 15 }), 90);
});

test('moving and drawing snap to the image bounds', () => {
  assert.deepEqual(boxFromCorners([-5, 10], [30, 120], 100, 100), { x: 0, y: 10, w: 30, h: 90 });
  assert.deepEqual(moveBox({ x: 10, y: 10, w: 30, h: 30 }, 100, -50, 100, 80), { x: 70, y: 0, w: 30, h: 30 });
  const snapped = snapBoxInside({ x: 90, y: -5, w: 20, h: 20 }, 100, 100);
  assert.deepEqual(snapped, { x: 90, y: 0, w: 10, h: 15 });
  const rotated = snapBoxInside({ x: 85, y: 40, w: 30, h: 10, rotation: 45 }, 100, 100);
  assert.ok(isBoxInside(rotated, 100, 100));
  close(rotated.w, 30);
});

test('point in polygon (even-odd) and area', () => {
  const square = [[0, 0], [10, 0], [10, 10], [0, 10]];
  assert.ok(pointInPolygon(square, 5, 5));
  assert.ok(!pointInPolygon(square, 15, 5));
  const u = [[0, 0], [30, 0], [30, 30], [20, 30], [20, 10], [10, 10], [10, 30], [0, 30]];
  assert.ok(!pointInPolygon(u, 15, 20));
  assert.ok(pointInPolygon(u, 5, 20));
  close(Math.abs(polygonArea(square)), 100);
});

test('insert, delete and move vertices; nearest edge for insertion', () => {
  const tri = [[0, 0], [10, 0], [0, 10]];
  const edge = nearestEdge(tri, 5, -1);
  assert.equal(edge.index, 1);
  closePoint(edge.point, [5, 0]);
  const quad = insertVertex(tri, edge.index, edge.point);
  assert.deepEqual(quad, [[0, 0], [5, 0], [10, 0], [0, 10]]);
  assert.deepEqual(deleteVertex(quad, 1), tri);
  assert.equal(deleteVertex(tri, 0), tri); // never below three
  assert.equal(hitVertex(quad, 9, 1, 2), 2);
  assert.equal(hitVertex(quad, 50, 50, 2), -1);
  assert.deepEqual(movePolygon(tri, -5, 200, 100, 50), [[0, 40], [10, 40], [0, 50]]);
});

test('self-intersection: a bow-tie crosses itself, a square and a concave shape do not', () => {
  const bowtie = [[0, 0], [10, 10], [10, 0], [0, 10]];
  assert.ok(isSelfIntersecting(bowtie));
  assert.deepEqual(selfIntersections(bowtie), [[0, 2]]);
  assert.ok(!isSelfIntersecting([[0, 0], [10, 0], [10, 10], [0, 10]]));
  assert.ok(!isSelfIntersecting([[0, 0], [30, 0], [30, 30], [20, 30], [20, 10], [10, 10], [10, 30], [0, 30]]));
  // a vertex touching another edge counts
  assert.ok(isSelfIntersecting([[0, 0], [10, 0], [5, 0], [5, 5]]));
});

test('polygon rasterization samples pixel centres', () => {
  const w = 20;
  const h = 10;
  const rect = rasterizePolygon([[2, 3], [12, 3], [12, 8], [2, 8]], w, h);
  assert.equal(maskArea(rect), 10 * 5);
  assert.equal(rect[3 * w + 2], 1);
  assert.equal(rect[3 * w + 12], 0);
  assert.equal(rect[2 * w + 5], 0);
  // a triangle: half of a 10x10 square, diagonal pixels counted by their centres
  const tri = rasterizePolygon([[0, 0], [10, 0], [0, 10]], 10, 10);
  assert.equal(maskArea(tri), 45);
  // outside parts are clipped
  assert.equal(maskArea(rasterizePolygon([[-5, -5], [50, -5], [50, 50], [-5, 50]], 4, 3)), 12);
});

test('brush strokes paint a capsule of pixel centres; the eraser clears it', () => {
  const w = 30;
  const h = 20;
  const mask = new Uint8Array(w * h);
  const dot = paintStroke(mask, w, h, [10, 10], [10, 10], 2);
  assert.deepEqual(dot, { x0: 7, y0: 7, x1: 12, y1: 12 });
  assert.equal(maskArea(mask), 12); // centres within 2 of (10, 10)
  mask.fill(0);
  paintStroke(mask, w, h, [5.5, 10.5], [15.5, 10.5], 1);
  assert.equal(maskArea(mask), 3 * 11 + 2); // a 3-row band of 11 plus both round caps
  paintStroke(mask, w, h, [0, 0], [30, 20], 100, 0);
  assert.equal(maskArea(mask), 0);
  assert.equal(paintStroke(mask, w, h, [-50, -50], [-40, -40], 2), null);
});

// ---------------------------------------------------------------- spatial index

test('the grid index finds the same regions as testing every one, topmost first', () => {
  // a seeded scatter of 2,000 boxes (some rotated) and a few huge ones
  let seed = 7;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const boxes = [];
  for (let i = 0; i < 2000; i++) {
    const w = 5 + rand() * 60;
    const h = 5 + rand() * 60;
    boxes.push({ x: rand() * 1900, y: rand() * 1060, w, h, rotation: i % 7 === 0 ? rand() * 90 : 0 });
  }
  boxes.push({ x: 0, y: 0, w: 1920, h: 1080 }, { x: 400, y: 300, w: 900, h: 500, rotation: 30 });
  const index = makeGridIndex(boxes.map(boxBounds));
  for (let k = 0; k < 300; k++) {
    const x = rand() * 1960 - 20;
    const y = rand() * 1120 - 20;
    const pad = k % 3 === 0 ? 4 : 0;
    const want = boxes.map((b, i) => i).filter((i) => pointInBox(boxes[i], x, y, pad)).reverse();
    const got = index.at(x, y, 1.5 * pad).filter((i) => pointInBox(boxes[i], x, y, pad));
    assert.deepEqual(got, want);
  }
});

test('grid index candidates: bounds grown by the pad, unknown bounds always, rect queries', () => {
  const index = makeGridIndex([{ x0: 0, y0: 0, x1: 10, y1: 10 }, { x0: 5, y0: 5, x1: 20, y1: 20 }, null, { x0: 100, y0: 100, x1: 110, y1: 110 }], { cellSize: 8 });
  assert.deepEqual(index.at(6, 6), [2, 1, 0]);
  assert.deepEqual(index.at(15, 15), [2, 1]);
  assert.deepEqual(index.at(111, 111), [2]);
  assert.deepEqual(index.at(111, 111, 2), [3, 2]);
  assert.deepEqual(index.at(-50, -50), [2]);
  assert.deepEqual(index.within({ x0: 9, y0: 9, x1: 101, y1: 101 }), [0, 1, 2, 3]);
  assert.deepEqual(index.within({ x0: 30, y0: 30, x1: 90, y1: 90 }), [2]);
  assert.deepEqual(makeGridIndex([]).at(1, 1), []);
});

test('boundsIntersect counts touching edges', () => {
  assert.ok(boundsIntersect({ x0: 0, y0: 0, x1: 5, y1: 5 }, { x0: 5, y0: 5, x1: 9, y1: 9 }));
  assert.ok(!boundsIntersect({ x0: 0, y0: 0, x1: 5, y1: 5 }, { x0: 5.1, y0: 0, x1: 9, y1: 9 }));
});
