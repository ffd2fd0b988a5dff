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

/**
 * Color of an agreement value in [0, 1]: red (0) through amber to green (1).
 * @param {number} value
 */
export function agreementColor(value) {
  const v = Math.max(0, Math.min(1, value));
  const stops = [[0, [220, 38, 38]], [0.5, [245, 158, 11]], [0.75, [250, 204, 21]], [1, [22, 163, 74]]];
  let i = 0;
  while (i < stops.length - 2 && v > stops[i + 1][0]) i += 1;
  const [a, ca] = stops[i];
  const [b, cb] = stops[i + 1];
  const t = (v - a) / (b - a || 1);
  const mix = ca.map((c, k) => Math.round(c + (cb[k] - c) * t));
  return `rgb(${mix.join(',')})`;
}

/**
 * A square heatmap of agreement between raters; empty cells (no shared items) stay grey.
 * @param {string[]} labels
 * @param {(number|null)[][]} matrix values in [0, 1]
 * @param {number[][]} [counts] shared comparisons per cell (shown in the tooltip)
 */
export function heatmap(labels, matrix, counts = []) {
  const n = labels.length;
  const labelW = 130;
  const cell = Math.max(26, Math.min(64, Math.floor(360 / Math.max(1, n))));
  const top = 20;
  const width = labelW + n * cell + 4;
  const height = top + n * cell + 4;
  const short = (s) => (s.length > 18 ? `${s.slice(0, 17)}…` : s);
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Agreement heatmap', class: 'heatmap', style: `max-width:${width}px` });
  labels.forEach((label, i) => {
    root.append(svg('text', { x: labelW - 8, y: top + i * cell + cell / 2 + 4, 'text-anchor': 'end', class: 'axis' }, short(label)));
    root.append(svg('text', { x: labelW + i * cell + cell / 2, y: 13, 'text-anchor': 'middle', class: 'axis' }, String(i + 1)));
  });
  matrix.forEach((row, i) => row.forEach((value, j) => {
    const x = labelW + j * cell;
    const y = top + i * cell;
    const rect = svg('rect', { x: x + 1, y: y + 1, width: cell - 2, height: cell - 2, rx: 3, fill: value === null ? '#eef0f3' : agreementColor(value), 'data-row': i, 'data-col': j, 'data-value': value === null ? '' : value.toFixed(3) });
    const shared = counts[i]?.[j] ?? 0;
    rect.append(svg('title', {}, `${labels[i]} × ${labels[j]}: ${value === null ? 'no shared tasks' : `${(100 * value).toFixed(0)}% over ${shared} comparisons`}`));
    root.append(rect);
    if (value !== null && cell >= 30)
      root.append(svg('text', { x: x + cell / 2, y: y + cell / 2 + 4, 'text-anchor': 'middle', 'font-size': 11, 'font-weight': 600, fill: value > 0.35 && value < 0.85 ? '#1c2230' : '#fff' }, (100 * value).toFixed(0)));
  }));
  const wrap = document.createElement('div');
  wrap.append(root);
  return wrap;
}

/**
 * Lines of values in [0, 1] over a shared sequence of x labels (e.g. ISO weeks); null values
 * leave gaps.
 * @param {string[]} xLabels
 * @param {{label: string, color: string, values: (number|null)[]}[]} series
 */
export function lineChart(xLabels, series) {
  const width = 520;
  const height = 190;
  const left = 36;
  const bottom = 24;
  const plotH = height - bottom - 10;
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': series.map((s) => s.label).join(', ') });
  for (const f of [0, 0.5, 1]) {
    const y = 10 + plotH - f * plotH;
    root.append(svg('line', { x1: left, x2: width, y1: y, y2: y, class: 'grid' }));
    root.append(svg('text', { x: 0, y: y + 4, class: 'axis' }, `${Math.round(100 * f)}%`));
  }
  const step = xLabels.length > 1 ? (width - left - 48) / (xLabels.length - 1) : 0;
  const xAt = (i) => left + 16 + i * step;
  xLabels.forEach((label, i) => {
    if (xLabels.length <= 8 || i % Math.ceil(xLabels.length / 8) === 0)
      root.append(svg('text', { x: xAt(i), y: height - 6, 'text-anchor': 'middle', class: 'axis' }, label));
  });
  for (const s of series) {
    let path = '';
    s.values.forEach((v, i) => {
      if (v === null || v === undefined) return;
      const cmd = i > 0 && s.values[i - 1] !== null && s.values[i - 1] !== undefined ? 'L' : 'M';
      path += `${cmd}${xAt(i).toFixed(1)},${(10 + plotH - v * plotH).toFixed(1)} `;
    });
    if (path) root.append(svg('path', { d: path.trim(), fill: 'none', stroke: s.color, 'stroke-width': 2, 'data-series': s.label }));
    s.values.forEach((v, i) => {
      if (v === null || v === undefined) return;
      const dot = svg('circle', { cx: xAt(i), cy: 10 + plotH - v * plotH, r: 3.5, fill: s.color, 'data-value': v.toFixed(3) });
      dot.append(svg('title', {}, `${s.label} · ${xLabels[i]}: ${(100 * v).toFixed(0)}%`));
      root.append(dot);
    });
  }
  const wrap = document.createElement('div');
  wrap.append(root);
  const legend = document.createElement('div');
  legend.className = 'legend';
  for (const s of series) {
    const item = document.createElement('span');
    const sw = document.createElement('i');
    sw.style.background = s.color;
    item.append(sw, s.label);
    legend.append(item);
  }
  wrap.append(legend);
  return wrap;
}
