// Project overview: stats, progress charts (inline SVG), annotators, recent activity.

import { api } from '../lib/api.js';
import { barChart, stackedBar, columnChart } from '../charts.js';
import { fmtTime, h, pageProject } from '../ui.js';

const { id, role } = pageProject();
const STATE_COLORS = { labeling: '#4f46e5', review: '#d97706', adjudication: '#9333ea', done: '#15803d' };

async function load() {
  const project = await api('GET', `/projects/${id}`);
  document.getElementById('project-desc').textContent = project.description || '';
  const actionsEl = document.getElementById('stage-actions');
  if (['reviewer', 'manager', 'admin'].includes(role))
    actionsEl.append(h('a', { class: 'btn', href: `/projects/${id}/review` }, 'Review'));
  if (['expert', 'manager', 'admin'].includes(role))
    actionsEl.append(h('a', { class: 'btn', href: `/projects/${id}/adjudicate` }, 'Adjudicate'));
  let progress = null;
  try {
    progress = await api('GET', `/projects/${id}/progress`);
  } catch {
    // annotators do not see project-wide numbers
  }
  const total = project.task_count ?? 0;
  const done = progress?.tasks_by_state?.done ?? 0;
  const stat = (v, k) => h('div', { class: 'stat' }, h('div', { class: 'v' }, v), h('div', { class: 'k' }, k));
  const lead = progress?.median_lead_time_ms;
  document.getElementById('stats').replaceChildren(
    stat(String(total), 'tasks'),
    stat(total ? `${Math.round((100 * done) / total)}%` : '—', 'done'),
    stat(String(project.annotation_count ?? 0), 'annotations'),
    stat(lead ? `${(lead / 1000).toFixed(1)} s` : '—', 'median lead time'),
  );
  if (!progress) {
    document.querySelector('.grid-2').replaceChildren(h('section', { class: 'panel' }, h('p', { class: 'muted' }, 'Project-wide progress is visible to managers.')));
    document.getElementById('activity').closest('section').hidden = true;
    return;
  }
  const states = ['labeling', 'review', 'adjudication', 'done'].map((s) => ({ label: s, value: progress.tasks_by_state[s] || 0, color: STATE_COLORS[s] }));
  for (const [s, n] of Object.entries(progress.tasks_by_state)) if (!(s in STATE_COLORS)) states.push({ label: s, value: n, color: '#64748b' });
  document.getElementById('state-chart').replaceChildren(stackedBar(states));
  const queue = Object.entries(progress.queue_depth).map(([k, v]) => ({ label: k, value: v }));
  document.getElementById('queue-chart').replaceChildren(barChart(queue));
  const hours = progress.throughput_per_hour.slice(-24).map((x) => ({ label: x.hour.slice(11, 16) || x.hour, value: x.annotations }));
  document.getElementById('throughput-chart').replaceChildren(hours.length ? columnChart(hours) : h('p', { class: 'muted' }, 'No annotations yet.'));
  const annotators = progress.annotators;
  document.getElementById('annotators').replaceChildren(annotators.length
    ? barChart(annotators.map((a) => ({ label: a.email || `user ${a.user_id}`, value: a.annotations })), { color: '#0891b2' })
    : h('p', { class: 'muted' }, 'No annotations yet.'));
  try {
    const page = await api('GET', '/audit', { query: { project_id: id, limit: 12, order: 'desc' } });
    const recent = page.items;
    document.getElementById('activity').replaceChildren(recent.length
      ? h('ul', { class: 'activity' }, recent.map((e) => h('li', null, h('time', { datetime: e.at }, fmtTime(e.at)), h('span', null, h('b', null, e.actor), ` ${e.action} `, h('span', { class: 'muted' }, `${e.entity} ${e.entity_id}`)))))
      : h('p', { class: 'muted' }, 'No activity yet.'));
  } catch {
    document.getElementById('activity').closest('section').hidden = true;
  }
}

load();
