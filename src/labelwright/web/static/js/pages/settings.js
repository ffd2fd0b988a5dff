import { api } from '../lib/api.js';
import { renderMarkdown } from '../lib/markdown.js';
import { pageProject, toast } from '../ui.js';

const { id } = pageProject();
const source = document.getElementById('guidelines-source');
const preview = document.getElementById('guidelines-preview');
const show = () => (preview.innerHTML = renderMarkdown(source.value));

source.addEventListener('input', show);
document.getElementById('guidelines-save').addEventListener('click', async () => {
  try {
    const out = await api('PUT', `/projects/${id}/guidelines`, { json: { text: source.value, changelog: document.getElementById('guidelines-changelog').value } });
    toast(`Saved as version ${out.version}`);
  } catch (err) {
    toast(err.message, { error: true });
  }
});

api('GET', `/projects/${id}`).then((p) => {
  source.value = p.guidelines || '';
  show();
});
