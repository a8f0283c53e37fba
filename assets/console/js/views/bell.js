// The bell in the header: the number of unread notifications, and a panel
// listing them ("Assigned to you", "Customer replied", "SLA warning: first
// response due 14:00", …), each opening its ticket and marking itself read,
// with "Mark all read". A drop-down on wide screens, a sheet under the header
// on phones.
import { h, mount } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import {
  loadNotifications, loadOlderNotifications, markNotificationsRead, notifications, onNotifications, startNotifications,
} from '../notifications.js';
import { fmtShort } from '../time.js';
import { toast } from '../ui.js';

const ICON = { assigned: 'assign', customer_replied: 'mail', sla_warning: 'clock', sla_breach: 'clock' };

/** The sentence for one notification, in the console's language. */
function sentence(n) {
  if (n.kind === 'sla_warning' || n.kind === 'sla_breach') {
    const metric = n.metric ? t(`notif.metric.${n.metric}`) : t('sla.title');
    return t(`notif.${n.kind}`, { metric, time: n.due_at ? fmtShort(n.due_at) : '' });
  }
  return t(`notif.${n.kind}`);
}

/** Returns { wrap, close(), destroy() }. */
export function createBell() {
  const count = h('span', { class: 'bell-count', testid: 'notif-badge', hidden: true });
  const button = h('button', {
    type: 'button', class: 'btn-icon bell-btn', testid: 'notif-button', 'aria-expanded': 'false',
    'aria-controls': 'notif-panel', onClick: () => (panel.hidden ? open() : close()),
  }, icon('bell'), count);
  const list = h('ul', { class: 'notif-list', testid: 'notif-list' });
  const more = h('button', { type: 'button', class: 'btn btn-small notif-more', testid: 'notif-more', hidden: true,
    onClick: older }, t('notif.older'));
  const readAll = h('button', { type: 'button', class: 'tk-link-btn', testid: 'notif-read-all',
    onClick: () => markNotificationsRead(null).catch((err) => toast(err.message, 'error')) }, t('notif.read_all'));
  const panel = h('div', { class: 'notif-panel', id: 'notif-panel', testid: 'notif-panel', role: 'dialog',
    'aria-label': t('notif.title'), hidden: true },
  h('div', { class: 'notif-head' }, h('h2', { class: 'notif-heading' }, t('notif.title')), readAll),
  h('div', { class: 'notif-scroll' }, list, more));
  const wrap = h('div', { class: 'bell' }, button, panel);

  function itemEl(n) {
    const unread = !n.read_at;
    return h('li', { class: ['notif', unread && 'notif-unread'], testid: 'notif-item',
      dataset: { id: n.id, kind: n.kind, read: String(!unread) } },
    h('a', { class: 'notif-link', href: n.ticket_id ? `#/tickets/${n.ticket_id}` : '#/tickets',
      onClick: () => {
        close();
        if (unread) markNotificationsRead([n.id]).catch((err) => toast(err.message, 'error'));
      } },
    h('span', { class: ['notif-icon', n.kind === 'sla_breach' && 'notif-icon-bad'] },
      icon(ICON[n.kind] || 'bell', 'icon icon-sm')),
    h('span', { class: 'notif-text' },
      h('span', { class: 'notif-what', testid: 'notif-what' }, sentence(n)),
      h('span', { class: 'notif-title' }, n.title),
      n.excerpt ? h('span', { class: 'notif-excerpt' }, n.excerpt) : null,
      h('time', { class: 'notif-time' }, fmtShort(n.created_at))),
    unread ? h('span', { class: 'notif-dot', title: t('notif.unread') }) : null));
  }

  function sync() {
    const n = notifications.unread;
    count.textContent = n > 99 ? '99+' : String(n);
    count.hidden = n === 0;
    button.setAttribute('aria-label', n ? `${t('notif.title')} (${t('notif.unread_n', { n })})` : t('notif.title'));
    button.title = t('notif.title');
    readAll.disabled = n === 0;
    more.hidden = !notifications.more;
    mount(list, notifications.items.length ? notifications.items.map(itemEl)
      : h('li', { class: 'notif-empty', testid: 'notif-empty' }, t('notif.empty')));
  }

  async function older() {
    more.disabled = true;
    try {
      await loadOlderNotifications();
    } catch (err) {
      toast(err.message, 'error');
    } finally {
      more.disabled = false;
    }
  }

  function open() {
    panel.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    loadNotifications();
  }
  function close() {
    panel.hidden = true;
    button.setAttribute('aria-expanded', 'false');
  }
  const onClick = (ev) => {
    if (!panel.hidden && !wrap.contains(ev.target)) close();
  };
  const onKey = (ev) => {
    if (ev.key === 'Escape' && !panel.hidden) {
      close();
      button.focus();
    }
  };
  document.addEventListener('click', onClick);
  document.addEventListener('keydown', onKey);
  const unsubscribe = onNotifications(sync);
  sync();
  startNotifications();

  return {
    wrap,
    close,
    destroy: () => {
      unsubscribe();
      document.removeEventListener('click', onClick);
      document.removeEventListener('keydown', onKey);
    },
  };
}
