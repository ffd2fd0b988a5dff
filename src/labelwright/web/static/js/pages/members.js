import { api, ApiError, listAll, problemLines } from '../lib/api.js';
import { h, pageProject, toast } from '../ui.js';

const { id } = pageProject();
const form = document.getElementById('member-form');
const select = document.getElementById('member-user');
const error = document.getElementById('member-error');
let users = [];

async function load() {
  const members = await api('GET', `/projects/${id}/members`);
  const email = (uid) => users.find((u) => u.id === uid)?.email || `user ${uid}`;
  document.querySelector('#member-table tbody').replaceChildren(...members.map((m) => h('tr', { 'data-user': m.user_id },
    h('td', null, email(m.user_id)), h('td', null, h('span', { class: 'pill' }, m.role)),
    h('td', { class: 'num' }, h('button', { class: 'btn btn-sm btn-danger', type: 'button', onclick: () => remove(m.user_id) }, 'Remove')))));
}

async function remove(userId) {
  await api('DELETE', `/projects/${id}/members/${userId}`);
  toast('Member removed');
  load();
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  error.hidden = true;
  const data = new FormData(form);
  try {
    await api('POST', `/projects/${id}/members`, { json: { user_id: Number(data.get('user_id')), role: data.get('role') } });
    toast('Member added');
    load();
  } catch (err) {
    error.textContent = err instanceof ApiError ? problemLines(err.problem).join('\n') : err.message;
    error.hidden = false;
  }
});

async function start() {
  try {
    users = await listAll('/users');
  } catch {
    users = [];
  }
  select.replaceChildren(...users.map((u) => new Option(u.name ? `${u.name} <${u.email}>` : u.email, String(u.id))));
  load();
}

start();
