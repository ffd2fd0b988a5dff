// Unicode code-point offsets <-> JavaScript (UTF-16) string indices.
//
// The server counts spans in code points (Python str indexing); the DOM counts UTF-16 units.
// Combining marks are code points of their own on both sides; only astral characters (emoji,
// rare CJK) take two UTF-16 units. The index stores where those are, so every conversion is a
// binary search and a 100,000-character text is indexed in one pass.

/**
 * Index of a text's astral (surrogate pair) characters.
 */
export class CodePointIndex {
  /** @param {string} text */
  constructor(text) {
    this.text = text;
    /** @type {number[]} UTF-16 index of each astral character, ascending */
    this.astral = [];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          this.astral.push(i);
          i++;
        }
      }
    }
    this.length = text.length - this.astral.length;
  }

  /**
   * UTF-16 index of code point `cp` (0 <= cp <= length).
   * @param {number} cp
   * @returns {number}
   */
  toUtf16(cp) {
    // astral k sits at code point astral[k] - k; count those before cp
    let lo = 0;
    let hi = this.astral.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.astral[mid] - mid < cp) lo = mid + 1;
      else hi = mid;
    }
    return cp + lo;
  }

  /**
   * Code point index of UTF-16 index `u`; the middle of a surrogate pair rounds down.
   * @param {number} u
   * @returns {number}
   */
  toCodePoint(u) {
    let lo = 0;
    let hi = this.astral.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.astral[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    // lo astral characters start before u; if the last one straddles u, u is mid-pair
    if (lo > 0 && this.astral[lo - 1] + 1 === u) return u - 1 - (lo - 1);
    return u - lo;
  }

  /**
   * The text between two code-point offsets.
   * @param {number} start
   * @param {number} end
   * @returns {string}
   */
  slice(start, end) {
    return this.text.slice(this.toUtf16(start), this.toUtf16(end));
  }
}

/**
 * Number of code points of a string.
 * @param {string} text
 * @returns {number}
 */
export function codePointLength(text) {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

const SPACE = /\s/u;

/**
 * Shrink a code-point range so it neither starts nor ends with whitespace.
 * @param {CodePointIndex} index
 * @param {number} start
 * @param {number} end
 * @returns {[number, number]}
 */
export function trimRange(index, start, end) {
  while (start < end && SPACE.test(index.slice(start, start + 1))) start++;
  while (end > start && SPACE.test(index.slice(end - 1, end))) end--;
  return [start, end];
}
