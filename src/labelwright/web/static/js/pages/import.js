// Task import: upload with a progress bar; rejected rows shown with line and reason.

import { h, pageProject } from '../ui.js';
import { problemLines } from '../lib/api.js';

const { id } = pageProject();
const form = document.getElementById('import-form');
const bar = document.getElementById('import-progress');
const fill = bar.querySelector('.progress-bar');
const result = document.getElementById('import-result');

function contentType(file) {
  const name = file.name.toLowerCase();
  if (name.endsWith('.csv')) return 'text/csv';
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson')) return 'application/x-ndjson';
  if (name.endsWith('.json')) return 'application/json';
  return file.type || 'application/octet-stream';
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const file = document.getElementById('import-file').files[0];
  if (!file) return;
  const skip = document.getElementById('import-skip').checked;
  const xhr = new XMLHttpRequest();
  xhr.open('POST', `/api/v1/projects/${id}/tasks?on_error=${skip ? 'skip' : 'abort'}`);
  xhr.setRequestHeader('Content-Type', contentType(file));
  bar.hidden = false;
  fill.style.width = '0%';
  result.replaceChildren();
  xhr.upload.addEventListener('progress', (ev) => {
    if (ev.lengthComputable) fill.style.width = `${Math.round((100 * ev.loaded) / ev.total)}%`;
  });
  xhr.addEventListener('load', () => {
    fill.style.width = '100%';
    let body = {};
    try {
      body = JSON.parse(xhr.responseText);
    } catch {
      body = { detail: xhr.responseText };
    }
    if (xhr.status >= 200 && xhr.status < 300) {
      const parts = [h('p', { class: 'result-ok', id: 'import-created' }, `Imported ${body.created} task${body.created === 1 ? '' : 's'}.`)];
      if (body.rejected_count) parts.push(rejected(body.rejected, body.rejected_count));
      parts.push(h('p', { class: 'row' }, h('a', { class: 'btn', href: `/projects/${id}` }, 'Go to the project'), h('a', { class: 'btn', href: `/projects/${id}/data` }, 'Browse data')));
      result.replaceChildren(...parts);
    } else {
      // an all-or-nothing import that was refused lists its bad rows as problem `errors`
      const rows = body.rejected || (body.errors || []).filter((e) => e.line !== undefined);
      const lines = rows.length ? [body.detail || body.title] : problemLines(body);
      result.replaceChildren(h('p', { class: 'form-error' }, lines.join('\n')), rows.length ? rejected(rows, rows.length) : '');
    }
  });
  xhr.addEventListener('error', () => result.replaceChildren(h('p', { class: 'form-error' }, 'Upload failed: the server could not be reached.')));
  xhr.send(file);
});

function rejected(rows, count) {
  return h('div', null, h('h3', null, `${count} rejected row${count === 1 ? '' : 's'}`),
    h('table', { class: 'table', id: 'rejected' }, h('thead', null, h('tr', null, h('th', null, 'Line'), h('th', null, 'Reason'))),
      h('tbody', null, rows.map((r) => h('tr', null, h('td', { class: 'num' }, String(r.line)), h('td', null, r.error))))));
}
