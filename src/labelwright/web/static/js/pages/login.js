import { api } from '../lib/api.js';

const form = document.getElementById('login-form');
const error = document.getElementById('login-error');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.hidden = true;
  const data = new FormData(form);
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    await api('POST', '/auth/login', { json: { email: data.get('email'), password: data.get('password') } });
    window.location.assign(form.dataset.next || '/projects');
  } catch (err) {
    error.textContent = err.status === 401 ? 'Wrong email or password.' : err.message;
    error.hidden = false;
    button.disabled = false;
  }
});
