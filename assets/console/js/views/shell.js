// The logged-in console frame: navigation (sidebar on wide screens, bottom
// tab bar on phones), a header with the page title, language switcher, the
// notifications bell, availability status dot and a link to the profile. The
// Inbox item and the page title carry the number of unread customer messages.
import { api } from '../api.js';
import { langSwitcher } from '../app.js';
import { assetUrl } from '../assets.js';
import { onDesk, startDesk, unreadTotal } from '../desk.js';
import { h, initial, mount } from '../dom.js';
import { icon } from '../icons.js';
import { currentLang, t } from '../i18n.js';
import { onSessionChange, session, updateAgent } from '../session.js';
import { toast } from '../ui.js';
import { createBell } from './bell.js';

const NAV = [
  { key: 'inbox', path: '/inbox', icon: 'inbox' },
  { key: 'tickets', path: '/tickets', icon: 'ticket' },
  { key: 'kb', path: '/kb', icon: 'book', short: true },
  { key: 'reports', path: '/reports', icon: 'chart' },
  { key: 'settings', path: '/settings', icon: 'settings' },
];
const AVAILABILITY = ['online', 'away', 'offline'];

let shell = null;
let baseTitle = '';

function logo(cls) {
  return h('img', { class: cls, src: assetUrl('/assets/console/favicon.svg'), alt: '', width: 32, height: 32 });
}

function statusControl() {
  const dot = h('span', { class: 'dot', 'aria-hidden': 'true' });
  const label = h('span', { class: 'status-label' });
  const items = AVAILABILITY.map((a) => h('button', {
    type: 'button', role: 'menuitemradio', class: 'menu-item', testid: `status-${a}`, dataset: { value: a },
    onClick: () => setAvailability(a),
  }, h('span', { class: ['dot', `dot-${a}`], 'aria-hidden': 'true' }), t(`availability.${a}`)));
  const menu = h('div', { class: 'menu', role: 'menu', hidden: true, testid: 'status-menu' },
    h('p', { class: 'menu-title' }, t('availability.title')), items);
  const button = h('button', {
    type: 'button', class: 'status-btn', testid: 'status-button', 'aria-haspopup': 'menu', 'aria-expanded': 'false',
    onClick: () => (menu.hidden ? openMenu() : closeMenu()),
  }, dot, label);
  const wrap = h('div', { class: 'status' }, button, menu);

  function openMenu() {
    menu.hidden = false;
    button.setAttribute('aria-expanded', 'true');
  }
  function closeMenu() {
    menu.hidden = true;
    button.setAttribute('aria-expanded', 'false');
  }
  async function setAvailability(a) {
    closeMenu();
    try {
      const r = await api.put('/api/me/availability', { availability: a });
      updateAgent(r.agent);
      toast(t('availability.changed', { status: t(`availability.${a}`) }));
    } catch (err) {
      toast(err.message, 'error');
    }
  }
  function sync() {
    const a = (session.agent && session.agent.availability) || 'offline';
    dot.className = `dot dot-${a}`;
    label.textContent = t(`availability.${a}`);
    button.setAttribute('aria-label', `${t('availability.title')}: ${t(`availability.${a}`)}`);
    for (const item of items) item.setAttribute('aria-checked', String(item.dataset.value === a));
  }
  const onClick = (ev) => {
    if (!menu.hidden && !wrap.contains(ev.target)) closeMenu();
  };
  const onKey = (ev) => {
    if (ev.key === 'Escape' && !menu.hidden) closeMenu();
  };
  document.addEventListener('click', onClick);
  document.addEventListener('keydown', onKey);
  const destroy = () => {
    document.removeEventListener('click', onClick);
    document.removeEventListener('keydown', onKey);
  };
  return { wrap, sync, closeMenu, destroy };
}

function build(app) {
  const links = new Map();
  const nav = h('nav', { class: 'nav', testid: 'nav', 'aria-label': t('nav.label') },
    NAV.map((item) => {
      const a = h('a', { class: 'nav-item', href: `#${item.path}`, testid: `nav-${item.key}` },
        icon(item.icon, 'icon nav-icon'),
        // Long labels get a shorter form for the phone's tab bar.
        item.short
          ? [h('span', { class: 'nav-label nav-label-long' }, t(`nav.${item.key}`)),
            h('span', { class: 'nav-label nav-label-short' }, t(`nav.${item.key}_short`))]
          : h('span', { class: 'nav-label' }, t(`nav.${item.key}`)));
      if (item.key === 'inbox') {
        a.append(h('span', { class: 'nav-badge', testid: 'nav-inbox-unread', hidden: true }));
      }
      links.set(item.key, a);
      return a;
    }));
  const shopName = h('span', { class: 'brand-shop', testid: 'shop-name' });
  const sidebar = h('aside', { class: 'sidebar' },
    h('a', { class: 'brand', href: '#/inbox' }, logo('brand-logo'),
      h('span', { class: 'brand-text' }, h('span', { class: 'brand-name' }, t('app.name')), shopName)),
    nav);

  const title = h('h1', { class: 'page-title', testid: 'page-title' });
  const status = statusControl();
  const bell = createBell();
  const avatarText = h('span', { class: 'avatar', 'aria-hidden': 'true' });
  const avatar = h('a', { class: 'avatar-link', href: '#/profile', testid: 'nav-profile' }, avatarText);
  const header = h('header', { class: 'topbar' },
    logo('topbar-logo'), title,
    h('div', { class: 'topbar-actions' }, langSwitcher('lang-select'), bell.wrap, status.wrap, avatar));
  const content = h('main', { class: 'content', id: 'content' });
  const root = h('div', { class: 'shell', testid: 'console' }, sidebar, h('div', { class: 'main' }, header, content));
  mount(app, root);

  const sync = () => {
    if (!session.agent) return;
    status.sync();
    avatarText.textContent = initial(session.agent.name);
    avatar.setAttribute('aria-label', `${t('nav.profile')}: ${session.agent.name}`);
    avatar.title = session.agent.name;
    shopName.textContent = session.shopName || '';
  };
  sync();
  const unsubscribe = onSessionChange(sync);
  const badge = links.get('inbox').querySelector('.nav-badge');
  const syncUnread = () => {
    const n = unreadTotal();
    badge.textContent = n > 99 ? '99+' : String(n);
    badge.hidden = n === 0;
    links.get('inbox').setAttribute('aria-label', n ? `${t('nav.inbox')} (${t('inbox.unread', { n })})` : t('nav.inbox'));
    syncTitle();
  };
  const unsubscribeDesk = onDesk(syncUnread);
  startDesk();
  syncUnread();
  const destroy = () => {
    unsubscribe();
    unsubscribeDesk();
    status.destroy();
    bell.destroy();
  };
  return { root, lang: currentLang(), links, title, content, status, bell, destroy };
}

function syncTitle() {
  const n = unreadTotal();
  const text = baseTitle ? `${baseTitle} · ${t('app.name')}` : t('app.name');
  document.title = n ? `(${n}) ${text}` : text;
}

function setTitle(text) {
  shell.title.textContent = text;
  baseTitle = text;
  syncTitle();
}

/** Views that fill the screen (the inbox) ask for no padding; `chat` also hides the phone's bars. */
function setLayout({ flush = false, chat = false } = {}) {
  shell.content.classList.toggle('content-flush', flush);
  shell.root.classList.toggle('shell-chat', chat);
}

/**
 * Make sure the frame is on screen (rebuilt after a language change), mark
 * the active section and return a fresh page element for the view.
 */
export function renderShell(app, path) {
  if (!shell || !shell.root.isConnected || shell.lang !== currentLang()) {
    if (shell) shell.destroy();
    shell = build(app);
  }
  const section = path.split('/')[1] || 'inbox';
  for (const [key, a] of shell.links) {
    const active = key === section;
    a.classList.toggle('active', active);
    if (active) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  shell.status.closeMenu();
  shell.bell.close();
  setLayout();
  const page = h('div', { class: 'page', testid: `page-${section}` });
  mount(shell.content, page);
  window.scrollTo(0, 0);
  return { page, setTitle, setLayout };
}
