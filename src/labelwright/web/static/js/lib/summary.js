// One-line readable summaries of control values (adjudication table, suggestions, data browser).

const MAX_LABELS = 6;
const MAX_TEXT = 40;

/** Singular and plural nouns of the region-like controls. */
const NOUNS = {
  boxes: ['box', 'boxes'],
  polygons: ['polygon', 'polygons'],
  keypoints: ['keypoint', 'keypoints'],
  masks: ['mask', 'masks'],
  regions: ['region', 'regions'],
  segments: ['segment', 'segments'],
  tracks: ['track', 'tracks'],
  transcript: ['line', 'lines'],
};

/**
 * "3 boxes", "1 box".
 * @param {number} n
 * @param {string} kind a key of NOUNS
 */
function counted(n, kind) {
  const [one, many] = NOUNS[kind];
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * Labels with their counts, most frequent first (ties in order of appearance): "car ×2, person".
 * @param {any[]} items
 * @returns {string}
 */
export function labelCounts(items) {
  /** @type {Map<string, number>} */
  const counts = new Map();
  for (const item of items) {
    const label = item && item.label !== undefined && item.label !== null && item.label !== '' ? String(item.label) : 'unlabeled';
    counts.set(label, (counts.get(label) || 0) + 1);
  }
  const sorted = [...counts.entries()].map((e, i) => [...e, i]).sort((a, b) => b[1] - a[1] || a[2] - b[2]);
  const shown = sorted.slice(0, MAX_LABELS).map(([label, n]) => (n > 1 ? `${label} ×${n}` : label));
  if (sorted.length > MAX_LABELS) shown.push(`+${sorted.length - MAX_LABELS} more`);
  return shown.join(', ');
}

/**
 * A short, single-line rendering of any value: long text is cut, objects become compact JSON.
 * @param {any} value
 * @returns {string}
 */
function short(value) {
  if (value === null || value === undefined) return '—';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_TEXT ? `${line.slice(0, MAX_TEXT - 1)}…` : line;
}

/**
 * Seconds as m:ss.s (or h:mm:ss.s).
 * @param {number} seconds
 */
function clock(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return '?';
  const sign = seconds < 0 ? '-' : '';
  let s = Math.abs(seconds);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const sec = s.toFixed(1).padStart(4, '0');
  return h ? `${sign}${h}:${String(m).padStart(2, '0')}:${sec}` : `${sign}${m}:${sec}`;
}

/**
 * Primitives as they are; objects (and arrays) as short JSON, never "[object Object]".
 * @param {any} value
 */
function plain(value) {
  return value && typeof value === 'object' ? short(value) : String(value);
}

const has = (item, ...keys) => keys.every((k) => k in item);

/**
 * Which region-like control a list of items is, from the control's type or the items' shape.
 * @param {any[]} items non-empty, objects
 * @param {string | undefined} type
 * @returns {string | null}
 */
export function regionKind(items, type) {
  if (type && (type in NOUNS || type === 'fields')) return type;
  const first = items[0];
  if (has(first, 'rle')) return 'masks';
  if (has(first, 'points')) return 'polygons';
  if (has(first, 'keyframes')) return 'tracks';
  if (has(first, 'name', 'value')) return 'fields';
  if (has(first, 'page', 'x', 'y', 'w', 'h')) return 'regions';
  if (has(first, 'x', 'y', 'w', 'h')) return 'boxes';
  if (has(first, 'x', 'y')) return 'keypoints';
  if (has(first, 'start', 'end', 'text') && !('label' in first)) return 'transcript';
  if (has(first, 'start', 'end', 'label') && !('text' in first)) return 'segments';
  return null;
}

/**
 * The summary of a list of region-like items of one kind.
 * @param {any[]} items
 * @param {string} kind
 * @returns {string}
 */
function summarizeRegions(items, kind) {
  if (kind === 'fields') {
    return items
      .map((f) => {
        const written = short(f.value);
        const normalized = f.normalized !== undefined && f.normalized !== null && String(f.normalized) !== String(f.value) ? ` (${short(f.normalized)})` : '';
        return `${f.name}: ${written}${normalized}`;
      })
      .join(', ');
  }
  if (kind === 'transcript') {
    const first = items[0];
    const who = first.speaker ? `${first.speaker}: ` : '';
    const more = items.length > 1 ? ` … (${counted(items.length, kind)})` : '';
    return `[${clock(first.start)}–${clock(first.end)}] ${who}“${short(first.text)}”${more}`;
  }
  let summary = `${counted(items.length, kind)}: ${labelCounts(items)}`;
  if (kind === 'regions') {
    const pages = new Set(items.map((r) => r.page));
    if (pages.size > 1) summary = `${counted(items.length, kind)} on ${pages.size} pages: ${labelCounts(items)}`;
    const withText = items.filter((r) => typeof r.text === 'string' && r.text.trim()).length;
    if (withText) summary += ` (${withText} with text)`;
  } else if (kind === 'keypoints') {
    const hidden = items.filter((k) => k.visible === false).length;
    if (hidden) summary += ` (${hidden} not visible)`;
  } else if (kind === 'segments') {
    const total = items.reduce((sum, s) => sum + (Number(s.end) - Number(s.start) || 0), 0);
    summary += ` (${total.toFixed(1)} s)`;
  }
  return summary;
}

/**
 * @param {any} value
 * @param {{type?: string}} [control]
 * @returns {string}
 */
export function summarizeValue(value, control = {}) {
  if (value === null || value === undefined) return '—';
  const type = control.type;
  const objects = Array.isArray(value) && value.length > 0 && value.every((v) => v && typeof v === 'object' && !Array.isArray(v));
  if (objects && has(value[0], 'start', 'end', 'text', 'label')) {
    return value.map((s) => `${s.label}: “${s.text}” [${s.start}–${s.end}]`).join('\n');
  }
  if (objects && has(value[0], 'from', 'to')) {
    return value.map((r) => `${r.from} → ${r.to}${r.label ? ` (${r.label})` : ''}`).join('\n');
  }
  if (objects) {
    const kind = regionKind(value, type);
    if (kind) return summarizeRegions(value, kind);
    return value.map(short).join(', ');
  }
  if (type === 'ranking' || (Array.isArray(value) && value.some((v) => Array.isArray(v)))) {
    return value.map((g) => (Array.isArray(g) ? g.join(' = ') : g)).join(' > ');
  }
  if (typeof value === 'object' && !Array.isArray(value) && 'choice' in value) {
    const who = { a: 'A better', b: 'B better', tie: 'Tie' }[value.choice] || value.choice;
    return `${who}${value.strength ? ` (strength ${value.strength})` : ''}${value.reason ? ` — ${value.reason}` : ''}`;
  }
  if (Array.isArray(value)) return value.length ? value.map(plain).join(', ') : '(none)';
  if (typeof value === 'object') return Object.entries(value).map(([k, v]) => `${k}: ${plain(v)}`).join(', ');
  return String(value);
}
