// Cut a text into segments at span boundaries, so overlapping spans can be drawn flat.

/**
 * @typedef {{start: number, end: number, label: string}} SpanLike
 * @typedef {{start: number, end: number, spans: number[]}} Segment
 */

/**
 * Segments covering [0, length): each lists the indices of the spans covering it
 * (outermost first: earlier start, then longer).
 * @param {number} length text length in code points
 * @param {SpanLike[]} spans
 * @returns {Segment[]}
 */
export function buildSegments(length, spans) {
  const cuts = new Set([0, length]);
  for (const s of spans) {
    cuts.add(Math.max(0, Math.min(length, s.start)));
    cuts.add(Math.max(0, Math.min(length, s.end)));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const order = spans
    .map((s, i) => i)
    .sort((a, b) => spans[a].start - spans[b].start || spans[b].end - spans[a].end || a - b);
  // sweep: spans sorted by start; keep the active ones
  const segments = [];
  let next = 0;
  /** @type {number[]} */
  let active = [];
  for (let p = 0; p + 1 < points.length; p++) {
    const start = points[p];
    const end = points[p + 1];
    if (start === end) continue;
    while (next < order.length && spans[order[next]].start <= start) {
      active.push(order[next]);
      next++;
    }
    active = active.filter((i) => spans[i].end > start);
    segments.push({ start, end, spans: active.filter((i) => spans[i].start <= start) });
  }
  return segments;
}

/**
 * Whether a new range overlaps any existing span.
 * @param {SpanLike[]} spans
 * @param {number} start
 * @param {number} end
 * @returns {boolean}
 */
export function overlapsAny(spans, start, end) {
  return spans.some((s) => s.start < end && start < s.end);
}

/**
 * A region id not used yet: prefix + smallest free positive integer.
 * @param {{id?: string}[]} regions
 * @param {string} prefix
 * @returns {string}
 */
export function nextRegionId(regions, prefix) {
  const used = new Set(regions.map((r) => r.id));
  let n = 1;
  while (used.has(`${prefix}${n}`)) n++;
  return `${prefix}${n}`;
}
