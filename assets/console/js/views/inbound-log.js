// The incoming mail log under Settings → Email: every email kefu took from the
// mailbox, newest first, with what became of it (a new ticket or conversation,
// a reply on one, or why it was left alone) and a link to its ticket or
// conversation.
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { icon } from '../icons.js';
import { fmtDateTime, fmtSize, t } from '../i18n.js';
import { fmtShort } from '../time.js';
import { badge, loadError, loading, toast } from '../ui.js';

// The server's page size: a full page means there may be more.
const PAGE = 50;
const AUTOMATIC = ['auto_reply', 'bounce', 'bulk'];
const UNREADABLE = ['not_a_mail', 'no_sender'];

/** The badge for a mail: [translation key, badge kind]. */
function outcomeOf(m) {
  const automatic = AUTOMATIC.includes(m.reason);
  switch (m.outcome) {
    case 'new_ticket':
      return [m.reason === 'not_participant' ? 'new_ticket_stranger' : 'new_ticket', 'accent'];
    case 'ticket_reply':
      return [automatic ? 'reply_automatic' : 'ticket_reply', 'ok'];
    case 'new_conversation':
      return ['new_conversation', 'accent'];
    case 'conversation_reply':
      return ['conversation_reply', 'ok'];
    case 'ignored':
      return [automatic || m.reason === 'body_empty' ? `ignored_${m.reason}` : 'ignored', 'muted'];
    case 'duplicate':
    case 'own':
      return [m.outcome, 'muted'];
    case 'too_large':
      return ['too_large', 'warn'];
    default:
      return [!m.reason || UNREADABLE.includes(m.reason) ? 'unreadable' : 'rejected', 'danger'];
  }
}

/** Why a refused or unreadable mail was refused, in the console's language. */
function reasonText(m) {
  if (m.outcome !== 'rejected' || !m.reason) return null;
  const key = UNREADABLE.includes(m.reason) ? `mail.in.reason.${m.reason}` : `error.${m.reason}`;
  const text = t(key);
  // An error whose message needs parameters the log does not keep shows as its code.
  return text === key || text.includes('{') ? m.reason : text;
}

function row(m) {
  const [label, kind] = outcomeOf(m);
  const why = reasonText(m);
  return h('li', { class: 'row', testid: 'inbound-row',
    dataset: { mailId: m.id, outcome: m.outcome, reason: m.reason || '' } },
  h('div', { class: 'row-main' },
    h('div', { class: 'row-title' },
      h('span', { class: 'inbound-subject', testid: 'inbound-subject' }, m.subject || t('mail.in.no_subject')),
      h('span', { testid: 'inbound-outcome' }, badge(t(`mail.in.outcome.${label}`), kind))),
    h('div', { class: 'row-sub', testid: 'inbound-from' }, m.from_email || t('mail.in.no_sender')),
    h('div', { class: 'row-meta' },
      h('time', { datetime: new Date(m.received_at).toISOString(), title: fmtDateTime(m.received_at) },
        t('mail.in.received_at', { time: fmtShort(m.received_at) })),
      m.outcome === 'too_large' ? h('span', { testid: 'inbound-size' }, fmtSize(m.size)) : null,
      m.ticket_id ? h('a', { class: 'inbound-ticket', href: `#/tickets/${m.ticket_id}`, testid: 'inbound-ticket' },
        icon('ticket', 'icon icon-xs'), h('span', null, t('mail.in.open_ticket'))) : null,
      m.conversation_id ? h('a', { class: 'inbound-ticket', href: `#/inbox/${m.conversation_id}`,
        testid: 'inbound-conversation' }, icon('inbox', 'icon icon-xs'), h('span', null, t('mail.in.open_conversation')))
        : null),
    why ? h('p', { class: 'mail-detail mail-detail-failed', testid: 'inbound-reason' }, why) : null));
}

/** The log card. Returns { el, load } (it loads when first asked to). */
export function inboundLog() {
  let mail = [];
  let asked = 0;
  const listBox = h('div', { class: 'mail-list' }, loading());
  const more = h('button', { type: 'button', class: 'btn btn-small inbound-more', testid: 'inbound-more', hidden: true,
    onClick: loadMore }, t('mail.in.more'));

  function draw(full) {
    more.hidden = !full;
    mount(listBox, mail.length
      ? h('ul', { class: 'list', testid: 'inbound-list' }, mail.map(row))
      : h('p', { class: 'list-empty', testid: 'inbound-empty' }, t('mail.in.empty')));
  }

  async function load() {
    asked += 1;
    const mine = asked;
    let page;
    try {
      page = (await api.get('/api/mail/inbound')).mail;
    } catch (err) {
      if (mine === asked) mount(listBox, loadError(err, load));
      return;
    }
    if (mine !== asked) return;
    mail = page;
    draw(page.length >= PAGE);
  }

  async function loadMore() {
    if (!mail.length) return;
    const mine = asked;
    more.disabled = true;
    try {
      const page = (await api.get(`/api/mail/inbound?before=${mail[mail.length - 1].id}`)).mail;
      if (mine !== asked) return;
      mail.push(...page);
      draw(page.length >= PAGE);
    } catch (err) {
      toast(err.message, 'error');
    } finally {
      more.disabled = false;
    }
  }

  const refresh = h('button', { type: 'button', class: 'btn btn-small', testid: 'inbound-refresh', onClick: load },
    icon('reopen', 'icon icon-sm'), h('span', null, t('settings.email.refresh')));
  const el = h('section', { class: 'card mail-log inbound-log', testid: 'inbound-log' },
    h('div', { class: 'card-head' }, h('h2', { class: 'card-title' }, t('mail.in.title')), refresh),
    listBox, more);
  return { el, load };
}
