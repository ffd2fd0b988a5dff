// Keyboard caret movement over a text, by user-perceived character or by word.
//
// Offsets are UTF-16 indices (what the DOM and String#slice use); callers convert to code
// points with CodePointIndex. A "character" is an extended grapheme cluster, so one step never
// splits an emoji (surrogate pairs, skin tones, ZWJ sequences) or a letter from its combining
// marks. Only a window around the caret is segmented, so a step costs the same in a 100,000
// character text as in a short one.

const WINDOW = { grapheme: 64, word: 256 };

const segmenters = new Map();

/** @param {'grapheme'|'word'} granularity */
function segmenter(granularity) {
  if (!segmenters.has(granularity)) {
    segmenters.set(granularity, new Intl.Segmenter(undefined, { granularity }));
  }
  return segmenters.get(granularity);
}

/**
 * The caret position one step from `at`.
 * @param {string} text
 * @param {number} at UTF-16 index, 0 <= at <= text.length
 * @param {{unit?: 'char'|'word', forward?: boolean}} [options]
 *   char: to the next / previous grapheme boundary;
 *   word: forward to the end of the next word, backward to the start of the previous word
 *   (like Ctrl+Arrow in an editor).
 * @returns {number} UTF-16 index
 */
export function moveCaret(text, at, { unit = 'char', forward = true } = {}) {
  const granularity = unit === 'word' ? 'word' : 'grapheme';
  const size = WINDOW[granularity];
  if (forward) {
    if (at >= text.length) return text.length;
    // start the window on a boundary the caller gave us; the far end may cut a cluster,
    // which only matters for the last cluster, never the first
    let end = Math.min(text.length, at + size);
    for (;;) {
      const pieces = [...segmenter(granularity).segment(text.slice(at, end))];
      if (granularity === 'grapheme') {
        const first = pieces[0];
        if (end === text.length || pieces.length > 1) return at + first.segment.length;
      } else {
        const word = pieces.find((p) => p.isWordLike && (end === text.length || p.index + p.segment.length < end - at));
        if (word) return at + word.index + word.segment.length;
        if (end === text.length) return text.length;
      }
      end = Math.min(text.length, end + size * 4);
    }
  }
  if (at <= 0) return 0;
  let start = Math.max(0, at - size);
  for (;;) {
    const pieces = [...segmenter(granularity).segment(text.slice(start, at))];
    if (granularity === 'grapheme') {
      const last = pieces[pieces.length - 1];
      if (start === 0 || pieces.length > 1) return start + last.index;
    } else {
      const words = pieces.filter((p) => p.isWordLike && (start === 0 || p.index > 0));
      if (words.length) return start + words[words.length - 1].index;
      if (start === 0) return 0;
    }
    start = Math.max(0, start - size * 4);
  }
}

/**
 * Snap a UTF-16 index to the grapheme boundary at or before it (a DOM point inside an emoji
 * or between a letter and its combining mark moves to the start of that character).
 * @param {string} text
 * @param {number} at
 * @returns {number}
 */
export function snapToCharacter(text, at) {
  if (at <= 0 || at >= text.length) return Math.max(0, Math.min(text.length, at));
  const start = Math.max(0, at - WINDOW.grapheme);
  const end = Math.min(text.length, at + WINDOW.grapheme);
  let boundary = start;
  for (const piece of segmenter('grapheme').segment(text.slice(start, end))) {
    if (start + piece.index > at) break;
    boundary = start + piece.index;
  }
  return boundary;
}
