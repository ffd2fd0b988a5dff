// Pure logic of the document tools: text under a box, reading order, field value normalization.
//
// Boxes and words are {x, y, w, h} in page-image pixels. Nothing here touches the DOM.

/**
 * The words of a text layer whose centre lies inside the box, in reading order, joined by spaces
 * (a new line of words starts when a word's centre is below the previous word's box).
 * @param {{text: string, x: number, y: number, w: number, h: number}[]} words
 * @param {{x: number, y: number, w: number, h: number}} box
 * @returns {string}
 */
export function textInBox(words, box) {
  const inside = (words || []).filter((w) => {
    const cx = w.x + w.w / 2;
    const cy = w.y + w.h / 2;
    return cx >= box.x && cx <= box.x + box.w && cy >= box.y && cy <= box.y + box.h;
  });
  const lines = [];
  for (const word of inside) {
    const last = lines[lines.length - 1];
    const prev = last && last[last.length - 1];
    if (prev && word.y + word.h / 2 <= prev.y + prev.h && word.x >= prev.x) last.push(word);
    else lines.push([word]);
  }
  return lines.map((line) => line.map((w) => w.text).join(' ')).join('\n');
}

/**
 * The next reading-order number after every region's `order`.
 * @param {{order?: number}[]} regions
 */
export function nextOrder(regions) {
  let max = -1;
  for (const r of regions || []) if (Number.isInteger(r.order) && r.order > max) max = r.order;
  return max + 1;
}

/**
 * Regions sorted by reading order (unordered ones last, by page then top-to-bottom, left-to-right).
 * @template {{page?: number, x: number, y: number, order?: number}} T
 * @param {T[]} regions
 * @returns {T[]}
 */
export function byReadingOrder(regions) {
  const key = (r) => [Number.isInteger(r.order) ? 0 : 1, Number.isInteger(r.order) ? r.order : 0, r.page ?? 0, r.y, r.x];
  return [...(regions || [])].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
    return 0;
  });
}

/**
 * Number the regions 0..n-1 in their current reading order (gaps and duplicates removed).
 * @template {{order?: number}} T
 * @param {T[]} regions
 * @returns {T[]} new objects, in the input's order
 */
export function renumber(regions) {
  const sorted = byReadingOrder(regions);
  const rank = new Map(sorted.map((r, i) => [r, i]));
  return regions.map((r) => ({ ...r, order: rank.get(r) }));
}

/**
 * Move a region to a new reading position; the others keep their relative order.
 * @template {{id: string, order?: number}} T
 * @param {T[]} regions
 * @param {string} id
 * @param {number} position 0-based target position
 * @returns {T[]}
 */
export function moveInOrder(regions, id, position) {
  const sorted = byReadingOrder(regions);
  const from = sorted.findIndex((r) => r.id === id);
  if (from < 0) return regions;
  const [item] = sorted.splice(from, 1);
  const to = Math.max(0, Math.min(sorted.length, Math.round(position)));
  sorted.splice(to, 0, item);
  const rank = new Map(sorted.map((r, i) => [r.id, i]));
  return regions.map((r) => ({ ...r, order: rank.get(r.id) }));
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function isoDate(y, m, d) {
  if (!(y >= 1000 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= 31)) return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function fullYear(y) {
  return y < 100 ? (y < 70 ? 2000 + y : 1900 + y) : y;
}

/**
 * An ISO date (YYYY-MM-DD) read from text as written, or null. Understands ISO dates,
 * day.month.year and day/month/year (month/day/year when the first number cannot be a month's
 * day order otherwise: 03/25/2024), and month names ("15 March 2024", "Mar 15, 2024").
 * @param {string} text
 * @returns {string | null}
 */
export function normalizeDate(text) {
  const s = String(text || '').trim().toLowerCase();
  let m = s.match(/(\d{4})-(\d{1,2})-(\d{1,2})/);
  if (m) return isoDate(+m[1], +m[2], +m[3]);
  m = s.match(/(\d{1,2})[./-](\d{1,2})[./-](\d{2,4})/);
  if (m) {
    const [a, b, y] = [+m[1], +m[2], fullYear(+m[3])];
    if (b > 12 && a <= 12) return isoDate(y, a, b); // 03/25/2024: month first
    return isoDate(y, b, a);
  }
  m = s.match(/(\d{1,2})\.?\s+([a-z]{3})[a-z]*\.?,?\s+(\d{2,4})/);
  if (m && MONTHS.includes(m[2])) return isoDate(fullYear(+m[3]), MONTHS.indexOf(m[2]) + 1, +m[1]);
  m = s.match(/([a-z]{3})[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{2,4})/);
  if (m && MONTHS.includes(m[1])) return isoDate(fullYear(+m[3]), MONTHS.indexOf(m[1]) + 1, +m[2]);
  return null;
}

/**
 * A number read from an amount as written ("$1,308.80", "1.308,80 €", "(12.00)", "-5"), or null.
 * The last of "," and "." followed by one or two digits at the end is the decimal separator.
 * @param {string} text
 * @returns {number | null}
 */
export function normalizeAmount(text) {
  let s = String(text || '').trim();
  const negative = /^\(.*\)$/.test(s) || /^-|-$|^[^\d]*-/.test(s);
  s = s.replace(/[^\d.,]/g, '');
  if (!/\d/.test(s)) return null;
  const decimal = s.match(/[.,](\d{1,2})$/);
  let whole = s;
  let fraction = '';
  if (decimal) {
    whole = s.slice(0, s.length - decimal[0].length);
    fraction = decimal[1];
  }
  whole = whole.replace(/[.,]/g, '');
  const value = Number(`${whole || '0'}.${fraction || '0'}`);
  if (!Number.isFinite(value)) return null;
  return negative ? -value : value;
}

/**
 * An identifier as written, trimmed, inner white space removed ("INV - 2024 - 01" -> "INV-2024-01").
 * @param {string} text
 */
export function normalizeId(text) {
  const s = String(text || '').trim().replace(/\s+/g, '');
  return s || null;
}

/**
 * The normalized value of a field of the given type, or null when the text does not read as one.
 * @param {'text' | 'date' | 'amount' | 'id'} type
 * @param {string} text
 * @returns {string | number | null}
 */
export function normalizeField(type, text) {
  if (type === 'date') return normalizeDate(text);
  if (type === 'amount') return normalizeAmount(text);
  if (type === 'id') return normalizeId(text);
  const s = String(text || '').trim().replace(/\s+/g, ' ');
  return s || null;
}
