// The labeling workbench: label, review and adjudicate stages.

import { api, ApiError, problemLines } from '../lib/api.js';
import { ACTION_KEYS, CHANGE_EVENT, DRAFT_PREFIX, IMAGE_SHORTCUTS, OUTBOX_KEY, RETRY_MS, TOOL_TAGS } from '../lib/constants.js';
import { History } from '../lib/history.js';
import { buildHotkeyMap, comboOf, displayCombo, normalizeCombo } from '../lib/hotkeys.js';
import { renderMarkdown } from '../lib/markdown.js';
import { summarizeValue } from '../lib/summary.js';
import { h, pageProject, toast } from '../ui.js';

const { id: projectId } = pageProject();
const root = document.getElementById('workbench');
const stage = root.dataset.stage;
const content = document.getElementById('wb-content');
const actions = document.getElementById('wb-actions');
const side = document.getElementById('wb-context');
const suggestionsBox = document.getElementById('wb-suggestions');
const banners = document.getElementById('banner-area');
const saveState = document.getElementById('save-state');
const outboxState = document.getElementById('outbox-state');

const ACTIONS = Object.fromEntries(Object.entries(ACTION_KEYS).map(([k, v]) => [k, normalizeCombo(v)]));

const state = {
  project: null,
  controls: [],
  objects: {},
  hotkeys: { keys: new Map(), byLabel: new Map(), conflicts: [] },
  served: null,
  results: {},
  history: new History({}),
  predictionId: null,
  startedAt: 0,
  mode: 'label', // label | view (review before fix) | fix | compose
  busy: false,
  /** @type {Promise<object | null> | null} the claim fetched ahead of time */
  prefetched: null,
  /** @type {Map<string, HTMLElement>} */
  tools: new Map(),
  /** @type {Map<string, any>} image stages by object name (their controls dock in them) */
  stages: new Map(),
};

// ---------------------------------------------------------------- outbox (retried submits)

function readOutbox() {
  try {
    return JSON.parse(localStorage.getItem(OUTBOX_KEY) || '[]');
  } catch {
    return [];
  }
}

/**
 * Store the queue; `quiet` (a submit about to be sent) leaves the pending badge alone, so it
 * appears only once a send has failed.
 */
function writeOutbox(items, { quiet = false } = {}) {
  if (items.length) localStorage.setItem(OUTBOX_KEY, JSON.stringify(items));
  else localStorage.removeItem(OUTBOX_KEY);
  if (quiet) return;
  const mine = items.filter((i) => i.project_id === projectId);
  outboxState.hidden = !mine.length;
  outboxState.textContent = mine.length ? `${mine.length} submission pending — retrying…` : '';
}

let retryTimer = null;

/**
 * Send every queued submission. Resolves true when the queue is empty; on a network or server
 * failure, keeps the entry, shows it, and schedules another try.
 */
async function flushOutbox() {
  clearTimeout(retryTimer);
  let items = readOutbox();
  while (items.length) {
    const entry = items[0];
    try {
      const path = `/assignments/${entry.assignment_id}/${entry.action || 'submit'}`;
      await api('POST', path, entry.body === undefined ? {} : { json: entry.body });
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0;
      if (status === 0 || status >= 500 || status === 401) {
        writeOutbox(items);
        retryTimer = setTimeout(() => flushOutbox().then((ok) => ok && loadNext()), RETRY_MS);
        return false;
      }
      if (status === 409 || status === 404) {
        // already recorded (a retry after the answer was lost) or the lease is gone
        if (!/already/i.test(err.message)) toast(err.message, { error: true });
      } else {
        items = items.slice(1);
        writeOutbox(items);
        throw err;
      }
    }
    items = items.slice(1);
    writeOutbox(items);
  }
  return true;
}

// ---------------------------------------------------------------- drafts

function draftKey() {
  return state.served ? `${DRAFT_PREFIX}${state.served.assignment.id}` : null;
}

function saveDraft() {
  const key = draftKey();
  if (!key) return;
  localStorage.setItem(key, JSON.stringify({ results: state.results, predictionId: state.predictionId, mode: state.mode }));
  saveState.textContent = 'Draft saved';
}

function loadDraft() {
  const key = draftKey();
  try {
    return key ? JSON.parse(localStorage.getItem(key) || 'null') : null;
  } catch {
    return null;
  }
}

function clearDraft() {
  const key = draftKey();
  if (key) localStorage.removeItem(key);
}

// ---------------------------------------------------------------- rendering

function showBanner(kind, text, ...extra) {
  const el = h('div', { class: `banner ${kind}`, role: kind === 'danger' ? 'alert' : 'status' }, h('span', null, text), ...extra);
  banners.append(el);
  return el;
}

function objectData(name) {
  const spec = state.objects[name] || {};
  const data = state.served.task.data;
  // a responses object with `values` has one response per data key: the key is its id
  if (spec.type === 'responses' && Array.isArray(spec.values)) {
    if (!spec.values.some((key) => data[key] != null)) return undefined;
    return spec.values.map((key) => ({ id: key, text: data[key] }));
  }
  return data[spec.value || name];
}

/**
 * Text objects that only show a response of a responses object with `values` (a Label Studio
 * Pairwise's compared texts): the responses object shows them, so they are not shown again.
 * @returns {Set<string>} object names
 */
function responseTexts() {
  const keys = new Set(Object.values(state.objects).flatMap((o) => (o.type === 'responses' && Array.isArray(o.values) ? o.values : [])));
  const labeled = new Set(state.controls.map((c) => c.of));
  return new Set(Object.entries(state.objects).filter(([n, o]) => o.type === 'text' && keys.has(o.value || n) && !labeled.has(n)).map(([n]) => n));
}

function regionsOf(results) {
  const out = [];
  for (const c of state.controls) {
    if ((c.type === 'spans' || c.type === 'regions') && Array.isArray(results[c.name])) {
      for (const s of results[c.name]) if (s.id) out.push({ ...s, control: c.name });
    }
  }
  return out;
}

/**
 * Translation pairs: the first `textarea` control of a `text` object that no `spans` control
 * labels shows that text as its source, side by side (the object is not shown on its own).
 * @returns {Map<string, string>} object name -> textarea control name
 */
function translationPairs() {
  const spanObjects = new Set(state.controls.filter((c) => c.type === 'spans').map((c) => c.of));
  const pairs = new Map();
  for (const c of state.controls) {
    if (c.type === 'textarea' && state.objects[c.of]?.type === 'text' && !spanObjects.has(c.of) && !pairs.has(c.of)) pairs.set(c.of, c.name);
  }
  return pairs;
}

function contextFor(control, results) {
  const obj = control.of ? state.objects[control.of] : null;
  if (control.type === 'spans') return { text: String(objectData(control.of) ?? '') };
  if (control.type === 'relations') {
    const allowed = control.between ? new Set(control.between) : null;
    return { regions: regionsOf(results).filter((r) => !allowed || allowed.has(r.control)) };
  }
  if (control.type === 'textarea' && translationPairs().get(control.of) === control.name) return { source: String(objectData(control.of) ?? ''), sourceName: control.of };
  if (obj && obj.type === 'responses') return { responses: objectData(control.of) || [] };
  if (control.type === 'regions') {
    // suggested regions (with their text) from the task's predictions, accepted one by one
    const preds = stage === 'label' ? state.served.predictions || [] : [];
    return { suggestions: preds.flatMap((p) => (Array.isArray(p.results[control.name]) ? p.results[control.name] : []).map((r) => ({ ...r, origin: p.origin }))) };
  }
  if (control.type === 'fields') return { regions: regionsOf(results).filter((r) => state.controls.find((c) => c.name === r.control)?.type === 'regions') };
  return {};
}

function renderObject(name, spec) {
  const value = objectData(name);
  const box = h('section', { class: 'obj', 'data-object': name }, h('div', { class: 'obj-label' }, name));
  if (spec.type === 'text') box.append(h('div', { class: 'obj-text' }, String(value ?? '')));
  else if (spec.type === 'image') {
    const stage = document.createElement('lw-image-stage');
    stage.dataset.object = name;
    state.stages.set(name, stage);
    stage.load(value).catch(() => {});
    box.classList.add('obj-image');
    box.append(stage);
  } else if (spec.type === 'document') {
    // pages (a PDF rendered by the server) on a stage that the document's controls dock in
    const doc = document.createElement('lw-document');
    doc.dataset.object = name;
    state.stages.set(name, doc.stage);
    doc.load({ taskId: state.served.task.id, name }).catch(() => {});
    box.classList.add('obj-document');
    box.append(doc);
  } else if (spec.type === 'conversation') {
    for (const m of value || []) {
      box.append(h('div', { class: `message ${m.role === 'user' ? 'user' : 'assistant'}` }, h('span', { class: 'role' }, m.role), m.content));
    }
  } else if (spec.type === 'responses') {
    const pair = (value || []).length === 2;
    box.append(
      h('div', { class: 'responses' }, (value || []).map((r, i) =>
        h('article', { class: 'response', 'data-response': r.id },
          h('span', { class: 'rid' }, pair ? `${i === 0 ? 'A' : 'B'} · ${r.id}` : r.id), h('div', null, r.text ?? '')))),
    );
  } else box.append(h('pre', { class: 'json' }, JSON.stringify(value, null, 2)));
  return box;
}

function makeTool(control, value, { readonly = false } = {}) {
  const tag = TOOL_TAGS[control.type];
  if (!tag) return h('p', { class: 'muted small' }, `The ${control.type} tool is not available in this workbench yet.`);
  const el = document.createElement(tag);
  const keys = new Map();
  for (const [k, v] of state.hotkeys.byLabel) {
    const [c, label] = [k.slice(0, k.indexOf('/')), k.slice(k.indexOf('/') + 1)];
    if (c === control.name) keys.set(label, v);
  }
  el.keys = keys;
  el.config = control;
  el.context = contextFor(control, state.results);
  el.value = value ?? null;
  el.readonly = readonly;
  return el;
}

function renderControls(results, { readonly = false } = {}) {
  state.tools.clear();
  state.stages.clear();
  const spanObjects = new Set(state.controls.filter((c) => c.type === 'spans').map((c) => c.of));
  const pairs = translationPairs();
  const shownAsResponses = responseTexts();
  const parts = [];
  for (const [name, spec] of Object.entries(state.objects)) {
    if (!spanObjects.has(name) && !pairs.has(name) && !shownAsResponses.has(name)) parts.push(renderObject(name, spec));
  }
  for (const control of state.controls) {
    const tool = makeTool(control, results[control.name], { readonly });
    if (!readonly) state.tools.set(control.name, tool);
    const section = h('section', { class: `ctl${control.required ? ' required' : ''}`, 'data-control': control.name },
      h('div', { class: 'ctl-label' }, h('span', { class: 'name' }, control.name), h('span', { class: 'muted' }, control.description || control.type)),
      tool);
    // the controls of an image dock beside it; their tools draw on its stage
    const stage = state.stages.get(control.of);
    if (stage) {
      stage.readonly = readonly;
      stage.dock(section);
    } else parts.push(section);
  }
  return parts;
}

function setResults(results, { record = true } = {}) {
  state.results = results;
  if (record) state.history.push(results);
  for (const [name, tool] of state.tools) {
    const control = state.controls.find((c) => c.name === name);
    tool.context = contextFor(control, results);
    tool.value = results[name] ?? null;
  }
  saveDraft();
}

function onToolChange(event) {
  const { control, value } = event.detail;
  if (!state.tools.has(control)) return;
  const next = { ...state.results };
  if (value === null || value === undefined) delete next[control];
  else next[control] = value;
  // drop relations whose regions are gone
  const ids = new Set(regionsOf(next).map((r) => r.id));
  for (const c of state.controls) {
    if (c.type === 'relations' && Array.isArray(next[c.name])) {
      next[c.name] = next[c.name].filter((r) => ids.has(r.from) && ids.has(r.to));
    }
  }
  state.history.push(next);
  state.results = next;
  for (const [name, tool] of state.tools) {
    const c = state.controls.find((x) => x.name === name);
    if (c.type === 'fields') tool.context = contextFor(c, next);
    if (c.type === 'relations') {
      tool.context = contextFor(c, next);
      if (JSON.stringify(tool.value) !== JSON.stringify(next[name] ?? null)) tool.value = next[name] ?? null;
    }
  }
  saveDraft();
}

content.addEventListener(CHANGE_EVENT, onToolChange);

function actionButton(text, combo, onClick, cls = '') {
  return h('button', { type: 'button', class: `btn ${cls}`, onclick: onClick, 'data-action': text.toLowerCase() },
    h('span', null, text), combo ? h('kbd', null, displayCombo(combo)) : null);
}

/**
 * Shortcut rows of the image stage and the region tools on it (none when no object of the task
 * is an image or a document); keys that edit only when `editing`.
 */
function imageShortcutRows(editing) {
  const staged = new Set(Object.entries(state.objects).filter(([, o]) => o.type === 'image' || o.type === 'document').map(([n]) => n));
  if (!staged.size) return [];
  const controls = state.controls.filter((c) => staged.has(c.of));
  const types = new Set(controls.map((c) => c.type));
  const rotates = controls.some((c) => c.type === 'boxes' && c.rotation);
  return IMAGE_SHORTCUTS.filter((k) => (editing || !k.edit) && (!k.types || k.types.some((t) => types.has(t))) && (!k.rotation || rotates))
    .flatMap((k) => [
      h('dt', { 'data-image-key': k.keys.join(' ') }, k.keys.map((key) => h('kbd', null, key === '+' ? '+' : displayCombo(key)))),
      h('dd', null, k.what),
    ]);
}

function renderShortcuts() {
  const dl = document.getElementById('shortcut-list');
  const rows = [];
  const add = (combo, what) => rows.push(h('dt', null, h('kbd', null, displayCombo(combo))), h('dd', null, what));
  const PW = { a: 'A is better', b: 'B is better', tie: 'Tie' };
  if (stage === 'review' && state.mode === 'view') {
    add(ACTIONS.accept, 'Accept');
    add(ACTIONS.reject, 'Reject (with a comment)');
    add(ACTIONS.fix, 'Fix it yourself');
    add(ACTIONS.release, 'Release');
    rows.push(...imageShortcutRows(false));
    add('g', 'Guidelines');
    dl.replaceChildren(...rows);
    return;
  }
  for (const [combo, target] of state.hotkeys.keys) {
    add(combo, `${target.control}: ${target.type === 'pairwise' ? PW[target.label] : target.label}`);
  }
  if (stage === 'label' || state.mode === 'fix' || state.mode === 'compose') {
    add(ACTIONS.undo, 'Undo');
    add(ACTIONS.redo, 'Redo');
  }
  if (state.controls.some((c) => c.type === 'spans')) add(ACTIONS.deleteRegion, 'Delete selected span');
  rows.push(...imageShortcutRows(stage === 'label' || state.mode === 'fix' || state.mode === 'compose'));
  add('g', 'Guidelines');
  dl.replaceChildren(...rows);
}

function renderActions() {
  const parts = [];
  if (stage === 'label') {
    parts.push(
      actionButton('Submit', ACTIONS.submit, () => submitLabel(), 'btn-primary'),
      h('div', { class: 'group' },
        actionButton('Skip', ACTIONS.skip, () => giveBack('skip')),
        actionButton('Release', ACTIONS.release, () => giveBack('release'))),
      actionButton('Escalate', ACTIONS.escalate, () => openEscalate()),
      h('div', { class: 'group' },
        actionButton('Undo', ACTIONS.undo, () => undo(), 'btn-sm'),
        actionButton('Redo', ACTIONS.redo, () => redo(), 'btn-sm')),
    );
  } else if (stage === 'review') {
    const form = h('div', { class: 'review-form' },
      h('label', { class: 'field' }, h('span', null, 'Comment'), h('textarea', { id: 'review-comment', rows: 3, placeholder: 'Required to reject' })),
      h('div', { class: 'row' },
        h('label', { class: 'field' }, h('span', null, 'Severity'),
          h('select', { id: 'review-severity' }, h('option', { value: '' }, '—'), h('option', { value: 'minor' }, 'Minor'), h('option', { value: 'major' }, 'Major'), h('option', { value: 'critical' }, 'Critical'))),
        h('label', { class: 'field' }, h('span', null, 'Category'), h('input', { id: 'review-category', placeholder: 'e.g. boundary' }))),
    );
    if (state.mode === 'fix') {
      parts.push(actionButton('Submit fix', ACTIONS.submit, () => submitReview('fix'), 'btn-primary'), form,
        actionButton('Cancel fix', null, () => enterReviewMode('view')));
    } else {
      parts.push(
        h('div', { class: 'verdicts' },
          actionButton('Accept', ACTIONS.accept, () => submitReview('accept'), 'btn-ok'),
          actionButton('Reject', ACTIONS.reject, () => submitReview('reject'), 'btn-danger'),
          actionButton('Fix', ACTIONS.fix, () => enterReviewMode('fix'))),
        form,
      );
    }
    parts.push(actionButton('Release', ACTIONS.release, () => giveBack('release'), 'btn-sm'));
  } else {
    parts.push(
      actionButton('Submit final', ACTIONS.submit, () => submitCompose(), 'btn-primary'),
      actionButton('Release', ACTIONS.release, () => giveBack('release'), 'btn-sm'),
    );
  }
  actions.replaceChildren(...parts);
  renderShortcuts();
}

function renderSide() {
  const s = state.served;
  const parts = [];
  if (s.comments.length) {
    parts.push(h('section', { class: 'side-block' }, h('h3', null, 'Comments'),
      s.comments.map((c) => h('p', { class: 'small' }, c.body))));
  }
  parts.push(h('section', { class: 'side-block' }, h('h3', null, 'Task'),
    h('p', { class: 'small muted' }, `Task ${s.task.id} · schema v${s.schema_version} · guidelines v${s.guideline_version}`)));
  side.replaceChildren(...parts);
  const preds = stage === 'label' ? s.predictions : [];
  suggestionsBox.replaceChildren(...(preds.length ? [h('section', { class: 'side-block' }, h('h3', null, 'Suggestions'),
    preds.map((p) => h('div', { class: 'suggestion', 'data-prediction': p.id },
      h('div', null, h('b', null, p.origin), p.score !== null ? h('span', { class: 'score muted' }, ` · score ${p.score.toFixed(2)}`) : null),
      h('div', { class: 'small muted' }, Object.entries(p.results).map(([k, v]) => `${k}: ${summarizeValue(v)}`).join('; ')),
      h('button', { type: 'button', class: 'btn btn-sm', onclick: () => useSuggestion(p) }, state.predictionId === p.id ? 'In use' : 'Use suggestion'))))] : []));
}

function useSuggestion(p) {
  const known = new Set(state.controls.map((c) => c.name));
  const results = Object.fromEntries(Object.entries(p.results).filter(([k]) => known.has(k)));
  state.predictionId = p.id;
  setResults(results);
  renderSide();
  toast(`Suggestion ${p.origin} loaded; edit it, then submit.`);
}

function renderBanners() {
  banners.replaceChildren();
  const s = state.served;
  if (s.guidelines_changed) {
    const changes = s.guideline_changes.length ? `: ${s.guideline_changes.join('; ')}` : '';
    const ack = h('button', { class: 'btn btn-sm', type: 'button', id: 'ack-guidelines' }, 'Read & acknowledge');
    const el = showBanner('warn', `The guidelines changed${changes}.`, ack);
    ack.addEventListener('click', async () => {
      openGuidelines();
      await api('POST', `/projects/${projectId}/guidelines/ack`);
      el.remove();
    });
  }
  if (stage === 'label') {
    for (const r of s.reviews.filter((x) => x.verdict === 'reject')) {
      const sev = r.severity ? ` (${r.severity}${r.category ? `, ${r.category}` : ''})` : '';
      showBanner('danger', `Returned by a reviewer${sev}: ${r.comment || 'no comment'}`);
    }
  }
  for (const e of s.escalations) showBanner('warn', `Escalated: ${e.reason || 'no reason given'}`);
}

function renderDone() {
  state.served = null;
  document.getElementById('task-title').textContent = 'Queue empty';
  content.replaceChildren(h('div', { class: 'done-state' }, h('h2', null, 'Nothing left for you here'),
    h('p', { class: 'muted' }, stage === 'label' ? 'Every task available to you is labeled. Check back later.' : `No tasks are waiting for ${stage === 'review' ? 'review' : 'adjudication'}.`),
    h('a', { class: 'btn', href: `/projects/${projectId}` }, 'Back to the project')));
  actions.replaceChildren();
  side.replaceChildren();
  suggestionsBox.replaceChildren();
  banners.replaceChildren();
  content.setAttribute('aria-busy', 'false');
}

function renderTask() {
  const s = state.served;
  document.getElementById('task-title').textContent = `Task ${s.task.id}`;
  renderBanners();
  renderSide();
  if (stage === 'label') {
    const draft = loadDraft();
    const start = draft?.results || s.assignment.draft || {};
    state.predictionId = draft?.predictionId ?? null;
    state.results = start;
    state.history.reset(start);
    state.mode = 'label';
    content.replaceChildren(...renderControls(start));
    if (draft) saveState.textContent = 'Draft restored';
  } else if (stage === 'review') {
    const draft = loadDraft();
    enterReviewMode(draft?.mode === 'fix' ? 'fix' : 'view', draft?.results);
  } else {
    renderAdjudication();
  }
  renderActions();
  renderSide();
  content.setAttribute('aria-busy', 'false');
  state.startedAt = performance.now();
}

function reviewedAnnotation() {
  const list = state.served.under_review;
  return list[list.length - 1];
}

function enterReviewMode(mode, draftResults) {
  state.mode = mode;
  const annotation = reviewedAnnotation();
  const head = h('section', { class: 'review-card' },
    h('div', { class: 'ctl-label' }, h('span', null, 'Annotation under review'),
      h('span', null, annotation ? `#${annotation.id} · ${annotation.origin} · guidelines v${annotation.guideline_version}` : '')));
  if (mode === 'fix') {
    const start = draftResults || structuredClone(annotation?.results || {});
    state.results = start;
    state.history.reset(start);
    content.replaceChildren(head, ...renderControls(start));
    saveDraft();
  } else {
    state.results = {};
    content.replaceChildren(head, ...renderControls(annotation?.results || {}, { readonly: true }));
    clearDraft();
  }
  renderActions();
}

function renderAdjudication() {
  const s = state.served;
  const anns = s.under_review;
  const table = h('table', { class: 'compare', id: 'compare' });
  const head = h('tr', null, h('th', null, 'Control'), anns.map((a, i) =>
    h('th', null, `Annotation ${i + 1} `, h('span', { class: 'muted' }, `#${a.id}`), ' ',
      h('button', { type: 'button', class: 'btn btn-sm', 'data-pick': a.id, onclick: () => pick(a.id) }, 'Pick'))));
  table.append(h('thead', null, head));
  const body = h('tbody');
  for (const c of state.controls) {
    const values = anns.map((a) => JSON.stringify(a.results[c.name] ?? null));
    const differ = new Set(values).size > 1;
    body.append(h('tr', { 'data-control': c.name }, h('th', null, c.name),
      anns.map((a) => h('td', { class: differ ? 'diff' : 'same' }, h('div', { class: 'val' }, summarizeValue(a.results[c.name], c))))));
  }
  table.append(body);
  const escalationDraft = s.escalations.find((e) => e.draft)?.draft;
  const start = loadDraft()?.results || escalationDraft || structuredClone(anns[0]?.results || {});
  state.mode = 'compose';
  state.results = start;
  state.history.reset(start);
  const parts = [];
  if (anns.length) parts.push(h('section', { class: 'obj' }, h('div', { class: 'obj-label' }, 'Annotations side by side', h('span', { class: 'muted' }, 'differences highlighted')), table));
  parts.push(h('h2', { style: { margin: '8px 0 0' } }, 'Compose the final result'));
  content.replaceChildren(...parts, ...renderControls(start));
}

// ---------------------------------------------------------------- actions

async function loadNext() {
  if (state.busy) return;
  state.busy = true;
  content.setAttribute('aria-busy', 'true');
  try {
    if (!(await flushOutbox())) return;
    const ahead = state.prefetched ? await state.prefetched : null;
    state.prefetched = null;
    const served = ahead || (await api('POST', `/projects/${projectId}/next`, { query: { stage } }));
    saveState.textContent = '';
    if (!served) renderDone();
    else {
      state.served = served;
      renderTask();
      prefetchNext();
    }
  } catch (err) {
    if (err instanceof ApiError && err.status === 403) {
      content.replaceChildren(h('div', { class: 'done-state' }, h('h2', null, 'Not your stage'), h('p', { class: 'muted' }, err.message)));
    } else {
      showBanner('danger', `Could not load the next task: ${err.message}. Retrying…`);
      setTimeout(loadNext, RETRY_MS * 2);
    }
  } finally {
    state.busy = false;
  }
}

/** Claim the following task in the background so Submit -> next task needs no round trip. */
function prefetchNext() {
  if (stage !== 'label') return;
  const current = state.served?.assignment.id;
  state.prefetched = api('POST', `/projects/${projectId}/next`, { query: { stage, prefetch: 'true' } })
    .then((next) => (next && next.assignment.id !== current ? next : null))
    .catch(() => null);
}

function leadTime() {
  return Math.max(0, Math.round(performance.now() - state.startedAt));
}

async function send(body, action = 'submit') {
  if (!state.served) return;
  const entry = { project_id: projectId, assignment_id: state.served.assignment.id, action, body };
  writeOutbox([...readOutbox(), entry], { quiet: true });
  try {
    const ok = await flushOutbox();
    clearDraft();
    if (ok) await loadNext();
    else toast('Offline? Your work is kept and will be sent automatically.', { error: true });
  } catch (err) {
    // refused (422): nothing stored; stay on the task
    banners.querySelectorAll('.banner.danger.refused').forEach((b) => b.remove());
    const lines = err instanceof ApiError ? problemLines(err.problem) : [err.message];
    showBanner('danger refused', `Not saved: ${lines.join(' · ')}`);
  }
}

function submitLabel() {
  const body = { results: state.results, lead_time_ms: leadTime() };
  if (state.predictionId !== null) body.prediction_id = state.predictionId;
  return send(body);
}

function reviewFields() {
  return {
    comment: document.getElementById('review-comment')?.value || '',
    severity: document.getElementById('review-severity')?.value || null,
    category: document.getElementById('review-category')?.value || null,
  };
}

function submitReview(verdict) {
  const body = { verdict, lead_time_ms: leadTime(), ...reviewFields() };
  if (verdict === 'reject' && !body.comment.trim()) {
    toast('Say why in a comment before rejecting.', { error: true });
    document.getElementById('review-comment')?.focus();
    return;
  }
  if (verdict === 'fix') body.results = state.results;
  return send(body);
}

function pick(annotationId) {
  return send({ choose_annotation_id: annotationId, lead_time_ms: leadTime() });
}

function submitCompose() {
  return send({ results: state.results, lead_time_ms: leadTime() });
}

async function giveBack(action) {
  if (!state.served) return;
  try {
    await api('POST', `/assignments/${state.served.assignment.id}/${action}`);
    clearDraft();
    toast(action === 'skip' ? 'Skipped' : 'Released');
    await loadNext();
  } catch (err) {
    toast(err.message, { error: true });
  }
}

function openEscalate() {
  const dialog = /** @type {HTMLDialogElement} */ (document.getElementById('escalate-dialog'));
  document.getElementById('escalate-reason').value = '';
  dialog.showModal();
}

document.getElementById('escalate-form').addEventListener('submit', async (e) => {
  const dialog = document.getElementById('escalate-dialog');
  if (e.submitter?.value !== 'ok') return;
  const reason = document.getElementById('escalate-reason').value.trim();
  if (!reason || !state.served) {
    e.preventDefault();
    return;
  }
  try {
    await api('POST', `/assignments/${state.served.assignment.id}/escalate`, { json: { reason, draft: state.results } });
    clearDraft();
    dialog.close();
    toast('Escalated to an expert');
    await loadNext();
  } catch (err) {
    toast(err.message, { error: true });
  }
});

function undo() {
  setResults(state.history.undo(), { record: false });
}

function redo() {
  setResults(state.history.redo(), { record: false });
}

function openGuidelines() {
  const dialog = /** @type {HTMLDialogElement} */ (document.getElementById('guidelines-dialog'));
  const text = state.project?.guidelines || '';
  document.getElementById('guidelines-body').innerHTML = text.trim() ? renderMarkdown(text) : '<p class="muted">This project has no guidelines yet.</p>';
  if (!dialog.open) dialog.showModal();
}

document.querySelector('#guidelines-dialog [data-close]').addEventListener('click', () => document.getElementById('guidelines-dialog').close());

// ---------------------------------------------------------------- keyboard

function isTyping(target) {
  const el = /** @type {HTMLElement} */ (target);
  return el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
}

document.addEventListener('keydown', (event) => {
  if (!state.served || document.querySelector('dialog[open]')) return;
  const combo = comboOf(event);
  const modified = combo.includes('+');
  if (isTyping(event.target) && !modified) return;
  const editing = stage === 'label' || state.mode === 'fix' || state.mode === 'compose';
  const run = (fn) => {
    event.preventDefault();
    fn();
  };
  if (combo === ACTIONS.submit) {
    if (stage === 'label') return run(submitLabel);
    if (stage === 'review') return run(() => (state.mode === 'fix' ? submitReview('fix') : submitReview('accept')));
    return run(submitCompose);
  }
  if (combo === ACTIONS.undo && editing && !isTyping(event.target)) return run(undo);
  if ((combo === ACTIONS.redo || combo === 'Ctrl+Shift+z') && editing && !isTyping(event.target)) return run(redo);
  if (combo === ACTIONS.release) return run(() => giveBack('release'));
  if (stage === 'label' && combo === ACTIONS.skip) return run(() => giveBack('skip'));
  if (stage === 'label' && combo === ACTIONS.escalate) return run(openEscalate);
  if (stage === 'review' && state.mode === 'view') {
    if (combo === ACTIONS.accept) return run(() => submitReview('accept'));
    if (combo === ACTIONS.reject) return run(() => submitReview('reject'));
    if (combo === ACTIONS.fix) return run(() => enterReviewMode('fix'));
  }
  if (combo === 'g' || combo === '?') return run(openGuidelines);
  if ((combo === 'Delete' || combo === 'Backspace') && editing) {
    for (const tool of state.tools.values()) if (tool.deleteSelected?.()) return run(() => {});
  }
  const target = state.hotkeys.keys.get(combo);
  if (target && editing) {
    const tool = state.tools.get(target.control);
    if (tool && !tool.applyKey(target.label) && target.type === 'spans') {
      tool.armed = tool.armed === target.label ? null : target.label;
      tool.render();
    }
    event.preventDefault();
  }
});

// ---------------------------------------------------------------- start

/** The module defining each control type's tool (tools are loaded only when a schema uses them). */
const TOOL_MODULES = {
  choice: '../tools/choice.js',
  choices: '../tools/choice.js',
  rating: '../tools/scalar.js',
  rubric: '../tools/scalar.js',
  number: '../tools/scalar.js',
  textarea: '../tools/scalar.js',
  spans: '../tools/spans.js',
  relations: '../tools/relations.js',
  pairwise: '../tools/compare.js',
  ranking: '../tools/compare.js',
  boxes: '../tools/image/index.js',
  polygons: '../tools/image/index.js',
  keypoints: '../tools/image/index.js',
  masks: '../tools/image/index.js',
  regions: '../tools/document/index.js',
  fields: '../tools/document/index.js',
};
/** Modules that show an object type (the image stage, the document viewer). */
const OBJECT_MODULES = { image: '../tools/image/index.js', document: '../tools/document/index.js' };

/**
 * Load the tool modules the schema needs, all at once, before any tool is composed (a custom
 * element created before its class is defined would not take its properties).
 * @param {{objects?: object, controls?: object[]}} schema
 */
function loadTools(schema) {
  const urls = new Set();
  for (const spec of Object.values(schema.objects || {})) if (OBJECT_MODULES[spec.type]) urls.add(OBJECT_MODULES[spec.type]);
  for (const c of schema.controls || []) if (TOOL_MODULES[c.type]) urls.add(TOOL_MODULES[c.type]);
  return Promise.all([...urls].map((url) => import(url)));
}

async function start() {
  writeOutbox(readOutbox());
  try {
    state.project = await api('GET', `/projects/${projectId}`);
    await loadTools(state.project.schema);
  } catch (err) {
    content.replaceChildren(h('p', { class: 'form-error' }, err.message));
    return;
  }
  state.controls = state.project.schema.controls || [];
  state.objects = state.project.schema.objects || {};
  state.hotkeys = buildHotkeyMap(state.controls);
  await loadNext();
}

start();
