// Pages opened from a link someone was given: accept an invitation,
// choose a new password after a reset.
import { api } from '../api.js';
import { enterConsole } from '../app.js';
import { h } from '../dom.js';
import { field, form } from '../forms.js';
import { fmtDateTime, t } from '../i18n.js';
import { currentPath, go } from '../router.js';
import { loading } from '../ui.js';
import { authFrame } from './public.js';

function linkProblem(app, title, err) {
  authFrame(app, { title, testid: 'page-link-invalid' },
    h('p', { class: 'notice notice-error', role: 'alert', testid: 'link-error' }, err.message),
    h('a', { class: 'btn btn-primary btn-block', href: '#/login' }, t('login.go')));
}

function passwordPair() {
  const pw = field({ label: t('field.new_password'), name: 'password', type: 'password', required: true,
    testid: 'new-password', autocomplete: 'new-password', hint: t('field.password_hint') });
  const again = field({ label: t('field.repeat_password'), name: 'password_again', type: 'password', required: true,
    testid: 'new-password-again', autocomplete: 'new-password' });
  const check = (v) => {
    if (v.password !== v.password_again) {
      again.input.setAttribute('aria-invalid', 'true');
      throw new Error(t('form.password_mismatch'));
    }
  };
  return { fields: [pw, again], check };
}

/** #/invite/<token>: join the shop with the invited email address. */
export async function renderInvite(app, { token }) {
  authFrame(app, { title: t('invite.title') }, loading());
  let invite;
  try {
    invite = await api.get(`/api/invites/${encodeURIComponent(token)}`, { public: true });
  } catch (err) {
    if (!currentPath().startsWith('/invite/')) return;
    linkProblem(app, t('invite.title'), err);
    return;
  }
  if (!currentPath().startsWith('/invite/')) return;
  const pair = passwordPair();
  const f = form({
    testid: 'invite-form',
    submitLabel: t('invite.submit'),
    children: [
      h('dl', { class: 'facts' },
        h('dt', null, t('field.email')), h('dd', { testid: 'invite-email' }, invite.email),
        h('dt', null, t('field.role')), h('dd', null, t(`role.${invite.role}`)),
        h('dt', null, t('invite.expires')), h('dd', null, fmtDateTime(invite.expires_at))),
      field({ label: t('field.your_name'), name: 'name', required: true, value: invite.name || '',
        testid: 'invite-name', autocomplete: 'name' }),
      ...pair.fields,
    ],
    onSubmit: async (v) => {
      pair.check(v);
      const data = await api.post('/api/invites/accept', { token, name: v.name, password: v.password },
        { public: true });
      await enterConsole(data);
    },
  });
  authFrame(app, {
    title: t('invite.title'),
    subtitle: t('invite.subtitle', { shop: invite.shop_name }),
    testid: 'page-invite',
  }, f);
}

/** #/reset/<token>: set a new password, then log in with it. */
export async function renderReset(app, { token }) {
  authFrame(app, { title: t('reset.title') }, loading());
  let info;
  try {
    info = await api.get(`/api/password-resets/${encodeURIComponent(token)}`, { public: true });
  } catch (err) {
    if (!currentPath().startsWith('/reset/')) return;
    linkProblem(app, t('reset.title'), err);
    return;
  }
  if (!currentPath().startsWith('/reset/')) return;
  const pair = passwordPair();
  const f = form({
    testid: 'reset-form',
    submitLabel: t('reset.submit'),
    children: [
      h('dl', { class: 'facts' }, h('dt', null, t('field.email')), h('dd', { testid: 'reset-email' }, info.email)),
      ...pair.fields,
    ],
    onSubmit: async (v) => {
      pair.check(v);
      await api.post('/api/password-resets/complete', { token, password: v.password }, { public: true });
      authFrame(app, { title: t('reset.done_title'), testid: 'page-reset-done' },
        h('p', { class: 'notice notice-ok', role: 'status' }, t('reset.done')),
        h('button', { type: 'button', class: 'btn btn-primary btn-block', testid: 'reset-login',
          onClick: () => go('/login') }, t('login.go')));
    },
  });
  authFrame(app, { title: t('reset.title'), subtitle: t('reset.subtitle'), testid: 'page-reset' }, f);
}
