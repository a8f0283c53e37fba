// App-wide state and actions that views share: re-rendering, language
// switching, logging in and out, and whether first-run setup is needed.
import { api } from './api.js';
import { h } from './dom.js';
import { icon } from './icons.js';
import { LANGS, applyLang, browserLang, currentLang, storeLang, t } from './i18n.js';
import { go } from './router.js';
import { clearSession, loggedIn, session, setSession, updateAgent } from './session.js';
import { toast } from './ui.js';

export const state = {
  setupNeeded: false,
  // Where a logged-out visitor wanted to go; used after login.
  intended: null,
};

let rerender = () => {};

/** main.js registers the function that draws the current route. */
export function setRerender(fn) {
  rerender = fn;
}

/** Draw the current route again (after a language change, for instance). */
export function refresh() {
  rerender();
}

/**
 * Switch the language. `code` null means "follow the browser". When logged
 * in, the choice is saved on the agent so it follows them to other devices.
 */
export async function chooseLang(code) {
  const effective = code || browserLang();
  storeLang(code);
  const saving = loggedIn()
    ? api.patch('/api/me', { locale: code }).then((r) => updateAgent(r.agent))
    : Promise.resolve();
  try {
    await Promise.all([saving, applyLang(effective)]);
  } catch (err) {
    toast(err.message, 'error');
  }
  rerender();
}

/** A compact language switcher (a native select: easy on phones). */
export function langSwitcher(testid = 'lang-select') {
  const select = h('select', {
    class: 'lang-select', testid, 'aria-label': t('common.language'),
    onChange: (ev) => chooseLang(ev.target.value),
  }, LANGS.map((l) => h('option', { value: l.code, selected: l.code === currentLang() }, l.label)));
  return h('label', { class: 'lang' }, icon('globe', 'icon icon-sm'), select);
}

/** Fetch /api/me into the session (shop name, teams, fresh CSRF token). */
export async function loadMe() {
  const me = await api.get('/api/me');
  setSession(me);
  return me;
}

/** After login, setup or accepting an invite: store the session and enter the console. */
export async function enterConsole(data) {
  setSession(data);
  const locale = data.agent && data.agent.locale;
  if (locale && locale !== currentLang()) {
    await applyLang(locale);
    storeLang(locale);
  }
  try {
    await loadMe();
  } catch {
    // The console still works without the shop name; the next page load retries.
  }
  const target = state.intended || '/inbox';
  state.intended = null;
  go(target);
}

/** Log out on the server, forget the session, show the login page. */
export async function logout() {
  try {
    await api.del('/api/session');
  } catch (err) {
    if (err.status !== 401) {
      toast(err.message, 'error');
      return;
    }
  }
  clearSession();
  toast(t('profile.logged_out'));
  go('/login');
}

export { session };
