// Export page: the file streams straight to disk; a refused export shows its problem detail.

import { problemLines } from '../lib/api.js';
import { pageProject } from '../ui.js';

const { id } = pageProject();
const form = document.getElementById('export-form');
const errorBox = document.getElementById('export-error');

/** @type {HTMLIFrameElement | null} */
let frame = null;

/**
 * Show a problem (RFC 9457 details: its detail, then any per-field errors it does not already
 * say) or plain text in #export-error.
 * @param {object | string} problem
 */
function showError(problem) {
  const lines = typeof problem === 'string' ? [problem] : [problem.detail || problem.title || 'The export failed.'];
  if (typeof problem === 'object' && problem.errors?.length) {
    for (const line of problemLines(problem)) if (line && !lines[0].includes(line)) lines.push(line);
  }
  errorBox.textContent = lines.join('\n');
  errorBox.hidden = false;
}

/**
 * The export answered with a page instead of a file: it was refused. Read the problem document
 * the frame shows (same origin), else say what status came back.
 */
function readRefusal(target) {
  let text = '';
  try {
    if (target.contentDocument?.URL === 'about:blank') return;
    text = target.contentDocument?.body?.textContent || '';
  } catch {
    // not readable (another origin after a redirect): fall through to the generic message
  }
  try {
    showError(JSON.parse(text));
  } catch {
    showError(text.trim() ? text.trim().slice(0, 500) : 'The export failed; reload the page and try again.');
  }
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  errorBox.hidden = true;
  errorBox.textContent = '';
  const data = new FormData(form);
  const params = new URLSearchParams({ format: String(data.get('format')) });
  if (data.get('annotations')) params.set('annotations', String(data.get('annotations')));
  // A hidden frame navigates to the export: a file (Content-Disposition: attachment) goes to
  // the browser's downloads as it streams, with nothing held in memory; a refusal is a problem
  // document that loads in the frame, where this page can read it. One request either way.
  frame?.remove();
  frame = document.createElement('iframe');
  frame.hidden = true;
  frame.title = 'export download';
  frame.addEventListener('load', (event) => readRefusal(event.target));
  document.body.append(frame);
  frame.src = `/api/v1/projects/${id}/export?${params}`;
});
