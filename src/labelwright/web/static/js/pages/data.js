// Data browser: filtered, paginated task table; a drawer with a task's annotations and lineage.

import { api, ApiError, listAll, problemLines } from '../lib/api.js';
import { summarizeValue } from '../lib/summary.js';
import { dataPreview, fmtTime, h, pageProject } from '../ui.js';

const { id } = pageProject();
const form = document.getElementById('filters');
const tbody = document.querySelector('#task-table tbody');
const LIMIT = 25;
let cursors = [null];
let page = 0;
let nextCursor = null;
let schema = null;
/** @type {Map<number, string>} user id -> email */
const people = new Map();

function query() {
  const data = new FormData(form);
  const q = { limit: LIMIT, q: data.get('q'), state: data.get('state'), annotated: data.get('annotated') };
  if (data.get('annotator')) q.annotator = data.get('annotator');
  const label = String(data.get('label') || '');
  if (label) {
    // "control:label" - control names never contain a colon
    const at = label.indexOf(':');
    q.control = label.slice(0, at);
    q.label = label.slice(at + 1);
  }
  const meta = String(data.get('meta') || '');
  if (meta.includes('=')) {
    const [k, v] = meta.split('=', 2);
    q[`meta.${k.trim()}`] = v.trim();
  }
  return q;
}

async function load() {
  let result;
  try {
    result = await api('GET', `/projects/${id}/tasks`, { query: { ...query(), cursor: cursors[page] } });
  } catch (err) {
    const text = err instanceof ApiError ? problemLines(err.problem).join(' · ') : err.message;
    tbody.replaceChildren(h('tr', null, h('td', { colspan: 6, class: 'form-error' }, text)));
    return;
  }
  nextCursor = result.next_cursor;
  tbody.replaceChildren(...(result.items.length ? result.items.map((t) => h('tr', { class: 'clickable', tabindex: 0, 'data-task': t.id, onclick: () => open(t.id), onkeydown: (e) => e.key === 'Enter' && open(t.id) },
    h('td', null, String(t.id)),
    h('td', null, h('span', { class: `pill state-${t.state}` }, t.state)),
    h('td', { class: 'cell-preview' }, dataPreview(t.data)),
    h('td', { class: 'small muted' }, Object.entries(t.meta || {}).map(([k, v]) => `${k}=${v}`).join(' ')),
    h('td', { class: 'num' }, String(t.annotation_count)),
    h('td', { class: 'num' }, String(t.priority)))) : [h('tr', null, h('td', { colspan: 6, class: 'muted' }, 'No tasks match.'))]));
  document.getElementById('prev').disabled = page === 0;
  document.getElementById('next').disabled = !nextCursor;
  document.getElementById('page-info').textContent = `Page ${page + 1}`;
}

async function open(taskId) {
  const drawer = document.getElementById('task-drawer');
  const body = document.getElementById('drawer-body');
  document.getElementById('drawer-title').textContent = `Task ${taskId}`;
  drawer.hidden = false;
  body.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
  const [task, annotations, predictions, comments] = await Promise.all([
    api('GET', `/tasks/${taskId}`),
    api('GET', `/tasks/${taskId}/annotations`),
    api('GET', `/tasks/${taskId}/predictions`),
    api('GET', `/tasks/${taskId}/comments`),
  ]);
  const controls = schema?.controls || [];
  const ctl = (name) => controls.find((c) => c.name === name) || {};
  const section = (title, ...kids) => h('section', null, h('h3', null, title), ...kids);
  body.replaceChildren(
    section('State', h('p', null, h('span', { class: `pill state-${task.state}` }, task.state), task.final_path ? h('span', { class: 'muted small' }, `  final via ${task.final_path}`) : null)),
    section('Data', h('pre', { class: 'json' }, JSON.stringify(task.data, null, 2))),
    section(`Annotations (${annotations.length})`, annotations.length ? h('ol', { class: 'lineage' }, annotations.map((a) => h('li', { 'data-annotation': a.id },
      h('div', null, h('b', null, `#${a.id}`), ` ${a.stage} · ${a.status} · ${a.origin}`, a.parent_id ? ` · corrects #${a.parent_id}` : '', a.id === task.final_annotation_id ? ' · ' : '', a.id === task.final_annotation_id ? h('span', { class: 'pill pill-ok' }, 'final') : null),
      h('div', { class: 'small muted' }, `${a.author_id === null ? 'system' : people.get(a.author_id) || `user ${a.author_id}`} · ${fmtTime(a.created_at)} · schema v${a.schema_version} · guidelines v${a.guideline_version}${a.lead_time_ms ? ` · ${(a.lead_time_ms / 1000).toFixed(1)} s` : ''}`),
      h('pre', { class: 'json' }, Object.entries(a.results).map(([k, v]) => `${k}: ${summarizeValue(v, ctl(k))}`).join('\n'))))) : h('p', { class: 'muted' }, 'None yet.')),
    section(`Predictions (${predictions.length})`, ...predictions.map((p) => h('p', { class: 'small' }, h('b', null, p.origin), p.score !== null ? ` · ${p.score.toFixed(2)}` : '', ` — ${Object.entries(p.results).map(([k, v]) => `${k}: ${summarizeValue(v, ctl(k))}`).join('; ')}`))),
    section(`Comments (${comments.length})`, ...comments.map((c) => h('p', { class: 'small' }, h('span', { class: 'muted' }, `${fmtTime(c.created_at)} `), c.body))),
  );
}

document.getElementById('drawer-close').addEventListener('click', () => (document.getElementById('task-drawer').hidden = true));
document.addEventListener('keydown', (e) => e.key === 'Escape' && (document.getElementById('task-drawer').hidden = true));
form.addEventListener('submit', (e) => {
  e.preventDefault();
  cursors = [null];
  page = 0;
  load();
});
document.getElementById('next').addEventListener('click', () => {
  cursors[page + 1] = nextCursor;
  page++;
  load();
});
document.getElementById('prev').addEventListener('click', () => {
  page = Math.max(0, page - 1);
  load();
});

/** Label options, grouped by control (only controls whose values carry labels). */
function fillLabels() {
  const select = document.getElementById('filter-label');
  const groups = [];
  for (const c of schema?.controls || []) {
    const items = c.type === 'choice' || c.type === 'choices' ? c.options : c.labels;
    if (!Array.isArray(items) || !items.length) continue;
    const group = h('optgroup', { label: c.name });
    for (const item of items) {
      const name = typeof item === 'string' ? item : item.name;
      group.append(new Option(name, `${c.name}:${name}`));
    }
    groups.push(group);
  }
  select.append(...groups);
}

/** Members who can author annotations, by email when the user list is readable. */
async function fillAnnotators() {
  const [members, users] = await Promise.all([
    api('GET', `/projects/${id}/members`).catch(() => []),
    listAll('/users').catch(() => []),
  ]);
  for (const u of users) people.set(u.id, u.email);
  const select = document.getElementById('filter-annotator');
  select.append(...members.map((m) => new Option(`${people.get(m.user_id) || `User ${m.user_id}`} · ${m.role}`, String(m.user_id))));
}

api('GET', `/projects/${id}`).then((p) => {
  schema = p.schema;
  fillLabels();
});
fillAnnotators();
load();
