// Settings: a row of tabs (Agents, Teams, Inboxes, Labels, Ticket types, SLA,
// Routing, Saved replies, API tokens, Shop, Email) over the chosen section. Agents who
// are not admins only see Teams, SLA and Routing, read-only.
import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { go } from '../router.js';
import { isAdmin } from '../session.js';
import { renderAgents } from './agents.js';
import { renderCanned } from './canned.js';
import { renderEmail } from './email.js';
import { renderInboxes } from './inboxes.js';
import { renderLabelsSettings } from './labels.js';
import { renderRouting } from './routing.js';
import { renderShop } from './shop.js';
import { renderSla } from './sla.js';
import { renderTeams } from './teams.js';
import { renderTicketTypes } from './tickets-types.js';
import { renderTokens } from './tokens.js';

const SECTIONS = [
  { key: 'agents', icon: 'user', admin: true, render: renderAgents },
  { key: 'teams', icon: 'users', admin: false, render: renderTeams },
  { key: 'inboxes', icon: 'inbox', admin: true, render: renderInboxes },
  { key: 'labels', icon: 'tag', admin: true, render: renderLabelsSettings },
  { key: 'ticket-types', icon: 'ticket', admin: true, render: renderTicketTypes, title: 'tickets.types.title' },
  { key: 'sla', icon: 'clock', admin: false, render: renderSla },
  { key: 'routing', icon: 'merge', admin: false, render: renderRouting },
  { key: 'canned', icon: 'bolt', admin: true, render: renderCanned },
  { key: 'tokens', icon: 'key', admin: true, render: renderTokens },
  { key: 'shop', icon: 'shop', admin: true, render: renderShop },
  { key: 'email', icon: 'mail', admin: true, render: renderEmail },
];

/** #/settings and #/settings/<section>. */
export function renderSettings(page, params, ctx) {
  const visible = SECTIONS.filter((s) => isAdmin() || !s.admin);
  const section = visible.find((s) => s.key === params.section);
  if (!section) {
    go(`/settings/${visible[0].key}`, { replace: true });
    return;
  }
  ctx.setTitle(t('nav.settings'));
  const tabs = h('nav', { class: 'tabs', testid: 'settings-tabs', 'aria-label': t('nav.settings') },
    visible.map((s) => h('a', {
      class: ['tab', s === section && 'active'],
      href: `#/settings/${s.key}`,
      testid: `settings-tab-${s.key}`,
      'aria-current': s === section ? 'page' : null,
    }, icon(s.icon, 'icon icon-sm'), h('span', null, t(s.title || `settings.${s.key}.title`)))));
  const body = h('div', { class: 'settings-body', testid: `settings-${section.key}` });
  page.append(tabs, body);
  // The tabs scroll sideways when they do not fit: show the chosen one.
  const active = tabs.querySelector('.tab.active');
  if (active) active.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  section.render(body);
}

/** Heading of a settings section: title, one sentence, optional action button. */
export function sectionHead(title, text, action) {
  return h('div', { class: 'section-head' },
    h('div', { class: 'section-head-text' }, h('h2', { class: 'section-title' }, title),
      text ? h('p', { class: 'section-text' }, text) : null),
    action || null);
}
