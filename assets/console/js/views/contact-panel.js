// The customer beside the conversation (its own screen on phones): who
// they are, their latest orders (so nobody has to ask for the order
// number), notes and tags, how they reached us, earlier conversations,
// possible duplicates to merge, and this conversation's facts.
import { api } from '../api.js';
import { contactName } from '../desk.js';
import { h, initial, mount } from '../dom.js';
import { icon } from '../icons.js';
import { currentLang, fmtDateTime, t } from '../i18n.js';
import { inboxName, loadInboxes } from '../inbox-kinds.js';
import { fmtListTime } from '../time.js';
import { badge, loadError } from '../ui.js';
import { confirmMerge, editContact } from './contact-edit.js';
import { STATUS_BADGE } from './inbox-list.js';

const ITEMS_SHOWN = 3;

function fact(label, value, testid) {
  if (value === null || value === undefined || value === '') return [];
  return [h('dt', null, label), h('dd', { testid }, value)];
}

function langName(code) {
  if (!code) return '';
  try {
    return new Intl.DisplayNames([currentLang()], { type: 'language' }).of(code) || code;
  } catch {
    return code;
  }
}

/** 12345 cents in CNY → "¥123.45" (in the console's language). */
export function fmtMoney(cents, currency) {
  if (cents === null || cents === undefined) return '';
  try {
    if (currency) return new Intl.NumberFormat(currentLang(), { style: 'currency', currency }).format(cents / 100);
  } catch {
    // Not an ISO currency code: show it after the number.
  }
  return `${(cents / 100).toFixed(2)}${currency ? ` ${currency}` : ''}`;
}

function orderCard(o) {
  const more = o.items.length - ITEMS_SHOWN;
  return h('li', { class: 'order', testid: 'order-card', dataset: { number: o.number } },
    h('div', { class: 'order-top' },
      h('span', { class: 'order-number', testid: 'order-number' }, icon('box', 'icon icon-xs'), o.number),
      o.status ? badge(o.status, 'accent') : null,
      h('span', { class: 'order-amount', testid: 'order-amount' }, fmtMoney(o.amount_cents, o.currency))),
    o.items.length ? h('ul', { class: 'order-items', testid: 'order-items' },
      o.items.slice(0, ITEMS_SHOWN).map((it) => h('li', null, `${it.quantity} × ${it.name}`)),
      more > 0 ? h('li', { class: 'hint' }, t('inbox.contact.more_items', { n: more })) : null) : null,
    o.carrier || o.tracking_number ? h('p', { class: 'order-ship', testid: 'order-tracking' },
      o.carrier ? h('span', null, o.carrier) : null,
      o.tracking_number ? h('span', { class: 'mono order-tracking' }, o.tracking_number) : null) : null,
    h('p', { class: 'order-time' }, t('inbox.contact.order_updated', { time: fmtDateTime(o.updated_at) })));
}

function identityText(idn) {
  const inbox = inboxName(idn.inbox_id) || t('inbox.contact.inbox_n', { id: idn.inbox_id });
  return idn.kind === 'user' && idn.external_id
    ? t('inbox.contact.identity_user', { inbox, id: idn.external_id })
    : t('inbox.contact.identity_visitor', { inbox });
}

function attrValue(v) {
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function section(title, testid, ...children) {
  return h('section', { class: 'side-section', testid }, h('h3', { class: 'facts-title' }, title), ...children);
}

/**
 * The panel for one conversation (`el`, with a back button `onBack` for
 * narrow screens). `update(detail, teamName)` after every
 * load of the conversation; the profile is fetched when the contact
 * changes and after an edit or a merge (then `onChanged()` runs).
 */
export function createContactPanel({ conversationId, onChanged, onBack }) {
  const body = h('div', { class: 'contact-facts', testid: 'contact-panel' });
  const el = h('aside', { class: 'conv-side', testid: 'conv-side', 'aria-label': t('inbox.contact.title') },
    h('header', { class: 'conv-side-head' },
      h('button', { type: 'button', class: 'btn-icon', testid: 'contact-back', 'aria-label': t('inbox.contact.back'),
        onClick: onBack }, icon('back')),
      h('h2', { class: 'conv-side-title' }, t('inbox.contact.title'))),
    h('div', { class: 'conv-side-body' }, body));
  let detail = null;
  let team = null;
  let full = null;
  let dups = [];
  let error = null;
  let seq = 0;

  async function fetchProfile() {
    const cid = detail.contact.id;
    const mine = (seq += 1);
    try {
      const [d, dup] = await Promise.all([api.get(`/api/contacts/${cid}`),
        api.get(`/api/contacts/${cid}/duplicates`), loadInboxes()]);
      if (mine !== seq) return;
      full = d;
      // A phone cleared to "" is stored as "" and would match every other cleared one.
      const me = d.contact;
      dups = dup.contacts.filter((o) => (me.email && o.email === me.email) || (me.phone && o.phone === me.phone));
      error = null;
    } catch (err) {
      if (mine !== seq) return;
      error = err;
    }
    draw();
  }

  function profile() {
    if (!full) return { ...detail.contact, tags: [], notes: '', attributes: {} };
    // The conversation is reloaded on every change, the profile only now and then:
    // take the page and last visit from whichever saw the customer last.
    const p = { ...full.contact };
    if (detail.contact.last_seen_at > p.last_seen_at) {
      p.last_seen_at = detail.contact.last_seen_at;
      p.last_page = detail.contact.last_page;
    }
    return p;
  }

  function headCard(p) {
    return h('div', { class: 'contact-card' },
      h('span', { class: 'avatar', 'aria-hidden': 'true' }, initial(contactName(p))),
      h('div', { class: 'contact-card-text' },
        h('p', { class: 'contact-name', testid: 'contact-name' }, contactName(p),
          p.vip_tier ? badge(p.vip_tier, 'warn') : null),
        p.email ? h('p', { class: 'contact-sub' }, p.email) : null),
      h('button', {
        type: 'button', class: 'btn btn-small contact-edit', testid: 'contact-edit', disabled: !full,
        title: t('inbox.contact.edit_title'), 'aria-label': t('inbox.contact.edit_title'),
        onClick: () => editContact(full.contact, (saved) => {
          full.contact = saved;
          draw();
          fetchProfile();
          onChanged();
        }),
      }, icon('edit', 'icon icon-sm'), h('span', { class: 'contact-edit-text' }, t('common.edit'))));
  }

  function duplicatesBox(p) {
    if (!dups.length) return null;
    return h('div', { class: 'notice notice-warn dups', testid: 'contact-duplicates' },
      h('p', { class: 'dups-title' }, icon('merge', 'icon icon-sm'), t('inbox.contact.duplicates', { n: dups.length })),
      h('ul', { class: 'dups-list' }, dups.map((o) => h('li', { class: 'dup', testid: 'contact-duplicate' },
        h('span', { class: 'dup-text' }, h('strong', null, contactName(o)),
          h('span', { class: 'hint' }, [o.email, o.phone].filter(Boolean).join(' · '))),
        h('button', {
          type: 'button', class: 'btn btn-small', testid: 'contact-merge',
          onClick: async () => {
            if (!(await confirmMerge(p, o))) return;
            fetchProfile();
            onChanged();
          },
        }, t('inbox.contact.merge'))))));
  }

  function ordersBox() {
    const orders = full ? full.orders.slice(0, 3) : detail.orders;
    return section(t('inbox.contact.orders'), 'contact-orders', orders.length
      ? h('ul', { class: 'orders' }, orders.map(orderCard))
      : h('p', { class: 'hint', testid: 'contact-no-orders' }, t('inbox.contact.no_orders')));
  }

  function detailsBox(p) {
    const page = p.last_page || '';
    const url = page.match(/https?:\/\/\S+$/);
    const pageEl = url
      ? h('a', { href: url[0], target: '_blank', rel: 'noopener noreferrer', class: 'link-break' }, page) : page;
    const attrs = Object.entries(p.attributes || {});
    return h('dl', { class: 'facts facts-stacked' },
      fact(t('field.name'), p.name, 'contact-fullname'),
      fact(t('field.email'), p.email, 'contact-email'),
      fact(t('inbox.contact.phone'), p.phone, 'contact-phone'),
      fact(t('inbox.contact.vip'), p.vip_tier, 'contact-vip'),
      fact(t('inbox.contact.tags'), p.tags && p.tags.length
        ? h('span', { class: 'chips' }, p.tags.map((tag) => h('span', { class: 'chip' }, tag))) : null, 'contact-tags'),
      fact(t('inbox.contact.notes'), p.notes ? h('span', { class: 'pre' }, p.notes) : null, 'contact-notes'),
      fact(t('inbox.contact.language'), langName(p.locale), 'contact-locale'),
      fact(t('inbox.contact.page'), page ? pageEl : '', 'contact-page'),
      fact(t('inbox.contact.first_seen'), fmtDateTime(p.first_seen_at), 'contact-first-seen'),
      fact(t('inbox.contact.last_seen'), fmtDateTime(p.last_seen_at), 'contact-last-seen'),
      fact(t('inbox.contact.channels'), full && full.identities.length
        ? h('ul', { class: 'plain-list' }, full.identities.map((i) => h('li', null, identityText(i)))) : null,
      'contact-identities'),
      attrs.map(([k, v]) => fact(k, attrValue(v), 'contact-attribute')));
  }

  function conversationBox() {
    const s = detail.conversation;
    return section(t('inbox.contact.conversation'), 'contact-this-conversation',
      h('dl', { class: 'facts facts-stacked' },
        fact(t('inbox.contact.status'), t(`status.${s.status}`)),
        fact(t('inbox.contact.assignee'), s.assignee_name || t('inbox.unassigned_short')),
        fact(t('inbox.contact.team'), team || t('inbox.no_team')),
        fact(t('inbox.contact.started'), fmtDateTime(s.created_at)),
        fact(t('inbox.contact.first_reply'), s.first_reply_at ? fmtDateTime(s.first_reply_at) : null),
        fact(t('inbox.contact.snoozed_until'), s.status === 'snoozed' && s.snoozed_until
          ? fmtDateTime(s.snoozed_until) : null)));
  }

  function previousBox() {
    if (!full) return null;
    const others = full.conversations.filter((c) => c.id !== conversationId);
    return section(t('inbox.contact.previous'), 'contact-previous', others.length
      ? h('ul', { class: 'prev-list' }, others.slice(0, 10).map((c) => h('li', null,
        h('a', { class: 'prev', href: `#/inbox/${c.id}`, testid: 'contact-conversation' },
          h('span', { class: 'prev-top' },
            h('span', { class: ['badge', `badge-${STATUS_BADGE[c.status] || 'muted'}`] }, t(`status.${c.status}`)),
            h('span', { class: 'prev-time' }, fmtListTime(c.last_message_at))),
          h('span', { class: 'prev-text' }, c.last_message ? c.last_message.body || t(c.last_message.file ? 'inbox.file.preview' : 'inbox.image.preview')
            : t('inbox.no_messages'))))))
      : h('p', { class: 'hint' }, t('inbox.contact.no_previous')));
  }

  function draw() {
    if (!detail) return;
    const p = profile();
    mount(body, headCard(p),
      error ? loadError(error, fetchProfile) : null,
      duplicatesBox(p),
      ordersBox(),
      section(t('inbox.contact.details'), 'contact-details', detailsBox(p)),
      conversationBox(),
      previousBox());
  }

  return {
    el,
    update(d, teamName) {
      const changed = !detail || detail.contact.id !== d.contact.id;
      detail = d;
      team = teamName;
      if (changed) {
        full = null;
        dups = [];
        fetchProfile();
      }
      draw();
    },
    refresh: () => detail && fetchProfile(),
  };
}
