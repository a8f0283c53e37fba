// One conversation: header with actions (and the intent), its labels, the
// history, the customer's typing indicator, suggested articles for the
// customer's latest message, the reply box, and the contact panel (beside it
// on wide screens, its own screen at #/inbox/<id>/contact otherwise).
// Follows the live feed for its own conversation and marks it read while
// it is on screen.
import { api } from '../api.js';
import { contactName, noteSummary } from '../desk.js';
import { h, mount } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { isEmailConversation, onInboxes } from '../inbox-kinds.js';
import { sendLive } from '../realtime.js';
import { go } from '../router.js';
import { session } from '../session.js';
import { fmtWaiting } from '../time.js';
import { loadError, loading, toast } from '../ui.js';
import { cannedVariables } from './canned-suggest.js';
import { createComposer } from './composer.js';
import { createContactPanel } from './contact-panel.js';
import { drawConvHead, moreMenu, pickAgent, pickIntent, pickSnooze, pickTeam, transcriptDialog } from './conv-actions.js';
import { intentLabel, knownIntents, loadIntents } from './conv-intent.js';
import { createKbAssist } from './kb-assist.js';
import { drawLabelBar, pickLabels } from './labels.js';
import { retryMail } from './mail-state.js';
import { applyDelivery, drawThread, typingIndicator } from './thread.js';

/**
 * `dir` knows agents, teams and labels ({ agents, teams, labels: Map, ready,
 * refresh(), lacks(detail) }),
 * `onBack()` returns to the list. Returns the view's handle for the page.
 */
export function createConversation(id, { dir, onBack }) {
  let detail = null;
  let destroyed = false;
  let reloadTimer = null;
  let readTimer = null;
  let loadSeq = 0;
  // Whether the history is scrolled to its end: images that load later keep it there.
  let pinned = true;
  // The contact screen was opened from here (so "back" is the browser's back).
  let panelOpened = false;

  const el = h('section', { class: 'conv', testid: 'conversation', dataset: { conversationId: id } });
  const head = h('header', { class: 'conv-head' });
  const labelsEl = h('div', { class: 'conv-labels', testid: 'conv-labels' });
  const thread = h('ol', { class: 'thread', testid: 'thread' });
  const scroller = h('div', { class: 'thread-scroll' }, thread);
  const typing = typingIndicator();
  const panel = createContactPanel({ conversationId: id, onChanged: () => reloadSoon(), onBack: closePanel });
  const composer = createComposer({ onSend: send, onTyping: sendTyping, vars: variables });
  // Suggestions come and go above the reply box: the history keeps its end in view.
  const assist = createKbAssist({ insert: (text) => composer.insert(text), onResize: () => { if (pinned) toBottom(); } });
  const main = h('div', { class: 'conv-main' }, head, labelsEl, scroller, typing.el, assist.el, composer.el);
  mount(el, h('div', { class: 'conv-loading' }, loading()));
  scroller.addEventListener('scroll', () => { pinned = nearBottom(); }, { passive: true });
  thread.addEventListener('load', (ev) => {
    if (ev.target.tagName === 'IMG' && pinned) toBottom();
  }, true);

  const me = () => (session.agent ? session.agent.id : null);
  const summary = () => detail.conversation;
  const visible = () => el.isConnected && document.visibilityState === 'visible';
  const nearBottom = () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 120;
  const toBottom = () => { scroller.scrollTop = scroller.scrollHeight; };
  const teamName = () => {
    const tm = summary().team_id ? dir.teams.get(summary().team_id) : null;
    return tm ? tm.name : null;
  };

  function drawAll(stick) {
    const stay = stick || nearBottom();
    drawThread(thread, { messages: detail.messages, events: detail.events, agents: dir.agents, teams: dir.teams,
      labels: dir.labels, intentLabel, onRetryMail: retryReplyMail });
    if (stay) toBottom();
    pinned = stay;
  }

  /** What saved replies may fill in: the customer, me, their latest order. */
  function variables() {
    return cannedVariables(detail && detail.contact, detail ? detail.orders : []);
  }

  function drawHead() {
    drawConvHead(head, {
      summary: summary(), name: contactName(detail.contact), teamName: teamName(),
      email: isEmailConversation(summary()),
      // "Set intent" only where the shop has intents to choose from.
      offerIntent: Boolean(knownIntents() && knownIntents().length),
      on: {
        back: onBack, contact: showContact, assign, team: moveTeam, snooze, more: openMenu, intent: changeIntent,
        reopen: () => setStatus('open'), resolve: () => setStatus('resolved'), ticket: createTicket,
        transcript: emailTranscript,
      },
    });
  }

  function drawSide() {
    panel.update(detail, teamName());
    drawLabelBar(labelsEl, summary().labels, editLabels);
  }

  function render() {
    drawHead();
    drawSide();
    mount(el, main, panel.el);
    drawAll(true);
  }

  async function load() {
    const mine = (loadSeq += 1);
    try {
      // Names in the timeline come from the directory (intents' labels from
      // their list): wait for them the first time.
      const [d] = await Promise.all([api.get(`/api/conversations/${id}`), dir.ready, loadIntents()]);
      if (dir.lacks(d)) await dir.refresh();
      if (destroyed || mine !== loadSeq) return;
      const first = !detail;
      detail = d;
      noteSummary(d.conversation);
      assist.update(d);
      if (first) render();
      else {
        drawHead();
        drawSide();
        drawAll(false);
      }
      markRead();
    } catch (err) {
      if (destroyed || detail) return;
      mount(el, h('div', { class: 'conv-error' }, loadError(err, load),
        h('button', { type: 'button', class: 'btn', onClick: onBack }, icon('back', 'icon icon-sm'), t('inbox.back'))));
    }
  }

  /** The conversation changed under us (actions, other agents): fetch the timeline again. */
  function reloadSoon() {
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(load, 250);
  }

  function markRead(force = false) {
    if (!detail || !visible()) return;
    if (!force && !summary().unread) return;
    clearTimeout(readTimer);
    readTimer = setTimeout(() => {
      api.post(`/api/conversations/${id}/read`).catch(() => {});
    }, 200);
  }

  function takeSummary(c) {
    const before = summary();
    detail.conversation = c;
    noteSummary(c);
    drawHead();
    drawSide();
    const labelKey = (x) => x.labels.map((l) => l.id).join(',');
    const intentKey = (x) => (x.intent ? `${x.intent.name}/${x.intent.source}` : '');
    return before.status !== c.status || before.assignee_id !== c.assignee_id || before.team_id !== c.team_id
      || labelKey(before) !== labelKey(c) || intentKey(before) !== intentKey(c);
  }

  function addMessage(m) {
    const known = detail.messages.find((x) => x.id === m.id);
    if (known) {
      // The same message again: how its email went may have moved on (queued →
      // sent), or its sentiment may have been read since.
      const mailMoved = m.mail && JSON.stringify(m.mail) !== JSON.stringify(known.mail);
      const sentimentRead = m.sentiment && JSON.stringify(m.sentiment) !== JSON.stringify(known.sentiment);
      if (mailMoved) known.mail = m.mail;
      if (sentimentRead) known.sentiment = m.sentiment;
      if (mailMoved || sentimentRead) drawAll(false);
      return;
    }
    detail.messages.push(m);
    drawAll(m.sender === 'agent' && m.agent_id === me());
    assist.update(detail);
  }

  async function send(body, isPrivate, attachmentId) {
    const payload = { body, private: isPrivate };
    if (attachmentId) payload.attachment_id = attachmentId;
    const r = await api.post(`/api/conversations/${id}/messages`, payload);
    if (!destroyed && detail) addMessage(r.message);
  }

  /** A reply whose email failed: queue the email again and show where it stands. */
  async function retryReplyMail(m) {
    const row = await retryMail(m.mail.id);
    if (destroyed || !detail) return;
    if (row) {
      m.mail = { ...m.mail, status: row.status || 'queued', last_error: row.last_error ?? null };
      toast(t('settings.email.retried', { email: row.to_email || m.mail.to_email }));
    }
    // Also after a refusal: the Retry button comes back.
    drawAll(false);
  }

  /** "Email transcript": the dialog, then the toast; the timeline shows the event. */
  function emailTranscript() {
    transcriptDialog({
      email: detail.contact.email,
      send: async (to) => {
        const r = await api.post(`/api/conversations/${id}/transcript`, to ? { to } : {});
        toast(t('inbox.transcript.queued', { email: r.mail.to_email }));
        if (!destroyed) reloadSoon();
      },
    });
  }

  function sendTyping(on) {
    if (sendLive({ type: 'typing', conversation_id: id, typing: on })) return;
    api.post(`/api/conversations/${id}/typing`, { typing: on }).catch(() => {});
  }

  async function act(path, body, done) {
    try {
      const r = await api.post(`/api/conversations/${id}/${path}`, body);
      if (destroyed) return;
      takeSummary(r.conversation);
      reloadSoon();
      if (done) toast(done);
    } catch (err) {
      toast(err.message, 'error');
    }
  }

  function setStatus(status, until) {
    const body = { status };
    if (until) body.snoozed_until = until;
    return act('status', body, t(`inbox.done.${status}`));
  }

  async function assign() {
    await dir.refresh();
    pickAgent({ agents: Array.from(dir.agents.values()), current: summary().assignee_id,
      onPick: (agentId) => act('assign', { agent_id: agentId }) });
  }

  async function moveTeam() {
    await dir.refresh();
    pickTeam({ teams: Array.from(dir.teams.values()).sort((a, b) => a.name.localeCompare(b.name)),
      current: summary().team_id, onPick: (teamId) => act('assign', { team_id: teamId }) });
  }

  function snooze() {
    pickSnooze({ onPick: (until) => setStatus('snoozed', until) });
  }

  function editLabels() {
    pickLabels({
      current: summary().labels,
      onSave: async (ids) => {
        const r = await api.put(`/api/conversations/${id}/labels`, { label_ids: ids });
        if (destroyed) return;
        await dir.refresh();
        takeSummary(r.conversation);
        reloadSoon();
      },
    });
  }

  /** The intent picker, with the shop's intents as they are now. */
  async function changeIntent() {
    const intents = await loadIntents(true);
    if (destroyed || !detail) return;
    const current = summary().intent ? summary().intent.name : null;
    pickIntent({
      intents, current,
      onPick: async (name) => {
        if (name === current && summary().intent && summary().intent.source === 'agent') return;
        try {
          const r = await api.put(`/api/conversations/${id}/intent`, { intent: name });
          if (destroyed) return;
          takeSummary(r.conversation);
          reloadSoon();
          toast(t('inbox.intent.changed', { label: intentLabel(name) }));
        } catch (err) {
          toast(err.message, 'error');
        }
      },
    });
  }

  function showContact() {
    panelOpened = true;
    go(`/inbox/${id}/contact`);
  }

  function closePanel() {
    if (panelOpened) history.back();
    else go(`/inbox/${id}`, { replace: true });
    panelOpened = false;
  }

  function openMenu() {
    moreMenu({
      summary: summary(), me: me(), teamName: teamName(),
      run: {
        resolve: () => setStatus('resolved'), reopen: () => setStatus('open'), take: assignToMe, assign,
        team: moveTeam, labels: editLabels, intent: changeIntent, snooze, pending: () => setStatus('pending'),
        contact: showContact, ticket: createTicket, transcript: emailTranscript,
      },
    });
  }

  /** A ticket for what this chat could not settle: the form, filled in from the chat. */
  function createTicket() {
    go(`/tickets/new?conversation=${id}`);
  }

  function assignToMe() {
    if (summary().assignee_id === me()) return;
    act('assign', { agent_id: me() }, t('inbox.done.taken'));
  }

  function handleFrame(f) {
    if (!detail) return;
    const cid = f.conversation_id ?? (f.conversation && f.conversation.id);
    if (cid !== id) return;
    if (f.type === 'message' && f.message) {
      addMessage(f.message);
      if (f.message.sender === 'contact') {
        typing.show(false);
        markRead(true);
      }
    } else if (f.type === 'conversation') {
      if (takeSummary(f.conversation)) reloadSoon();
      if (f.conversation.unread) markRead();
    } else if (f.type === 'typing') {
      if (f.agent_id === undefined || f.agent_id === null) typing.show(f.typing);
      else if (f.agent_id !== me()) typing.show(f.typing, f.agent_name);
    } else if (f.type === 'delivery' && f.of === 'agent') {
      if (applyDelivery(detail.messages, f)) drawAll(false);
    }
  }

  // The envelope in the header needs the inboxes, which may come after the conversation.
  const unsubscribeInboxes = onInboxes(() => { if (detail && !destroyed) drawHead(); });

  load();
  return {
    el,
    id,
    handleFrame,
    reload: load,
    onVisible: () => markRead(),
    tick: () => {
      for (const w of head.querySelectorAll('[data-since]')) w.textContent = fmtWaiting(Number(w.dataset.since));
    },
    focusReply: (mode) => composer.focus(mode || 'reply'),
    /** Show the contact screen (narrow panes; wide ones always show it beside). */
    setPanel: (open) => {
      el.classList.toggle('conv-panel-open', open);
      if (!open) panelOpened = false;
    },
    panelOpen: () => el.classList.contains('conv-panel-open'),
    toggleResolved: () => detail && setStatus(summary().status === 'resolved' ? 'open' : 'resolved'),
    assignToMe: () => detail && assignToMe(),
    destroy: () => {
      destroyed = true;
      unsubscribeInboxes();
      composer.destroy();
      assist.destroy();
      typing.show(false);
      clearTimeout(reloadTimer);
      clearTimeout(readTimer);
    },
  };
}
