// Small DOM helpers shared by the pages.

/**
 * Create an element: h('div', {class: 'x', onclick: fn}, 'text', child).
 * @param {string} tag
 * @param {Record<string, any>|null} [attrs]
 * @param {...any} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (k in el && k !== 'list' && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/**
 * Show a short message at the bottom of the page.
 * @param {string} text
 * @param {{error?: boolean}} [options]
 */
export function toast(text, { error = false } = {}) {
  const el = document.getElementById('toast');
  if (!el) return;
  el.textContent = text;
  el.classList.toggle('error', error);
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (el.hidden = true), error ? 6000 : 2500);
}

/** The project id and role of a project page. */
export function pageProject() {
  const main = document.getElementById('main');
  return { id: Number(main.dataset.projectId), role: main.dataset.role || '' };
}

/**
 * Short readable time.
 * @param {string} iso
 */
export function fmtTime(iso) {
  const d = new Date(iso);
  return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/**
 * A one-line preview of a task's data.
 * @param {Record<string, any>} data
 */
export function dataPreview(data) {
  for (const v of Object.values(data || {})) if (typeof v === 'string') return v;
  return JSON.stringify(data);
}
