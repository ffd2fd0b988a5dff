import { listAll } from '../lib/api.js';
import { h } from '../ui.js';

const list = document.getElementById('project-list');

async function load() {
  const projects = await listAll('/projects');
  list.setAttribute('aria-busy', 'false');
  if (!projects.length) {
    list.replaceChildren(h('div', { class: 'empty panel' }, h('h2', null, 'No projects yet'),
      h('p', { class: 'muted' }, 'Create a project, or ask a manager to add you to one.')));
    return;
  }
  list.replaceChildren(...projects.map((p) => {
    const controls = (p.schema.controls || []).map((c) => c.type);
    return h('a', { class: 'card', href: `/projects/${p.id}`, 'data-project': p.id },
      h('h2', null, p.name),
      h('p', { class: 'muted small' }, p.description || [...new Set(controls)].join(' · ')),
      h('div', { class: 'meta' },
        h('span', null, `${p.task_count ?? 0} tasks`),
        h('span', null, `${p.annotation_count ?? 0} annotations`),
        p.role ? h('span', { class: 'pill' }, p.role) : null));
  }));
}

load();
