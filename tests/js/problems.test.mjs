import assert from 'node:assert/strict';
import { test } from 'node:test';

import { problemLines } from '../../src/labelwright/web/static/js/lib/api.js';

test('domain problems name the control (and item) before the reason', () => {
  const problem = {
    detail: 'Control quality: ...',
    errors: [
      { control: 'quality', index: null, reason: "responses 'a2' are not rated" },
      { control: 'entities', index: 2, reason: 'span 3-5 overlaps span 4-6' },
      { object: 'pair', key: 'pair', reason: 'responses data must be a list' },
    ],
  };
  assert.deepEqual(problemLines(problem), [
    "quality: responses 'a2' are not rated",
    'entities item 2: span 3-5 overlaps span 4-6',
    'pair: responses data must be a list',
  ]);
});

test('request validation errors keep their location', () => {
  const problem = { errors: [{ loc: ['body', 'results'], msg: 'field required' }, { loc: [], msg: 'bad' }] };
  assert.deepEqual(problemLines(problem), ['results: field required', 'bad']);
});

test('a problem without errors gives its detail', () => {
  assert.deepEqual(problemLines({ detail: 'Not found.' }), ['Not found.']);
  assert.deepEqual(problemLines(null), ['Request failed']);
});
