// Pages for visitors who are not logged in: first-run setup, login and
// "forgot password". Also the shared frame (logo, language switcher, card) for all public pages.
import { api } from '../api.js';
import { enterConsole, langSwitcher, state } from '../app.js';
import { assetUrl } from '../assets.js';
import { h, mount } from '../dom.js';
import { field, form } from '../forms.js';
import { t } from '../i18n.js';

/** The centred card used by setup, login, invite and reset pages. */
export function authFrame(app, { title, subtitle, testid }, ...children) {
  document.title = `${title} · ${t('app.name')}`;
  const frame = h('div', { class: 'auth', testid },
    h('div', { class: 'auth-top' },
      h('span', { class: 'auth-brand' },
        h('img', { src: assetUrl('/assets/console/favicon.svg'), alt: '', width: 36, height: 36 }),
        h('span', { class: 'brand-name' }, t('app.name'))),
      langSwitcher('lang-select')),
    h('div', { class: 'auth-card' },
      h('h1', { class: 'auth-title', testid: 'auth-title' }, title),
      subtitle ? h('p', { class: 'auth-subtitle' }, subtitle) : null,
      children),
    h('p', { class: 'auth-foot' }, t('app.tagline')));
  mount(app, frame);
  return frame;
}

/** First run: create the shop and its owner account. */
export function renderSetup(app) {
  const f = form({
    testid: 'setup-form',
    submitLabel: t('setup.submit'),
    children: [
      field({ label: t('setup.shop_name'), name: 'shop_name', required: true, testid: 'setup-shop',
        autocomplete: 'organization', hint: t('setup.shop_name_hint') }),
      field({ label: t('setup.your_name'), name: 'name', required: true, testid: 'setup-name', autocomplete: 'name' }),
      field({ label: t('field.email'), name: 'email', type: 'email', required: true, testid: 'setup-email',
        autocomplete: 'email', attrs: { inputmode: 'email', autocapitalize: 'off', spellcheck: 'false' } }),
      field({ label: t('field.password'), name: 'password', type: 'password', required: true,
        testid: 'setup-password', autocomplete: 'new-password', hint: t('field.password_hint') }),
    ],
    onSubmit: async (v) => {
      try {
        const data = await api.post('/api/setup', v, { public: true });
        state.setupNeeded = false;
        await enterConsole(data);
      } catch (err) {
        if (err.code === 'setup_done') {
          state.setupNeeded = false;
        }
        throw err;
      }
    },
  });
  authFrame(app, { title: t('setup.title'), subtitle: t('setup.subtitle'), testid: 'page-setup' }, f);
  f.querySelector('input').focus();
}

// The address typed on the login page, so "Forgot password?" starts with it.
let typedEmail = '';

/** Email + password login. */
export function renderLogin(app) {
  const f = form({
    testid: 'login-form',
    submitLabel: t('login.submit'),
    children: [
      field({ label: t('field.email'), name: 'email', type: 'email', required: true, testid: 'login-email',
        autocomplete: 'username', value: typedEmail,
        attrs: { inputmode: 'email', autocapitalize: 'off', spellcheck: 'false',
          onInput: (ev) => { typedEmail = ev.target.value.trim(); } } }),
      field({ label: t('field.password'), name: 'password', type: 'password', required: true,
        testid: 'login-password', autocomplete: 'current-password' }),
    ],
    onSubmit: async (v) => {
      const data = await api.post('/api/session', v, { public: true });
      await enterConsole(data);
    },
  });
  authFrame(app, { title: t('login.title'), subtitle: t('login.subtitle'), testid: 'page-login' },
    f, h('p', { class: 'auth-links' },
      h('a', { class: 'auth-link', href: '#/forgot', testid: 'login-forgot' }, t('login.forgot'))));
}

/** #/forgot: ask for a reset link by email. The answer never says whether the address has an account. */
export function renderForgot(app) {
  const back = () => h('p', { class: 'auth-links' },
    h('a', { class: 'auth-link', href: '#/login', testid: 'forgot-back' }, t('forgot.back')));
  const f = form({
    testid: 'forgot-form',
    submitLabel: t('forgot.submit'),
    children: [
      field({ label: t('field.email'), name: 'email', type: 'email', required: true, testid: 'forgot-email',
        autocomplete: 'username', value: typedEmail,
        attrs: { inputmode: 'email', autocapitalize: 'off', spellcheck: 'false' } }),
    ],
    onSubmit: async (v) => {
      await api.post('/api/password-resets/request', { email: v.email }, { public: true });
      typedEmail = v.email;
      authFrame(app, { title: t('forgot.title'), testid: 'page-forgot-sent' },
        h('p', { class: 'notice notice-ok', role: 'status', testid: 'forgot-sent' }, t('forgot.sent')),
        h('p', { class: 'auth-note' }, t('forgot.no_mail')),
        back());
    },
  });
  authFrame(app, { title: t('forgot.title'), subtitle: t('forgot.subtitle'), testid: 'page-forgot' }, f, back());
  f.querySelector('input').focus();
}
