// Guidelines editor: Markdown source with a safe live preview; saving creates a new version.

import { api } from '../lib/api.js';
import { renderMarkdown } from '../lib/markdown.js';
import { pageProject, toast } from '../ui.js';

const { id } = pageProject();
const source = document.getElementById('guidelines-source');
const preview = document.getElementById('guidelines-preview');
const save = document.getElementById('guidelines-save');
const show = () => (preview.innerHTML = renderMarkdown(source.value));

/**
 * The editor stays read-only (and Save disabled) until the current guidelines are in it, so the
 * loaded text can never replace what the user typed, and a save never goes out with an editor
 * that has not seen the current version.
 * @param {boolean} ready
 */
function setReady(ready) {
  source.readOnly = !ready;
  save.disabled = !ready;
  source.setAttribute('aria-busy', String(!ready));
  source.placeholder = ready ? 'Write the guidelines in Markdown…' : 'Loading the guidelines…';
}

setReady(false);
source.addEventListener('input', show);
save.addEventListener('click', async () => {
  try {
    const out = await api('PUT', `/projects/${id}/guidelines`, { json: { text: source.value, changelog: document.getElementById('guidelines-changelog').value } });
    toast(`Saved as version ${out.version}`);
  } catch (err) {
    toast(err.message, { error: true });
  }
});

async function load() {
  try {
    const p = await api('GET', `/projects/${id}`);
    source.value = p.guidelines || '';
    show();
    setReady(true);
    source.dataset.loaded = 'true';
  } catch (err) {
    source.placeholder = 'The guidelines could not be loaded.';
    toast(`Could not load the guidelines: ${err.message}. Reload the page to try again.`, { error: true });
  }
}

load();
