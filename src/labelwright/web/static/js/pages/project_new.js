// Project creation: schema editor with live server validation and a live preview of the tools.

import '../tools/choice.js';
import '../tools/scalar.js';
import '../tools/spans.js';
import '../tools/relations.js';
import '../tools/compare.js';
import { api, ApiError, problemLines } from '../lib/api.js';
import { TOOL_TAGS } from '../lib/constants.js';
import { h } from '../ui.js';

const EXAMPLE = `objects:
  text: {type: text}
controls:
  - name: sentiment
    type: choice
    of: text
    options: [positive, negative, neutral]
    required: true
  - name: entities
    type: spans
    of: text
    labels: [PER, ORG, LOC]
`;

const SAMPLE = {
  text: 'Ada Lovelace met Charles Babbage in London.',
  responses: [{ id: 'r1', text: 'First answer' }, { id: 'r2', text: 'Second answer' }],
};

const form = document.getElementById('project-form');
const source = document.getElementById('schema-source');
const status = document.getElementById('schema-status');
const preview = document.getElementById('schema-preview');
source.value = EXAMPLE;
let timer = null;
let seq = 0;

function renderPreview(schema) {
  const parts = [];
  for (const c of schema.controls || []) {
    const tag = TOOL_TAGS[c.type];
    const obj = (schema.objects || {})[c.of] || {};
    const el = tag ? document.createElement(tag) : h('p', { class: 'muted small' }, `${c.type} (no preview)`);
    if (tag) {
      el.config = c;
      el.context = c.type === 'spans' ? { text: SAMPLE.text } : obj.type === 'responses' ? { responses: SAMPLE.responses } : {};
    }
    parts.push(h('section', { class: 'ctl', 'data-control': c.name }, h('div', { class: 'ctl-label' }, h('span', null, c.name), h('span', { class: 'muted' }, c.type)), el));
  }
  preview.replaceChildren(...parts);
}

async function check() {
  const mine = ++seq;
  try {
    const result = await api('POST', '/ui/schema-check', { json: { source: source.value } });
    if (mine !== seq) return;
    const n = (result.schema.controls || []).length;
    status.className = 'schema-status ok';
    status.textContent = `✓ Valid schema: ${Object.keys(result.schema.objects || {}).length} object(s), ${n} control(s).`;
    renderPreview(result.schema);
  } catch (err) {
    if (mine !== seq) return;
    status.className = 'schema-status';
    const lines = err instanceof ApiError ? problemLines(err.problem) : [err.message];
    status.replaceChildren(h('ul', { id: 'schema-errors' }, lines.map((l) => h('li', null, l))));
  }
}

source.addEventListener('input', () => {
  clearTimeout(timer);
  timer = setTimeout(check, 250);
});

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const data = new FormData(form);
  const error = document.getElementById('create-error');
  error.hidden = true;
  const workflow = { overlap: Number(data.get('overlap') || 1) };
  const review = Number(data.get('review') || 0);
  if (review > 0) workflow.review = { sample: review };
  try {
    const project = await api('POST', '/projects', {
      json: { name: data.get('name'), description: data.get('description') || '', schema: source.value, guidelines: data.get('guidelines') || '', workflow },
    });
    window.location.assign(`/projects/${project.id}/import`);
  } catch (err) {
    error.textContent = err instanceof ApiError ? problemLines(err.problem).join('\n') : err.message;
    error.hidden = false;
  }
});

check();
