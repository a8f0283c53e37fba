// A ticket's timeline: the customer's request and replies on the left (an
// emailed reply with its quoted history folded away, and tagged when a robot
// wrote it), our public replies on the right (with how their email went:
// queued, sent, or failed with the reason and Retry), internal notes in
// yellow, files that are not images as downloads, and every
// change as a small centred line ("Li moved this from 售后 to 物流") with a
// transfer's note under it.
import { contactName } from '../desk.js';
import { h } from '../dom.js';
import { icon } from '../icons.js';
import { fmtDate, fmtDateTime, t } from '../i18n.js';
import { fmtClock, fmtShort } from '../time.js';
import { attachmentEl, isImage } from './attachment.js';
import { mailStateEl } from './mail-state.js';
import { dir } from './tickets-common.js';

function actorName(e) {
  const a = e.author || {};
  if (a.name) return a.name;
  if (a.kind === 'contact') return t('tickets.ev.customer');
  if (a.kind === 'system') return t('tickets.ev.system');
  return t('tickets.ev.someone');
}

const has = (v) => v !== null && v !== undefined && v !== '';

/** One sentence for a change event (not replies or notes). */
export function eventText(e, tk) {
  const actor = actorName(e);
  const d = e.data || {};
  const status = (s) => (has(s) ? t(`tickets.status.${s}`) : '—');
  const prio = (p) => (has(p) ? t(`tickets.priority.${p}`) : '—');
  switch (e.kind) {
    case 'created':
      return t(`tickets.ev.created_${['conversation', 'email', 'api'].includes(tk.source) ? tk.source : 'console'}`,
        { actor });
    case 'status':
      return has(d.from) ? t('tickets.ev.status', { actor, from: status(d.from), to: status(d.to) })
        : t('tickets.ev.status_set', { actor, to: status(d.to) });
    case 'team':
      if (!has(d.to)) return t('tickets.ev.team_none', { actor });
      return has(d.from) ? t('tickets.ev.team', { actor, from: dir.teamName(d.from), to: dir.teamName(d.to) })
        : t('tickets.ev.team_set', { actor, to: dir.teamName(d.to) });
    case 'assignee':
      if (!has(d.to)) return t('tickets.ev.unassigned', { actor });
      if (e.author && e.author.kind === 'agent' && e.author.id === d.to) return t('tickets.ev.took', { actor });
      return t('tickets.ev.assigned', { actor, agent: dir.agentName(d.to) });
    case 'priority':
      return t('tickets.ev.priority', { actor, from: prio(d.from), to: prio(d.to) });
    case 'type':
      return t('tickets.ev.type', { actor, from: dir.typeName(idOf(d.from)), to: dir.typeName(idOf(d.to)) });
    case 'link':
      return t('tickets.ev.link', { actor });
    case 'fields':
      return fieldsText(actor, d);
    default:
      return t('tickets.ev.other', { actor, kind: String(e.kind) });
  }
}

const idOf = (v) => (has(v) ? Number(v) : null);

/** Subject, order reference or due date changed: data is { field, from, to }. */
function fieldsText(actor, d) {
  if (d.field === 'subject') return t('tickets.ev.subject', { actor, to: String(d.to ?? '') });
  if (d.field === 'order_ref') {
    return has(d.to) ? t('tickets.ev.order_ref', { actor, to: String(d.to) }) : t('tickets.ev.order_ref_none', { actor });
  }
  if (d.field === 'due_at') {
    return has(d.to) ? t('tickets.ev.due', { actor, to: fmtDateTime(Number(d.to)) }) : t('tickets.ev.due_none', { actor });
  }
  return t('tickets.ev.fields', { actor });
}

/** How a public reply's email went; `onRetry(event)` for a failed one. */
function mailState(e, onRetry) {
  const m = e.email;
  if (!m) return null;
  return mailStateEl({
    status: m.status, testid: 'ticket-email', retryTestid: 'ticket-email-retry',
    text: m.status === 'failed' && m.error ? t('tickets.mail.failed_why', { error: m.error }) : t(`tickets.mail.${m.status}`),
    onRetry: onRetry ? () => onRetry(e) : null,
  });
}

/** "Show quoted text": the history an email reply quoted, folded away, as plain text. */
function quotedEl(quoted, id) {
  const text = h('div', { class: 'tk-quoted', id: `tk-quoted-${id}`, testid: 'ticket-quoted', hidden: true }, quoted);
  const toggle = h('button', { type: 'button', class: 'tk-link-btn tk-quoted-toggle', testid: 'ticket-quoted-toggle',
    'aria-expanded': 'false', 'aria-controls': text.id, onClick: () => setQuoted(toggle, text.hidden) },
  t('tickets.quoted_show'));
  return [toggle, text];
}

function setQuoted(toggle, open) {
  toggle.nextElementSibling.hidden = !open;
  toggle.setAttribute('aria-expanded', String(open));
  toggle.textContent = t(open ? 'tickets.quoted_hide' : 'tickets.quoted_show');
}

/** The email side of a customer's reply: { quoted, automatic } or nothing. */
const emailOf = (e) => (e.data && typeof e.data.email === 'object' && e.data.email) || null;

/** A reply, note or the request as a bubble. `side`: in (customer) or out (us). */
function bubble({ kind, side, who, body, attachment, at, extra, id, note, email }) {
  const picture = attachment && isImage(attachment);
  const automatic = email && email.automatic;
  return h('li', {
    class: ['msg', 'msg-first', `msg-${side}`, note && 'msg-note', 'tk-msg'],
    testid: `ticket-${kind}`, dataset: { eventId: id ?? '' },
  },
  h('div', { class: 'msg-head' },
    note ? h('span', { class: 'note-label' }, icon('note', 'icon icon-xs'), t('tickets.note_label')) : null,
    kind === 'request' ? h('span', { class: 'tk-msg-tag' }, t('tickets.request')) : null,
    h('span', { class: 'msg-author' }, who),
    automatic ? h('span', { class: 'badge badge-muted tk-auto', testid: 'ticket-automatic',
      dataset: { automatic }, title: t(`tickets.automatic_${automatic}`) }, t('tickets.automatic')) : null),
  h('div', { class: ['msg-bubble', picture && 'msg-bubble-image'] },
    attachment ? attachmentEl(attachment, { fileTestid: 'ticket-file', fileLabel: t('tickets.file_download') }) : null,
    body || !attachment ? h('p', { class: 'msg-body', testid: 'ticket-msg-body' }, body || '') : null,
    email && email.quoted ? quotedEl(String(email.quoted), id) : null),
  h('div', { class: 'msg-meta' }, h('time', { dateTime: new Date(at).toISOString() }, fmtShort(at)), extra));
}

function changeLine(e, tk, onRetry) {
  const d = e.data || {};
  const link = e.kind === 'link' && has(d.conversation_id)
    ? h('a', { href: `#/inbox/${d.conversation_id}`, class: 'tk-ev-link' }, t('tickets.chat_no', { id: d.conversation_id }))
    : null;
  return h('li', { class: 'tl-event tk-ev', testid: 'ticket-event', dataset: { kind: e.kind, eventId: e.id } },
    h('span', null, eventText(e, tk), link ? ' ' : null, link, h('time', { class: 'tl-time' }, fmtClock(e.created_at))),
    e.email ? h('div', { class: 'tk-ev-mail' }, mailState(e, onRetry)) : null,
    has(d.note) ? h('p', { class: 'tk-ev-note', testid: 'ticket-event-note' },
      icon('note', 'icon icon-xs'), h('span', null, d.note)) : null);
}

const dayKey = (ms) => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
};

/** Draw the timeline into the <ol> `list`. `onRetry(event)` retries a failed email. */
export function drawTimeline(list, { ticket: tk, events, onRetry }) {
  const out = [];
  let lastDay = null;
  const day = (at) => {
    const k = dayKey(at);
    if (k === lastDay) return;
    lastDay = k;
    out.push(h('li', { class: 'tl-day' }, h('span', null, k === dayKey(Date.now()) ? t('inbox.today') : fmtDate(at))));
  };
  let requestShown = false;
  const request = () => {
    if (requestShown || !tk.request) return;
    requestShown = true;
    out.push(bubble({ kind: 'request', side: 'in', who: contactName(tk.contact), body: tk.request, at: tk.created_at }));
  };
  for (const e of events) {
    day(e.created_at);
    const who = actorName(e);
    if (e.kind === 'public_reply') {
      out.push(bubble({ kind: 'reply', side: 'out', who, body: e.body, attachment: e.attachment, at: e.created_at,
        id: e.id, extra: mailState(e, onRetry) }));
    } else if (e.kind === 'customer_reply') {
      out.push(bubble({ kind: 'customer-reply', side: 'in', who: e.author && e.author.name ? who : contactName(tk.contact),
        body: e.body, attachment: e.attachment, at: e.created_at, id: e.id, email: emailOf(e) }));
    } else if (e.kind === 'note') {
      out.push(bubble({ kind: 'note', side: 'out', who, body: e.body, attachment: e.attachment, at: e.created_at,
        id: e.id, note: true }));
    } else {
      out.push(changeLine(e, tk, onRetry));
      if (e.kind === 'created') request();
    }
  }
  if (!requestShown && tk.request) {
    // No "created" event (imported tickets): the request still opens the timeline.
    requestShown = true;
    out.unshift(bubble({ kind: 'request', side: 'in', who: contactName(tk.contact), body: tk.request, at: tk.created_at }));
  }
  // Quoted text someone opened stays open when the timeline is drawn again.
  const open = new Set(Array.from(list.querySelectorAll('[data-testid="ticket-quoted-toggle"][aria-expanded="true"]'),
    (b) => b.getAttribute('aria-controls')));
  list.replaceChildren(...out);
  for (const id of open) {
    const toggle = list.querySelector(`[aria-controls="${CSS.escape(id)}"]`);
    if (toggle) setQuoted(toggle, true);
  }
}
