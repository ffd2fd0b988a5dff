// Quality page: agreement per control, annotator table, agreement heatmap, weekly gold
// accuracy and the label-issue list (with "send flagged back to review").

import { api } from '../lib/api.js';
import { agreementColor, heatmap, lineChart } from '../charts.js';
import { h, pageProject, toast } from '../ui.js';

const { id, role } = pageProject();
const COLORS = ['#2563eb', '#db2777', '#059669', '#d97706', '#7c3aed', '#0891b2', '#dc2626', '#65a30d'];
const KIND_LABELS = {
  'confident-learning': 'Model disagrees',
  'consensus-differs-from-final': 'Final ≠ consensus',
  'low-agreement': 'Low agreement',
};

const pct = (v) => (v === null || v === undefined ? '—' : `${(100 * v).toFixed(1)}%`);
const num = (v, digits = 3) => (v === null || v === undefined ? '—' : v.toFixed(digits));
const who = (a) => a.email || (a.user_id === null ? 'imported' : `user ${a.user_id}`);
/** The short name of a person: the part of the e-mail before the @. */
const shortName = (a) => who(a).split('@')[0];
const cell = (text, attrs = {}) => h('td', attrs, text);
const numCell = (text) => cell(text, { class: 'num' });

/** A small horizontal agreement meter. */
function meter(value) {
  if (value === null || value === undefined) return h('span', { class: 'muted' }, '—');
  const bar = h('span', { style: { display: 'inline-block', width: '120px', height: '8px', borderRadius: '4px', background: '#eef0f3', verticalAlign: 'middle', overflow: 'hidden' } },
    h('span', { style: { display: 'block', height: '100%', width: `${Math.max(0, Math.min(1, value)) * 100}%`, background: agreementColor(value) } }));
  return h('span', null, bar, h('span', { class: 'small muted', style: { marginLeft: '8px' } }, pct(value)));
}

function renderSummary(summary) {
  const stat = (v, k) => h('div', { class: 'stat' }, h('div', { class: 'v' }, v), h('div', { class: 'k' }, k));
  const headline = summary.controls.find((c) => c.value !== null);
  document.getElementById('quality-stats').replaceChildren(
    stat(String(summary.annotations), 'annotations'),
    stat(`${summary.overlapping_tasks} / ${summary.annotated_tasks}`, 'tasks with overlap'),
    stat(String(summary.annotators), 'annotators'),
    stat(headline ? num(headline.value) : '—', headline ? `${headline.metric} · ${headline.control}` : 'agreement'),
  );
  const rows = summary.controls.map((c) => h('tr', { 'data-control': c.control },
    cell(h('b', null, c.control)), cell(h('span', { class: 'pill' }, c.type)), cell(h('code', { class: 'small' }, c.metric)),
    numCell(num(c.value)), cell(meter(c.mean_pairwise)), numCell(String(c.items)),
    numCell(c.low_agreement_items ? h('span', { class: 'pill pill-warn' }, String(c.low_agreement_items)) : '0')));
  document.querySelector('#controls-table tbody').replaceChildren(...(rows.length ? rows : [h('tr', null, h('td', { colspan: 7, class: 'muted' }, 'No controls.'))]));
  const select = document.getElementById('matrix-control');
  const previous = select.value;
  select.replaceChildren(...summary.controls.map((c) => h('option', { value: c.control }, c.control)));
  if (summary.controls.some((c) => c.control === previous)) select.value = previous;
  const threshold = `Threshold for low agreement: ${pct(summary.low_agreement_threshold)}.`;
  const pending = summary.pending
    ? ` ${summary.pending.toLocaleString()} recent changes are still being counted; the figures update by themselves.`
    : '';
  document.getElementById('computed').textContent = threshold + pending;
}

const RECHECK_MS = 5000;

function renderAnnotators(report) {
  const rows = report.annotators.map((a) => h('tr', { 'data-user': a.user_id ?? '' },
    cell(h('b', { title: who(a) }, shortName(a))), numCell(String(a.annotations)),
    numCell(a.gold_answers ? h('span', { title: `${a.gold_answers} gold answers` }, pct(a.gold_accuracy)) : '—'),
    numCell(pct(a.consensus_agreement)), numCell(pct(a.peer_agreement)),
    numCell(a.reviews.reviewed ? h('span', { title: `${a.reviews.rejected} of ${a.reviews.reviewed} reviews` }, pct(a.reviews.reject_rate)) : '—'),
    numCell(a.annotations_per_active_week === null ? '—' : a.annotations_per_active_week.toFixed(1)),
    numCell(a.lead_time_ms_median === null ? '—' : `${(a.lead_time_ms_median / 1000).toFixed(1)} s`),
    cell(a.drift.drifted
      ? h('span', { class: 'pill pill-danger', title: `gold accuracy ${pct(a.drift.past_accuracy)} → ${pct(a.drift.recent_accuracy)} (p = ${a.drift.p_value.toFixed(3)}, ${a.drift.method})` }, 'drifting')
      : h('span', { class: 'pill pill-ok' }, 'stable'))));
  document.querySelector('#annotators-table tbody').replaceChildren(...(rows.length ? rows : [h('tr', null, h('td', { colspan: 9, class: 'muted' }, 'No annotations yet.'))]));
  const weeks = [...new Set(report.annotators.flatMap((a) => a.weekly.filter((w) => w.gold_answers).map((w) => w.week)))].sort();
  const series = report.annotators.filter((a) => a.gold_answers).map((a, i) => {
    const byWeek = new Map(a.weekly.map((w) => [w.week, w.gold_accuracy]));
    return { label: shortName(a), color: COLORS[i % COLORS.length], values: weeks.map((w) => byWeek.get(w) ?? null) };
  });
  document.getElementById('gold-chart').replaceChildren(weeks.length
    ? lineChart(weeks.map((w) => w.replace(/^\d{4}-/, '')), series)
    : h('p', { class: 'muted' }, 'No gold answers yet. Mark tasks as gold to score annotators.'));
}

async function renderMatrix(control) {
  const target = document.getElementById('heatmap');
  try {
    const m = await api('GET', `/projects/${id}/quality/agreement-matrix`, { query: control ? { control } : {} });
    target.replaceChildren(m.annotators.length >= 2
      ? h('div', null, heatmap(m.annotators.map(shortName), m.matrix, m.counts),
        h('p', { class: 'small muted' }, 'Mean pairwise agreement on shared tasks; columns follow the row order.'))
      : h('p', { class: 'muted' }, 'Needs two annotators with shared tasks.'));
  } catch (err) {
    target.replaceChildren(h('p', { class: 'muted' }, err.message));
  }
}

const short = (v) => {
  if (v === null || v === undefined) return '—';
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
};

function renderIssues(issues) {
  const counts = Object.entries(issues.by_kind).map(([k, n]) => `${KIND_LABELS[k] || k}: ${n}`).join(' · ');
  document.getElementById('issue-counts').textContent = counts ? `${issues.total} flagged — ${counts}` : 'none flagged';
  const rows = issues.items.map((i) => h('tr', { 'data-task': i.task_id, 'data-kind': i.kind },
    cell(h('a', { href: `/projects/${id}/data?task=${i.task_id}` }, `Task ${i.task_id}`)), cell(i.control),
    cell(h('span', { class: `pill ${i.kind === 'low-agreement' ? 'pill-warn' : 'pill-danger'}` }, KIND_LABELS[i.kind] || i.kind)),
    numCell(num(i.score, 2)), cell(h('code', { class: 'small' }, short(i.given))), cell(h('code', { class: 'small' }, short(i.suggested)))));
  document.querySelector('#issues-table tbody').replaceChildren(...(rows.length ? rows : [h('tr', null, h('td', { colspan: 6, class: 'muted' }, 'No likely label errors.'))]));
  const actions = document.getElementById('issue-actions');
  actions.replaceChildren();
  if (['manager', 'admin'].includes(role) && issues.total) {
    actions.append(h('button', {
      class: 'btn btn-primary', id: 'send-to-review', type: 'button',
      onclick: async (e) => {
        e.target.disabled = true;
        try {
          const sent = await api('POST', `/projects/${id}/quality/label-issues/review`, { json: {} });
          toast(`${sent.updated} task${sent.updated === 1 ? '' : 's'} sent back to review`);
        } catch (err) {
          toast(err.message, { error: true });
          e.target.disabled = false;
        }
      },
    }, 'Send flagged back to review'));
  }
}

async function load() {
  try {
    const [summary, annotators, issues] = await Promise.all([
      api('GET', `/projects/${id}/quality`),
      api('GET', `/projects/${id}/quality/annotators`),
      api('GET', `/projects/${id}/quality/label-issues`, { query: { limit: 50 } }),
    ]);
    renderSummary(summary);
    renderAnnotators(annotators);
    renderIssues(issues);
    await renderMatrix(document.getElementById('matrix-control').value);
    document.getElementById('main').dataset.loaded = 'true';
    if (summary.pending) setTimeout(load, RECHECK_MS);
  } catch (err) {
    document.getElementById('quality-stats').replaceChildren(h('p', { class: 'muted' }, err.message));
  }
}

document.getElementById('matrix-control').addEventListener('change', (e) => renderMatrix(e.target.value));
load();
