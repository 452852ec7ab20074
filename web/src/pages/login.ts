// Sign-in, shown when the server is bound beyond loopback and no session is open.
import { api, ApiError } from '../api';
import { h } from '../dom';

export function loginPage(root: HTMLElement, onSignedIn: () => Promise<void>): void {
  const error = h('p.error', { role: 'alert', hidden: true });
  const user = h('input', { name: 'user', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button.primary', { type: 'submit' }, 'Sign in');
  const form = h('form.login', {
    onsubmit: async (e: Event) => {
      e.preventDefault();
      submit.disabled = true;
      error.hidden = true;
      try {
        await api.login(user.value, password.value);
        await onSignedIn();
      } catch (err) {
        error.textContent = err instanceof ApiError && err.status === 401 ? 'Wrong user name or password.'
          : err instanceof Error ? err.message : String(err);
        error.hidden = false;
        submit.disabled = false;
        password.select();
      }
    },
  },
  h('h1', null, h('span.logo', null, '◆'), ' custlake'),
  h('p.muted', null, 'This server is reachable beyond this machine: sign in to continue.'),
  h('label', null, 'User', user),
  h('label', null, 'Password', password),
  error, submit);
  root.append(h('div.login-wrap', null, form));
}
