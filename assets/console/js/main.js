// Entry point: pick the language, find out whether setup is needed and
// who is logged in, then draw the route named by the URL hash.
import { api, setUnauthorizedHandler } from './api.js';
import { refresh, setRerender, state } from './app.js';
import { h, mount } from './dom.js';
import { applyLang, currentLang, deviceLang, storeLang, t } from './i18n.js';
import { currentPath, go, holdLeave, match } from './router.js';
import { loggedIn, setSession } from './session.js';
import { renderForgot, renderLogin, renderSetup } from './views/public.js';
import { renderInvite, renderReset } from './views/links.js';
import { renderShell } from './views/shell.js';
import { renderReports } from './views/empty.js';
import { renderKb } from './views/kb.js';
import { renderTickets } from './views/tickets.js';
import { renderInbox } from './views/inbox.js';
import { renderSettings } from './views/settings.js';
import { renderProfile } from './views/profile.js';

const app = document.getElementById('app');

const PUBLIC = {
  '/setup': renderSetup,
  '/login': renderLogin,
  '/forgot': renderForgot,
  '/invite/:token': renderInvite,
  '/reset/:token': renderReset,
};

const CONSOLE = {
  '/inbox': renderInbox,
  '/inbox/:id': renderInbox,
  '/inbox/:id/:panel': renderInbox,
  '/tickets': renderTickets,
  '/tickets/:id': renderTickets,
  '/kb': renderKb,
  '/kb/:section': renderKb,
  '/kb/articles/:id': renderKb,
  '/reports': renderReports,
  '/settings': renderSettings,
  '/settings/:section': renderSettings,
  '/profile': renderProfile,
};

function render() {
  // "#/tickets/new?conversation=5": the query is for the view, not the route.
  const [path, query = ''] = currentPath().split('?');
  if (state.setupNeeded && path !== '/setup') return go('/setup', { replace: true });
  if (!state.setupNeeded && path === '/setup') return go(loggedIn() ? '/inbox' : '/login', { replace: true });

  const pub = match(Object.keys(PUBLIC), path);
  if (pub) {
    if (loggedIn() && (pub.pattern === '/login' || pub.pattern === '/forgot')) return go('/inbox', { replace: true });
    return PUBLIC[pub.pattern](app, pub.params);
  }
  const page = match(Object.keys(CONSOLE), path);
  if (!page) return go(loggedIn() ? '/inbox' : '/login', { replace: true });
  if (!loggedIn()) {
    state.intended = currentPath();
    return go('/login', { replace: true });
  }
  const ctx = renderShell(app, path);
  return CONSOLE[page.pattern](ctx.page, { ...page.params, query: new URLSearchParams(query) }, ctx);
}

async function whoAmI() {
  try {
    return await api.get('/api/me', { public: true });
  } catch (err) {
    if (err.status === 401 || err.status === 403 || err.status === 404 || err.status === 409) return null;
    throw err;
  }
}

function bootError(err) {
  // The dictionary may be what failed to load: fall back to both languages.
  const loaded = t('boot.failed') !== 'boot.failed';
  const title = loaded ? t('boot.failed') : 'kefu could not start · kefu 无法启动';
  const retry = loaded ? t('common.retry') : 'Retry · 重试';
  mount(app, h('div', { class: 'auth' },
    h('div', { class: 'auth-card' },
      h('h1', { class: 'auth-title' }, title),
      h('p', { class: 'notice notice-error', role: 'alert' }, err.message || String(err)),
      h('button', { type: 'button', class: 'btn btn-primary', onClick: boot }, retry))));
}

async function boot() {
  try {
    const [, setup, me] = await Promise.all([
      applyLang(deviceLang()),
      api.get('/api/setup', { public: true }),
      whoAmI(),
    ]);
    state.setupNeeded = Boolean(setup && setup.needed);
    if (me && me.agent) {
      setSession(me);
      if (me.agent.locale) {
        // The saved choice also becomes this device's choice, so the login
        // page keeps the language after logging out.
        storeLang(me.agent.locale);
        if (me.agent.locale !== currentLang()) await applyLang(me.agent.locale);
      }
    }
  } catch (err) {
    bootError(err);
    return;
  }
  setRerender(render);
  setUnauthorizedHandler(() => {
    const path = currentPath();
    if (!match(Object.keys(PUBLIC), path)) {
      state.intended = path;
      go('/login', { replace: true });
    }
  });
  window.addEventListener('hashchange', () => {
    if (!holdLeave()) render();
  });
  refresh();
}

boot();
