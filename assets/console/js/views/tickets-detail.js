// One ticket: header (#1001, subject, status, Transfer, Solve/Reopen), the
// fields (with the SLA targets), the timeline and the reply box. Changes are saved at once and the
// list row follows. While a public reply's email is still queued the ticket
// is fetched again now and then, so "sent" or "failed" shows by itself.
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { loadError, loading, toast } from '../ui.js';
import { retryMail } from './mail-state.js';
import { confirmClose, dir, statusBadge, tickDue, ticketNo } from './tickets-common.js';
import { createTicketComposer } from './tickets-composer.js';
import { subjectDialog, transferDialog } from './tickets-dialogs.js';
import { createFields } from './tickets-fields.js';
import { tickSla } from './tickets-sla.js';
import { drawTimeline } from './tickets-timeline.js';

// While an email is queued: look again after 3 s, then less often (no SMTP set up keeps it queued).
const MAIL_POLL = 3000;
const MAIL_POLL_MAX = 60_000;

/** Whether the directory lacks a name this ticket needs. */
function lacks(tk, events) {
  const ids = (k) => events.filter((e) => e.kind === k).flatMap((e) => [e.data && e.data.from, e.data && e.data.to])
    .filter((x) => x !== null && x !== undefined).map(Number);
  return [tk.team_id, ...ids('team')].some((x) => x && !dir.teams.has(x))
    || [tk.assignee_id, ...ids('assignee')].some((x) => x && !dir.agents.has(x))
    || [tk.type_id, ...ids('type')].some((x) => x && !dir.types.has(x));
}

/**
 * `onBack()` returns to the list; `onChanged(ticket)` tells it about changes.
 * Returns { el, id, reload(), tick(), destroy() }.
 */
export function createTicketDetail(id, { onBack, onChanged }) {
  let tk = null;
  let events = [];
  let clocks = [];
  let destroyed = false;
  let pollTimer = null;
  let pollDelay = MAIL_POLL;
  let seq = 0;
  // The last answer drawn: an unchanged ticket is not drawn again (a select being used stays open).
  let last = null;

  const el = h('section', { class: 'tk-detail', testid: 'ticket-detail', dataset: { ticketId: id } },
    h('div', { class: 'conv-loading' }, loading()));
  const head = h('header', { class: 'tk-head' });
  const fields = createFields({ patch });
  const timeline = h('ol', { class: 'thread tk-timeline', testid: 'ticket-timeline' });
  const scroller = h('div', { class: 'tk-scroll' }, fields.el, timeline);
  const composer = createTicketComposer({ send });
  const closedNote = h('p', { class: 'notice tk-closed', testid: 'ticket-closed', hidden: true },
    t('tickets.closed_note'));
  const main = h('div', { class: 'tk-main' }, head, h('div', { class: 'tk-body' }, scroller, composer.el, closedNote));
  const toBottom = () => { timeline.lastElementChild?.scrollIntoView({ block: 'end' }); };

  function drawHead() {
    const done = tk.status === 'solved';
    const closed = tk.status === 'closed';
    mount(head,
      h('button', { type: 'button', class: 'btn-icon tk-back', testid: 'ticket-back', 'aria-label': t('tickets.back'),
        onClick: onBack }, icon('back')),
      h('div', { class: 'tk-head-text' },
        h('div', { class: 'tk-head-sub' },
          h('span', { class: 'tk-num', testid: 'ticket-number' }, ticketNo(tk)), statusBadge(tk.status)),
        h('h2', { class: 'tk-head-subject' },
          h('button', { type: 'button', class: 'tk-subject-btn', testid: 'ticket-subject', title: t('tickets.edit_subject'),
            disabled: closed,
            onClick: () => subjectDialog(tk, (subject) => patch({ subject }, true)) }, tk.subject))),
      closed ? null : h('div', { class: 'tk-head-actions' },
        h('button', { type: 'button', class: 'btn btn-small', testid: 'ticket-transfer',
          title: t('tickets.transfer.action'), 'aria-label': t('tickets.transfer.action'), onClick: openTransfer },
        icon('users', 'icon icon-sm'), h('span', { class: 'tk-action-text' }, t('tickets.transfer.action'))),
        h('button', { type: 'button', class: 'btn btn-small btn-primary', testid: done ? 'ticket-reopen' : 'ticket-solve',
          title: t(done ? 'tickets.reopen' : 'tickets.solve'), 'aria-label': t(done ? 'tickets.reopen' : 'tickets.solve'),
          onClick: () => patch({ status: done ? 'open' : 'solved' }) },
        icon(done ? 'reopen' : 'check', 'icon icon-sm'),
        h('span', { class: 'tk-action-text' }, t(done ? 'tickets.reopen' : 'tickets.solve')))));
  }

  function drawTl() {
    drawTimeline(timeline, { ticket: tk, events, onRetry: retry });
  }

  function drawAll() {
    const closed = tk.status === 'closed';
    drawHead();
    fields.update(tk, clocks);
    composer.setContact(tk.contact);
    composer.el.hidden = closed;
    closedNote.hidden = !closed;
    drawTl();
  }

  function schedulePoll() {
    clearTimeout(pollTimer);
    if (destroyed || !events.some((e) => e.email && e.email.status === 'queued')) return;
    pollTimer = setTimeout(() => {
      if (document.visibilityState === 'visible' && el.isConnected) load();
      else schedulePoll();
    }, pollDelay);
  }

  async function load() {
    const mine = (seq += 1);
    try {
      const [r] = await Promise.all([api.get(`/api/tickets/${id}`), dir.ready()]);
      if (lacks(r.ticket, r.events)) await dir.load();
      if (destroyed || mine !== seq) return;
      const snapshot = JSON.stringify(r);
      if (snapshot === last) {
        pollDelay = Math.min(MAIL_POLL_MAX, pollDelay * 2);
        schedulePoll();
        return;
      }
      last = snapshot;
      pollDelay = MAIL_POLL;
      const first = !tk;
      const grew = r.events.length !== events.length;
      tk = r.ticket;
      events = r.events;
      clocks = r.sla_clocks || [];
      if (first) {
        mount(el, main);
        drawAll();
        toBottom();
      } else {
        drawAll();
        if (grew) toBottom();
      }
      onChanged(tk);
      schedulePoll();
    } catch (err) {
      if (destroyed || tk) return;
      mount(el, h('div', { class: 'conv-error' }, loadError(err, load),
        h('button', { type: 'button', class: 'btn', onClick: onBack }, icon('back', 'icon icon-sm'), t('tickets.back'))));
    }
  }

  /** Save a change; `throwErrors` for dialogs that show the error themselves. */
  async function patch(body, throwErrors = false) {
    if (body.status === 'closed' && !(await confirmClose(1))) {
      fields.update(tk, clocks);
      return;
    }
    try {
      const r = await api.patch(`/api/tickets/${id}`, body);
      if (destroyed) return;
      seq += 1; // an older load in flight must not undo this
      last = null;
      tk = r.ticket;
      if (r.sla_clocks) clocks = r.sla_clocks;
      events.push(...(r.events || []).filter((e) => !events.some((x) => x.id === e.id)));
      if (lacks(tk, events)) await dir.load();
      drawAll();
      if (r.events && r.events.length) toBottom();
      onChanged(tk);
    } catch (err) {
      if (throwErrors) throw err;
      toast(err.message, 'error');
      if (tk) fields.update(tk, clocks);
    }
  }

  async function send(body, isPublic, attachmentId) {
    const payload = { body, public: isPublic };
    if (attachmentId) payload.attachment_id = attachmentId;
    const r = await api.post(`/api/tickets/${id}/replies`, payload);
    if (destroyed) return;
    if (r.event && !events.some((x) => x.id === r.event.id)) events.push(r.event);
    last = null;
    drawTl();
    toBottom();
    // The reply may change the ticket (first response, status): fetch it again.
    load();
  }

  async function retry(e) {
    const d = await retryMail(e.email.outbox_id);
    if (d) e.email = { ...e.email, status: d.status || 'queued', error: d.last_error || null };
    if (!destroyed) {
      drawTl();
      pollDelay = MAIL_POLL;
      schedulePoll();
    }
  }

  async function openTransfer() {
    await dir.load();
    transferDialog(tk, (body) => patch(body, true));
  }

  load();
  return {
    el,
    id,
    reload: load,
    tick: () => {
      tickDue(el);
      tickSla(el);
    },
    destroy: () => {
      destroyed = true;
      clearTimeout(pollTimer);
      composer.destroy();
    },
  };
}
