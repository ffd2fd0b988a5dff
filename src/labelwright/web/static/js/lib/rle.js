// COCO run-length encoding of binary masks, as pycocotools and the server's domain/rle.py do it.
//
// A mask of h rows and w columns is read in column-major order (down each column, left to
// right); `counts` are the lengths of alternating runs of 0s and 1s, starting with 0s (so the
// first count may be 0). Counts travel either as a list of ints or as COCO's compact string:
// each count (from the third on, as the difference to the count two places back) is written in
// 5-bit groups, low bits first, each group + 48 as one ASCII character; bit 0x20 means "more
// groups follow" and bit 0x10 of the last group is the sign. Masks in this module are row-major
// Uint8Arrays of width * height (the canvas order), 1 for foreground.

/** @typedef {{size: [number, number], counts: string | number[]}} Rle */

/**
 * Run lengths of a row-major mask read in column-major order.
 * @param {Uint8Array} mask
 * @param {number} width
 * @param {number} height
 * @returns {number[]}
 */
export function maskToRuns(mask, width, height) {
  const runs = [];
  let current = 0;
  let run = 0;
  for (let i = 0; i < width; i++) {
    for (let k = i; k < width * height; k += width) {
      const v = mask[k] ? 1 : 0;
      if (v !== current) {
        runs.push(run);
        run = 0;
        current = v;
      }
      run++;
    }
  }
  runs.push(run);
  return runs;
}

/**
 * A row-major mask from column-major run lengths.
 * @param {number[]} runs
 * @param {number} width
 * @param {number} height
 * @returns {Uint8Array}
 */
export function runsToMask(runs, width, height) {
  const mask = new Uint8Array(width * height);
  let p = 0; // column-major position
  for (let r = 0; r < runs.length; r++) {
    const end = p + runs[r];
    if (r % 2 === 1) {
      for (let q = p; q < end; q++) {
        const col = (q / height) | 0;
        mask[(q - col * height) * width + col] = 1;
      }
    }
    p = end;
  }
  return mask;
}

/**
 * COCO's compact string form of run lengths.
 * @param {number[]} runs
 * @returns {string}
 */
export function compressCounts(runs) {
  let out = '';
  for (let i = 0; i < runs.length; i++) {
    // JS numbers: use Math.floor division (not >>) so counts beyond 2^31 still work
    let x = i > 2 ? runs[i] - runs[i - 2] : runs[i];
    let more = true;
    while (more) {
      let c = ((x % 32) + 32) % 32; // x & 0x1f for negative x too
      x = Math.floor(x / 32); // arithmetic shift
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      out += String.fromCharCode(c + 48);
    }
  }
  return out;
}

/**
 * Run lengths from COCO's compact string.
 * @param {string} text
 * @returns {number[]}
 */
export function decompressCounts(text) {
  const runs = [];
  let p = 0;
  while (p < text.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      if (p >= text.length) throw new Error('RLE counts string ends in the middle of a number');
      const c = text.charCodeAt(p) - 48;
      if (c < 0 || c >= 64) throw new Error(`RLE counts string has an invalid character ${text[p]}`);
      x += (c & 0x1f) * 2 ** (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && c & 0x10) x -= 2 ** (5 * k); // sign-extend
    }
    if (runs.length > 2) x += runs[runs.length - 2];
    runs.push(x);
  }
  return runs;
}

/**
 * The run lengths of an RLE, whichever form its counts take; checks they cover h * w pixels.
 * @param {Rle} rle
 * @returns {number[]}
 */
export function rleRuns(rle) {
  const [h, w] = rle.size;
  const runs = typeof rle.counts === 'string' ? decompressCounts(rle.counts) : rle.counts.map(Number);
  let total = 0;
  for (const r of runs) {
    if (!(r >= 0)) throw new Error('RLE counts must not be negative');
    total += r;
  }
  if (total !== h * w) throw new Error(`RLE counts add up to ${total} pixels but size ${h}x${w} has ${h * w}`);
  return runs;
}

/**
 * Encode a row-major mask as a COCO RLE with compact string counts (what pycocotools'
 * `mask.encode` gives, as text).
 * @param {Uint8Array} mask
 * @param {number} width
 * @param {number} height
 * @returns {{size: [number, number], counts: string}}
 */
export function encodeRle(mask, width, height) {
  return { size: [height, width], counts: compressCounts(maskToRuns(mask, width, height)) };
}

/**
 * Decode a COCO RLE (string or list counts) into a row-major mask.
 * @param {Rle} rle
 * @returns {{mask: Uint8Array, width: number, height: number}}
 */
export function decodeRle(rle) {
  const [height, width] = rle.size;
  return { mask: runsToMask(rleRuns(rle), width, height), width, height };
}

/**
 * Foreground pixel count of an RLE, without building the mask.
 * @param {Rle} rle
 */
export function rleArea(rle) {
  const runs = rleRuns(rle);
  let n = 0;
  for (let i = 1; i < runs.length; i += 2) n += runs[i];
  return n;
}

/** C's (int) cast of a double: truncation toward zero; NaN becomes INT_MIN as on x86-64. */
function cInt(v) {
  return Number.isNaN(v) ? -2147483648 : Math.trunc(v);
}

/**
 * Column-major run lengths of a polygon filled by pycocotools' rule (`rleFrPoly` in maskApi.c,
 * what `pycocotools.mask.frPyObjects` does for a polygon), ported step by step with C's integer
 * truncation, so a polygon turned into a mask here equals the server's and COCO tooling's mask
 * bit for bit (tests/domain/test_polygon_mask_js.py checks it against pycocotools). The rule: the
 * vertices are rounded to a grid 5x finer than the pixels and the outline is walked on it; where
 * it crosses the centre line of a pixel column, the column toggles at the row the crossing rounds
 * up to (clamped to [0, height]); columns outside the image are skipped. For a polygon with whole
 * pixel corners and axis-parallel sides this is "the pixel centre lies inside"; along slanted
 * edges it differs from that rule by about a pixel.
 * @param {number[][]} points [[x, y], ...] in source pixels
 * @param {number} width
 * @param {number} height
 * @returns {number[]} COCO counts (first run of 0s, then alternating)
 */
export function polygonRuns(points, width, height) {
  const scale = 5;
  const k = points.length;
  const x = new Array(k + 1);
  const y = new Array(k + 1);
  for (let j = 0; j < k; j++) {
    x[j] = cInt(scale * points[j][0] + 0.5);
    y[j] = cInt(scale * points[j][1] + 0.5);
  }
  x[k] = x[0];
  y[k] = y[0];
  // upsample: discrete points densely along the whole boundary
  const u = [];
  const v = [];
  for (let j = 0; j < k; j++) {
    let xs = x[j];
    let xe = x[j + 1];
    let ys = y[j];
    let ye = y[j + 1];
    const dx = Math.abs(xe - xs);
    const dy = Math.abs(ys - ye);
    const flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
    if (flip) {
      [xs, xe] = [xe, xs];
      [ys, ye] = [ye, ys];
    }
    const s = dx >= dy ? (ye - ys) / dx : (xe - xs) / dy;
    if (dx >= dy) {
      for (let d = 0; d <= dx; d++) {
        const t = flip ? dx - d : d;
        u.push(t + xs);
        v.push(cInt(ys + s * t + 0.5));
      }
    } else {
      for (let d = 0; d <= dy; d++) {
        const t = flip ? dy - d : d;
        v.push(t + ys);
        u.push(cInt(xs + s * t + 0.5));
      }
    }
  }
  // points where the boundary crosses a column's centre line, downsampled to pixels
  const a = [];
  for (let j = 1; j < u.length; j++) {
    if (u[j] === u[j - 1]) continue;
    let xd = u[j] < u[j - 1] ? u[j] : u[j] - 1;
    xd = (xd + 0.5) / scale - 0.5;
    if (Math.floor(xd) !== xd || xd < 0 || xd > width - 1) continue;
    let yd = v[j] < v[j - 1] ? v[j] : v[j - 1];
    yd = (yd + 0.5) / scale - 0.5;
    if (yd < 0) yd = 0;
    else if (yd > height) yd = height;
    yd = Math.ceil(yd);
    a.push(xd * height + yd);
  }
  // run lengths from the sorted toggle positions; a zero-length run merges its neighbours
  a.push(height * width);
  a.sort((p, q) => p - q);
  let p = 0;
  for (let j = 0; j < a.length; j++) {
    const t = a[j];
    a[j] -= p;
    p = t;
  }
  const runs = [a[0]];
  let j = 1;
  while (j < a.length) {
    if (a[j] > 0) runs.push(a[j++]);
    else {
      j++;
      if (j < a.length) runs[runs.length - 1] += a[j++];
    }
  }
  return runs;
}

/**
 * A polygon as a COCO RLE, filled by pycocotools' rule (see polygonRuns).
 * @param {number[][]} points
 * @param {number} width
 * @param {number} height
 * @returns {{size: [number, number], counts: string}}
 */
export function polygonToRle(points, width, height) {
  return { size: [height, width], counts: compressCounts(polygonRuns(points, width, height)) };
}

/**
 * Set the foreground pixels of column-major runs to `value` in a row-major mask.
 * @param {Uint8Array} mask
 * @param {number[]} runs
 * @param {number} width
 * @param {number} height
 * @param {number} [value]
 * @returns {Uint8Array} the mask
 */
export function paintRuns(mask, runs, width, height, value = 1) {
  let q = 0; // column-major position
  for (let r = 0; r < runs.length; r++) {
    const end = q + runs[r];
    if (r % 2 === 1) {
      for (; q < end; q++) {
        const col = (q / height) | 0;
        mask[(q - col * height) * width + col] = value;
      }
    }
    q = end;
  }
  return mask;
}
