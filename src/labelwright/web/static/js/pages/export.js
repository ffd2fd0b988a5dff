import { pageProject } from '../ui.js';

const { id } = pageProject();
const form = document.getElementById('export-form');

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const data = new FormData(form);
  const params = new URLSearchParams({ format: String(data.get('format')) });
  if (data.get('annotations')) params.set('annotations', String(data.get('annotations')));
  // a plain navigation streams the file to disk (the session cookie authenticates it)
  window.location.assign(`/api/v1/projects/${id}/export?${params}`);
});
