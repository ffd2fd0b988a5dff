// Inline SVG charts: horizontal bars, a stacked bar with legend, and columns.

const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/**
 * Horizontal bars, one per item.
 * @param {{label: string, value: number}[]} items
 * @param {{color?: string}} [options]
 */
export function barChart(items, { color = '#4f46e5' } = {}) {
  const width = 520;
  const row = 28;
  const labelW = 150;
  const height = Math.max(row, items.length * row) + 4;
  const max = Math.max(1, ...items.map((i) => i.value));
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': items.map((i) => `${i.label}: ${i.value}`).join(', ') });
  items.forEach((item, i) => {
    const y = i * row + 4;
    const w = ((width - labelW - 50) * item.value) / max;
    const label = item.label.length > 22 ? `${item.label.slice(0, 21)}…` : item.label;
    root.append(svg('text', { x: 0, y: y + 15, class: 'axis' }, label));
    root.append(svg('rect', { x: labelW, y, width: width - labelW - 50, height: 20, rx: 4, fill: '#f1f3f6' }));
    root.append(svg('rect', { x: labelW, y, width: Math.max(item.value ? 3 : 0, w), height: 20, rx: 4, fill: color, 'data-value': item.value }));
    root.append(svg('text', { x: labelW + w + 6, y: y + 15, fill: '#1c2230', 'font-weight': 600 }, String(item.value)));
  });
  const wrap = document.createElement('div');
  wrap.append(root);
  return wrap;
}

/**
 * One bar split by category, with a legend.
 * @param {{label: string, value: number, color: string}[]} parts
 */
export function stackedBar(parts) {
  const width = 520;
  const total = parts.reduce((s, p) => s + p.value, 0);
  const root = svg('svg', { viewBox: `0 0 ${width} 34`, role: 'img', 'aria-label': parts.map((p) => `${p.label}: ${p.value}`).join(', ') });
  root.append(svg('rect', { x: 0, y: 4, width, height: 26, rx: 6, fill: '#f1f3f6' }));
  let x = 0;
  for (const p of parts) {
    if (!p.value) continue;
    const w = (width * p.value) / total;
    root.append(svg('rect', { x, y: 4, width: w, height: 26, fill: p.color, 'data-state': p.label, 'data-value': p.value }));
    x += w;
  }
  const wrap = document.createElement('div');
  wrap.append(root);
  const legend = document.createElement('div');
  legend.className = 'legend';
  for (const p of parts) {
    const item = document.createElement('span');
    const sw = document.createElement('i');
    sw.style.background = p.color;
    item.append(sw, `${p.label} ${p.value}`);
    legend.append(item);
  }
  wrap.append(legend);
  return wrap;
}

/**
 * Vertical columns over a sequence (e.g. hours).
 * @param {{label: string, value: number}[]} items
 */
export function columnChart(items, { color = '#4f46e5' } = {}) {
  const width = 520;
  const height = 160;
  const pad = 22;
  const max = Math.max(1, ...items.map((i) => i.value));
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': items.map((i) => `${i.label}: ${i.value}`).join(', ') });
  for (const f of [0, 0.5, 1]) {
    const y = height - pad - f * (height - pad - 10);
    root.append(svg('line', { x1: 28, x2: width, y1: y, y2: y, class: 'grid' }));
    root.append(svg('text', { x: 0, y: y + 4, class: 'axis' }, String(Math.round(f * max))));
  }
  const slot = (width - 32) / Math.max(1, items.length);
  items.forEach((item, i) => {
    const hgt = ((height - pad - 10) * item.value) / max;
    const x = 32 + i * slot + slot * 0.15;
    root.append(svg('rect', { x, y: height - pad - hgt, width: slot * 0.7, height: hgt, rx: 3, fill: color, 'data-value': item.value }));
    if (items.length <= 12 || i % Math.ceil(items.length / 12) === 0)
      root.append(svg('text', { x: x + slot * 0.35, y: height - 6, 'text-anchor': 'middle', class: 'axis' }, item.label));
  });
  const wrap = document.createElement('div');
  wrap.append(root);
  return wrap;
}
