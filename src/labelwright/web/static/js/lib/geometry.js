// Pure 2-D geometry of the image tools: view transforms, boxes (rotated too), polygons, rasters.
//
// Every coordinate here is in source pixels of the image unless a name says "screen". A view is
// {scale, tx, ty}: screen = image * scale + t. A box is {x, y, w, h, rotation?}, turned
// clockwise by `rotation` degrees about its centre (y points down, as in CVAT and the server's
// validator). Raster masks are row-major Uint8Arrays of width * height, 1 for foreground; a pixel
// (i, j) belongs to a shape when its centre (i + 0.5, j + 0.5) does.

/** @typedef {{scale: number, tx: number, ty: number}} View */
/** @typedef {{x: number, y: number, w: number, h: number, rotation?: number}} Box */
/** @typedef {[number, number]} Point */

export const MIN_SCALE = 1 / 64;
export const MAX_SCALE = 64;

// ---------------------------------------------------------------- view transforms

/**
 * Screen position of an image point.
 * @param {View} view
 * @param {number} x
 * @param {number} y
 * @returns {Point}
 */
export function toScreen(view, x, y) {
  return [x * view.scale + view.tx, y * view.scale + view.ty];
}

/**
 * Image position of a screen point (relative to the viewport's top-left corner).
 * @param {View} view
 * @param {number} sx
 * @param {number} sy
 * @returns {Point}
 */
export function toImage(view, sx, sy) {
  return [(sx - view.tx) / view.scale, (sy - view.ty) / view.scale];
}

/**
 * The view that shows the whole image centred in the viewport, with `pad` screen pixels around.
 * @param {number} width image width
 * @param {number} height image height
 * @param {number} vw viewport width
 * @param {number} vh viewport height
 * @param {{pad?: number, maxScale?: number}} [options]
 * @returns {View}
 */
export function fitView(width, height, vw, vh, { pad = 8, maxScale = MAX_SCALE } = {}) {
  const scale = clampScale(Math.min((vw - 2 * pad) / width, (vh - 2 * pad) / height, maxScale));
  return { scale, tx: (vw - width * scale) / 2, ty: (vh - height * scale) / 2 };
}

/**
 * The 1:1 view (one image pixel per screen pixel) centred on the image point now at the
 * viewport's centre; the offsets are whole pixels so image pixels land on screen pixels.
 * @param {View} view
 * @param {number} vw
 * @param {number} vh
 * @returns {View}
 */
export function actualSizeView(view, vw, vh) {
  const [cx, cy] = toImage(view, vw / 2, vh / 2);
  return { scale: 1, tx: Math.round(vw / 2 - cx), ty: Math.round(vh / 2 - cy) };
}

/**
 * @param {number} scale
 * @returns {number} the scale within [MIN_SCALE, MAX_SCALE]
 */
export function clampScale(scale) {
  return Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));
}

/**
 * Zoom by `factor` keeping the image point under the screen point (sx, sy) in place.
 * @param {View} view
 * @param {number} factor
 * @param {number} sx
 * @param {number} sy
 * @returns {View}
 */
export function zoomAt(view, factor, sx, sy) {
  const scale = clampScale(view.scale * factor);
  const k = scale / view.scale;
  return { scale, tx: sx - (sx - view.tx) * k, ty: sy - (sy - view.ty) * k };
}

/**
 * @param {View} view
 * @param {number} dx screen pixels
 * @param {number} dy screen pixels
 * @returns {View}
 */
export function panBy(view, dx, dy) {
  return { scale: view.scale, tx: view.tx + dx, ty: view.ty + dy };
}

// ---------------------------------------------------------------- numbers and points

/**
 * Round to `digits` decimals (stored coordinates stay short and stable).
 * @param {number} v
 * @param {number} [digits]
 */
export function round(v, digits = 2) {
  const f = 10 ** digits;
  return Math.round(v * f) / f || 0; // no -0
}

/**
 * @param {number} x
 * @param {number} y
 * @param {number} width
 * @param {number} height
 * @returns {Point} the point moved into [0, width] x [0, height]
 */
export function clampPoint(x, y, width, height) {
  return [Math.min(width, Math.max(0, x)), Math.min(height, Math.max(0, y))];
}

/**
 * Distance from (px, py) to the segment a-b, and the nearest point on it.
 * @param {number} px
 * @param {number} py
 * @param {Point} a
 * @param {Point} b
 * @returns {{dist: number, point: Point, t: number}}
 */
export function segmentDistance(px, py, a, b) {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const t = len2 ? Math.min(1, Math.max(0, ((px - a[0]) * dx + (py - a[1]) * dy) / len2)) : 0;
  const point = /** @type {Point} */ ([a[0] + t * dx, a[1] + t * dy]);
  return { dist: Math.hypot(px - point[0], py - point[1]), point, t };
}

// ---------------------------------------------------------------- boxes

/**
 * The centre of a box.
 * @param {Box} box
 * @returns {Point}
 */
export function boxCenter(box) {
  return [box.x + box.w / 2, box.y + box.h / 2];
}

/**
 * Rotate (dx, dy) clockwise by `degrees` (y down).
 * @returns {Point}
 */
function turn(dx, dy, degrees) {
  if (!degrees) return [dx, dy];
  const r = (degrees * Math.PI) / 180;
  const c = Math.cos(r);
  const s = Math.sin(r);
  return [dx * c - dy * s, dx * s + dy * c];
}

/**
 * The image position of a point given in the box's own frame (0..w, 0..h from its top-left).
 * @param {Box} box
 * @param {number} u
 * @param {number} v
 * @returns {Point}
 */
export function boxToImage(box, u, v) {
  const [cx, cy] = boxCenter(box);
  const [dx, dy] = turn(u - box.w / 2, v - box.h / 2, box.rotation || 0);
  return [cx + dx, cy + dy];
}

/**
 * The box-frame position (0..w, 0..h) of an image point.
 * @param {Box} box
 * @param {number} x
 * @param {number} y
 * @returns {Point}
 */
export function imageToBox(box, x, y) {
  const [cx, cy] = boxCenter(box);
  const [dx, dy] = turn(x - cx, y - cy, -(box.rotation || 0));
  return [dx + box.w / 2, dy + box.h / 2];
}

/**
 * The four corners of a box in image coordinates: top-left, top-right, bottom-right,
 * bottom-left of the unrotated box, turned.
 * @param {Box} box
 * @returns {Point[]}
 */
export function boxCorners(box) {
  return [
    boxToImage(box, 0, 0),
    boxToImage(box, box.w, 0),
    boxToImage(box, box.w, box.h),
    boxToImage(box, 0, box.h),
  ];
}

/**
 * Axis-aligned bounds of a (possibly rotated) box.
 * @param {Box} box
 * @returns {{x0: number, y0: number, x1: number, y1: number}}
 */
export function boxBounds(box) {
  const pts = box.rotation ? boxCorners(box) : [[box.x, box.y], [box.x + box.w, box.y + box.h]];
  return bounds(pts);
}

/**
 * @param {Point[]} points
 * @returns {{x0: number, y0: number, x1: number, y1: number}}
 */
export function bounds(points) {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const [x, y] of points) {
    if (x < x0) x0 = x;
    if (y < y0) y0 = y;
    if (x > x1) x1 = x;
    if (y > y1) y1 = y;
  }
  return { x0, y0, x1, y1 };
}

/**
 * Whether the image point lies inside the box (or within `tolerance` of it).
 * @param {Box} box
 * @param {number} x
 * @param {number} y
 * @param {number} [tolerance]
 */
export function pointInBox(box, x, y, tolerance = 0) {
  const [u, v] = box.rotation ? imageToBox(box, x, y) : [x - box.x, y - box.y];
  return u >= -tolerance && v >= -tolerance && u <= box.w + tolerance && v <= box.h + tolerance;
}

/** Handle names and their position in the box frame, as fractions of (w, h). */
export const BOX_HANDLES = Object.freeze({
  nw: [0, 0],
  n: [0.5, 0],
  ne: [1, 0],
  e: [1, 0.5],
  se: [1, 1],
  s: [0.5, 1],
  sw: [0, 1],
  w: [0, 0.5],
});

/**
 * Image positions of a box's resize handles, plus `rotate` (above the top edge, `rotateOffset`
 * image units out) when asked for.
 * @param {Box} box
 * @param {{rotateOffset?: number | null}} [options]
 * @returns {Record<string, Point>}
 */
export function boxHandles(box, { rotateOffset = null } = {}) {
  /** @type {Record<string, Point>} */
  const out = {};
  for (const [name, [fu, fv]] of Object.entries(BOX_HANDLES)) {
    out[name] = boxToImage(box, fu * box.w, fv * box.h);
  }
  if (rotateOffset !== null) out.rotate = boxToImage(box, box.w / 2, -rotateOffset);
  return out;
}

/**
 * The handle of a box under an image point, or null.
 * @param {Box} box
 * @param {number} x
 * @param {number} y
 * @param {number} radius hit radius in image units
 * @param {{rotateOffset?: number | null}} [options]
 * @returns {string | null}
 */
export function hitHandle(box, x, y, radius, options = {}) {
  let best = null;
  let bestDist = radius;
  for (const [name, [hx, hy]] of Object.entries(boxHandles(box, options))) {
    const d = Math.hypot(x - hx, y - hy);
    if (d <= bestDist) {
      best = name;
      bestDist = d;
    }
  }
  return best;
}

/**
 * The topmost (last) box containing the image point; returns its index or -1.
 * @param {Box[]} boxes
 * @param {number} x
 * @param {number} y
 * @param {{tolerance?: number, skip?: (box: Box, index: number) => boolean}} [options]
 */
export function hitBox(boxes, x, y, { tolerance = 0, skip } = {}) {
  for (let i = boxes.length - 1; i >= 0; i--) {
    const b = boxes[i];
    if (skip && skip(b, i)) continue;
    if (pointInBox(b, x, y, tolerance)) return i;
  }
  return -1;
}

/**
 * A box from two opposite corners dragged on screen, clamped to the image.
 * @param {Point} a
 * @param {Point} b
 * @param {number} width
 * @param {number} height
 * @returns {Box}
 */
export function boxFromCorners(a, b, width, height) {
  const [ax, ay] = clampPoint(a[0], a[1], width, height);
  const [bx, by] = clampPoint(b[0], b[1], width, height);
  return { x: Math.min(ax, bx), y: Math.min(ay, by), w: Math.abs(bx - ax), h: Math.abs(by - ay) };
}

/**
 * The box moved by (dx, dy), kept inside the image (rotated boxes by their corners).
 * @template {Box} B
 * @param {B} box
 * @param {number} dx
 * @param {number} dy
 * @param {number} width
 * @param {number} height
 * @returns {B}
 */
export function moveBox(box, dx, dy, width, height) {
  const b = boxBounds(box);
  const mx = Math.min(Math.max(dx, -b.x0), width - b.x1);
  const my = Math.min(Math.max(dy, -b.y0), height - b.y1);
  return { ...box, x: box.x + (b.x1 - b.x0 > width ? dx : mx), y: box.y + (b.y1 - b.y0 > height ? dy : my) };
}

/**
 * Resize a box by dragging one handle to an image point; the opposite handle stays put. Works
 * in the box's own frame, so rotated boxes resize along their sides. Dragging past the opposite
 * side flips the box; sides never get smaller than `minSize`.
 * @template {Box} B
 * @param {B} box
 * @param {string} handle one of BOX_HANDLES
 * @param {number} x
 * @param {number} y
 * @param {{minSize?: number}} [options]
 * @returns {B}
 */
export function resizeBox(box, handle, x, y, { minSize = 1 } = {}) {
  const [fu, fv] = BOX_HANDLES[handle];
  const [u, v] = imageToBox(box, x, y);
  // the new extent in the box frame: the dragged side(s) follow the pointer
  let u0 = 0;
  let u1 = box.w;
  let v0 = 0;
  let v1 = box.h;
  if (fu === 0) u0 = u;
  if (fu === 1) u1 = u;
  if (fv === 0) v0 = v;
  if (fv === 1) v1 = v;
  if (Math.abs(u1 - u0) < minSize) u1 = u0 + (u1 >= u0 ? minSize : -minSize);
  if (Math.abs(v1 - v0) < minSize) v1 = v0 + (v1 >= v0 ? minSize : -minSize);
  const lu = Math.min(u0, u1);
  const lv = Math.min(v0, v1);
  const w = Math.abs(u1 - u0);
  const h = Math.abs(v1 - v0);
  // the new centre, from the box frame back to the image
  const [cx, cy] = boxToImage(box, lu + w / 2, lv + h / 2);
  return { ...box, x: cx - w / 2, y: cy - h / 2, w, h };
}

/**
 * The rotation (degrees, in (-180, 180]) that points the box's top towards an image point.
 * @param {Box} box
 * @param {number} x
 * @param {number} y
 * @param {{step?: number}} [options] snap to multiples of `step` degrees
 */
export function rotationTowards(box, x, y, { step = 0 } = {}) {
  const [cx, cy] = boxCenter(box);
  let deg = (Math.atan2(x - cx, cy - y) * 180) / Math.PI;
  if (step) deg = Math.round(deg / step) * step;
  return normalizeAngle(deg);
}

/**
 * @param {number} deg
 * @returns {number} the same angle in (-180, 180]
 */
export function normalizeAngle(deg) {
  let d = deg % 360;
  if (d > 180) d -= 360;
  if (d <= -180) d += 360;
  return d || 0;
}

/**
 * The box moved (and if need be shrunk) so that all its corners lie inside the image.
 * @template {Box} B
 * @param {B} box
 * @param {number} width
 * @param {number} height
 * @returns {B}
 */
export function snapBoxInside(box, width, height) {
  let out = { ...box };
  if (!out.rotation) {
    const x0 = Math.max(0, out.x);
    const y0 = Math.max(0, out.y);
    const x1 = Math.min(width, out.x + out.w);
    const y1 = Math.min(height, out.y + out.h);
    return { ...out, x: x0, y: y0, w: Math.max(0, x1 - x0), h: Math.max(0, y1 - y0) };
  }
  let b = boxBounds(out);
  const k = Math.min(1, width / (b.x1 - b.x0), height / (b.y1 - b.y0));
  if (k < 1) {
    const [cx, cy] = boxCenter(out);
    out = { ...out, w: out.w * k, h: out.h * k, x: cx - (out.w * k) / 2, y: cy - (out.h * k) / 2 };
    b = boxBounds(out);
  }
  const dx = b.x0 < 0 ? -b.x0 : b.x1 > width ? width - b.x1 : 0;
  const dy = b.y0 < 0 ? -b.y0 : b.y1 > height ? height - b.y1 : 0;
  return { ...out, x: out.x + dx, y: out.y + dy };
}

/**
 * Whether all corners of the box lie in [0, width] x [0, height] (the server's rule).
 * @param {Box} box
 * @param {number} width
 * @param {number} height
 * @param {number} [eps]
 */
export function isBoxInside(box, width, height, eps = 1e-6) {
  const b = boxBounds(box);
  return b.x0 >= -eps && b.y0 >= -eps && b.x1 <= width + eps && b.y1 <= height + eps;
}

// ---------------------------------------------------------------- polygons

/**
 * Even-odd point-in-polygon test.
 * @param {Point[]} points
 * @param {number} x
 * @param {number} y
 */
export function pointInPolygon(points, x, y) {
  let inside = false;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const [xi, yi] = points[i];
    const [xj, yj] = points[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Signed area (positive when the points turn clockwise on screen, y down).
 * @param {Point[]} points
 */
export function polygonArea(points) {
  let a = 0;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    a += points[j][0] * points[i][1] - points[i][0] * points[j][1];
  }
  return a / 2;
}

/**
 * The polygon with `point` inserted before position `index`.
 * @param {Point[]} points
 * @param {number} index
 * @param {Point} point
 * @returns {Point[]}
 */
export function insertVertex(points, index, point) {
  return [...points.slice(0, index), point, ...points.slice(index)];
}

/**
 * The polygon without vertex `index`; unchanged when it would drop below `min` vertices.
 * @param {Point[]} points
 * @param {number} index
 * @param {{min?: number}} [options]
 * @returns {Point[]}
 */
export function deleteVertex(points, index, { min = 3 } = {}) {
  if (points.length <= min || index < 0 || index >= points.length) return points;
  return points.filter((_, i) => i !== index);
}

/**
 * The polygon with vertex `index` moved to `point`.
 * @param {Point[]} points
 * @param {number} index
 * @param {Point} point
 * @returns {Point[]}
 */
export function moveVertex(points, index, point) {
  return points.map((p, i) => (i === index ? point : p));
}

/**
 * The polygon translated by (dx, dy), kept inside the image.
 * @param {Point[]} points
 * @param {number} dx
 * @param {number} dy
 * @param {number} width
 * @param {number} height
 * @returns {Point[]}
 */
export function movePolygon(points, dx, dy, width, height) {
  const b = bounds(points);
  const mx = Math.min(Math.max(dx, -b.x0), width - b.x1);
  const my = Math.min(Math.max(dy, -b.y0), height - b.y1);
  return points.map(([x, y]) => [x + mx, y + my]);
}

/**
 * The vertex of a polygon within `radius` of an image point (nearest), or -1.
 * @param {Point[]} points
 * @param {number} x
 * @param {number} y
 * @param {number} radius
 */
export function hitVertex(points, x, y, radius) {
  let best = -1;
  let bestDist = radius;
  points.forEach(([px, py], i) => {
    const d = Math.hypot(x - px, y - py);
    if (d <= bestDist) {
      best = i;
      bestDist = d;
    }
  });
  return best;
}

/**
 * The edge of a closed polygon nearest to an image point: `index` is where a vertex inserted on
 * it goes (edge from vertex index-1 to index, wrapping), with the nearest point and distance.
 * @param {Point[]} points
 * @param {number} x
 * @param {number} y
 * @returns {{index: number, point: Point, dist: number}}
 */
export function nearestEdge(points, x, y) {
  let best = { index: -1, point: /** @type {Point} */ ([x, y]), dist: Infinity };
  for (let i = 0; i < points.length; i++) {
    const a = points[i];
    const b = points[(i + 1) % points.length];
    const { dist, point } = segmentDistance(x, y, a, b);
    if (dist < best.dist) best = { index: i + 1, point, dist };
  }
  return best;
}

/** Orientation of the triple (a, b, c): 1, -1 or 0 (collinear). */
function orient(a, b, c) {
  const v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
  return v > 1e-12 ? 1 : v < -1e-12 ? -1 : 0;
}

function onSegment(a, b, p) {
  return (
    Math.min(a[0], b[0]) - 1e-12 <= p[0] && p[0] <= Math.max(a[0], b[0]) + 1e-12 &&
    Math.min(a[1], b[1]) - 1e-12 <= p[1] && p[1] <= Math.max(a[1], b[1]) + 1e-12
  );
}

/**
 * Whether the closed segments a-b and c-d share a point.
 * @param {Point} a
 * @param {Point} b
 * @param {Point} c
 * @param {Point} d
 */
export function segmentsIntersect(a, b, c, d) {
  const o1 = orient(a, b, c);
  const o2 = orient(a, b, d);
  const o3 = orient(c, d, a);
  const o4 = orient(c, d, b);
  if (o1 !== o2 && o3 !== o4) return true;
  if (o1 === 0 && onSegment(a, b, c)) return true;
  if (o2 === 0 && onSegment(a, b, d)) return true;
  if (o3 === 0 && onSegment(c, d, a)) return true;
  if (o4 === 0 && onSegment(c, d, b)) return true;
  return false;
}

/**
 * Pairs of non-adjacent edges of a closed polygon that cross or touch: [[i, j], ...] where edge
 * k joins vertex k to vertex k+1. Empty for a simple polygon. O(n^2), fine for hand-drawn shapes.
 * @param {Point[]} points
 * @returns {[number, number][]}
 */
export function selfIntersections(points) {
  const n = points.length;
  /** @type {[number, number][]} */
  const out = [];
  if (n < 4) return out;
  for (let i = 0; i < n; i++) {
    for (let j = i + 2; j < n; j++) {
      if (i === 0 && j === n - 1) continue; // adjacent through the closing edge
      if (segmentsIntersect(points[i], points[(i + 1) % n], points[j], points[(j + 1) % n])) {
        out.push([i, j]);
      }
    }
  }
  return out;
}

/**
 * Whether a closed polygon crosses itself.
 * @param {Point[]} points
 */
export function isSelfIntersecting(points) {
  return selfIntersections(points).length > 0;
}

// ---------------------------------------------------------------- rasters (masks)

/**
 * Fill a polygon into a row-major mask: a pixel is inside when its centre is (even-odd rule).
 * @param {Point[]} points
 * @param {number} width
 * @param {number} height
 * @param {{into?: Uint8Array, value?: number}} [options] paint into an existing mask with value
 * @returns {Uint8Array}
 */
export function rasterizePolygon(points, width, height, { into, value = 1 } = {}) {
  const mask = into || new Uint8Array(width * height);
  if (points.length < 3) return mask;
  const b = bounds(points);
  const jStart = Math.max(0, Math.ceil(b.y0 - 0.5));
  const jEnd = Math.min(height - 1, Math.floor(b.y1 - 0.5));
  const xs = [];
  for (let j = jStart; j <= jEnd; j++) {
    const y = j + 0.5;
    xs.length = 0;
    for (let i = 0, k = points.length - 1; i < points.length; k = i++) {
      const [x0, y0] = points[k];
      const [x1, y1] = points[i];
      // half-open rule: an edge counts for y in [min, max)
      if (y0 <= y !== y1 <= y) xs.push(x0 + ((y - y0) * (x1 - x0)) / (y1 - y0));
    }
    xs.sort((p, q) => p - q);
    const row = j * width;
    for (let k = 0; k + 1 < xs.length; k += 2) {
      // pixel centres i + 0.5 in [xs[k], xs[k+1])
      const i0 = Math.max(0, Math.ceil(xs[k] - 0.5));
      const i1 = Math.min(width - 1, Math.ceil(xs[k + 1] - 0.5) - 1);
      for (let i = i0; i <= i1; i++) mask[row + i] = value;
    }
  }
  return mask;
}

/**
 * Paint a brush stroke (a capsule of radius r around the segment a-b) into a row-major mask.
 * A pixel is painted when its centre lies within r of the segment.
 * @param {Uint8Array} mask
 * @param {number} width
 * @param {number} height
 * @param {Point} a
 * @param {Point} b
 * @param {number} radius
 * @param {number} [value] 1 paints, 0 erases
 * @returns {{x0: number, y0: number, x1: number, y1: number} | null} the touched pixel range
 *   (inclusive), or null when the stroke misses the image
 */
export function paintStroke(mask, width, height, a, b, radius, value = 1) {
  const x0 = Math.max(0, Math.floor(Math.min(a[0], b[0]) - radius - 0.5));
  const y0 = Math.max(0, Math.floor(Math.min(a[1], b[1]) - radius - 0.5));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(a[0], b[0]) + radius - 0.5));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(a[1], b[1]) + radius - 0.5));
  if (x0 > x1 || y0 > y1) return null;
  const r2 = radius * radius;
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  for (let j = y0; j <= y1; j++) {
    const py = j + 0.5;
    const row = j * width;
    for (let i = x0; i <= x1; i++) {
      const px = i + 0.5;
      let t = len2 ? ((px - a[0]) * dx + (py - a[1]) * dy) / len2 : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = px - (a[0] + t * dx);
      const ey = py - (a[1] + t * dy);
      if (ex * ex + ey * ey <= r2) mask[row + i] = value;
    }
  }
  return { x0, y0, x1, y1 };
}

/**
 * Number of foreground pixels of a mask.
 * @param {Uint8Array} mask
 */
export function maskArea(mask) {
  let n = 0;
  for (let k = 0; k < mask.length; k++) if (mask[k]) n++;
  return n;
}

// ---------------------------------------------------------------- spatial index

/** @typedef {{x0: number, y0: number, x1: number, y1: number}} Bounds */

/**
 * Whether two bounds overlap (edges touching count).
 * @param {Bounds} a
 * @param {Bounds} b
 */
export function boundsIntersect(a, b) {
  return a.x0 <= b.x1 && b.x0 <= a.x1 && a.y0 <= b.y1 && b.y0 <= a.y1;
}

/**
 * A uniform grid over the bounds of many regions, so a click or a hover looks at the few regions
 * near the pointer instead of all of them. Items are identified by their index in `boxes`; a
 * null entry (unknown extent) is a candidate of every query. Items that would cover more than
 * `maxCells` cells go to a list that every query checks too.
 *
 * @param {(Bounds | null)[]} boxes
 * @param {{cellSize?: number, maxCells?: number}} [options] cellSize defaults to about twice the
 *   side of the area per item, so a cell holds a handful of items
 * @returns {{
 *   at: (x: number, y: number, pad?: number) => number[],
 *   within: (rect: Bounds) => number[],
 *   cellSize: number,
 * }} `at` gives the items whose bounds, grown by `pad`, contain the point, topmost (highest
 *   index) first; `within` the items whose bounds meet the rectangle, in index order
 */
export function makeGridIndex(boxes, { cellSize, maxCells = 256 } = {}) {
  const known = /** @type {Bounds[]} */ (boxes.filter(Boolean));
  const all = known.length ? bounds(known.flatMap((b) => [[b.x0, b.y0], [b.x1, b.y1]])) : { x0: 0, y0: 0, x1: 1, y1: 1 };
  const spanX = Math.max(1, all.x1 - all.x0);
  const spanY = Math.max(1, all.y1 - all.y0);
  const size = cellSize || Math.max(1, 2 * Math.sqrt((spanX * spanY) / Math.max(1, known.length)));
  const cols = Math.max(1, Math.ceil(spanX / size) + 1);
  const rows = Math.max(1, Math.ceil(spanY / size) + 1);
  /** @type {Map<number, number[]>} */
  const cells = new Map();
  /** @type {number[]} */
  const always = [];
  const colOf = (x) => Math.min(cols - 1, Math.max(0, Math.floor((x - all.x0) / size)));
  const rowOf = (y) => Math.min(rows - 1, Math.max(0, Math.floor((y - all.y0) / size)));
  boxes.forEach((b, i) => {
    if (!b) return void always.push(i);
    const c0 = colOf(b.x0);
    const c1 = colOf(b.x1);
    const r0 = rowOf(b.y0);
    const r1 = rowOf(b.y1);
    if ((c1 - c0 + 1) * (r1 - r0 + 1) > maxCells) return void always.push(i);
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        const key = r * cols + c;
        const list = cells.get(key);
        if (list) list.push(i);
        else cells.set(key, [i]);
      }
    }
  });
  /** Candidates of the cells meeting a rectangle, each once, in index order. */
  const collect = (x0, y0, x1, y1, keep) => {
    const seen = new Set();
    /** @type {number[]} */
    const out = [];
    const consider = (i) => {
      if (seen.has(i)) return;
      seen.add(i);
      if (keep(i)) out.push(i);
    };
    if (!(x1 < all.x0 || y1 < all.y0 || x0 > all.x1 || y0 > all.y1)) {
      const c0 = colOf(x0);
      const c1 = colOf(x1);
      const r0 = rowOf(y0);
      const r1 = rowOf(y1);
      for (let r = r0; r <= r1; r++) {
        for (let c = c0; c <= c1; c++) for (const i of cells.get(r * cols + c) || []) consider(i);
      }
    }
    for (const i of always) consider(i);
    return out.sort((a, b) => a - b);
  };
  return {
    cellSize: size,
    at(x, y, pad = 0) {
      const hit = (i) => {
        const b = boxes[i];
        return !b || (x >= b.x0 - pad && x <= b.x1 + pad && y >= b.y0 - pad && y <= b.y1 + pad);
      };
      return collect(x - pad, y - pad, x + pad, y + pad, hit).reverse();
    },
    within(rect) {
      return collect(rect.x0, rect.y0, rect.x1, rect.y1, (i) => !boxes[i] || boundsIntersect(/** @type {Bounds} */ (boxes[i]), rect));
    },
  };
}
