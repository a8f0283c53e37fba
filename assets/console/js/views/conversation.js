// One conversation: header with actions, the history, the customer's
// typing indicator, the reply box, and the contact panel. Follows the live
// feed for its own conversation and marks it read while it is on screen.
import { api } from '../api.js';
import { contactName, noteSummary } from '../desk.js';
import { h, initial, mount } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { sendLive } from '../realtime.js';
import { session } from '../session.js';
import { fmtWaiting } from '../time.js';
import { loadError, loading, openDialog, toast } from '../ui.js';
import { createComposer } from './composer.js';
import { choiceDialog, contactFacts, pickAgent, pickSnooze, pickTeam } from './conv-actions.js';
import { STATUS_BADGE } from './inbox-list.js';
import { drawThread } from './thread.js';

// A customer who stops typing without saying so stops showing after this.
const TYPING_SHOWN = 6000;

/**
 * `dir` knows agents and teams ({ agents: Map, teams: Map, ready, refresh() }),
 * `onBack()` returns to the list. Returns the view's handle for the page.
 */
export function createConversation(id, { dir, onBack }) {
  let detail = null;
  let destroyed = false;
  let typingTimer = null;
  let reloadTimer = null;
  let readTimer = null;
  let loadSeq = 0;

  const el = h('section', { class: 'conv', testid: 'conversation', dataset: { conversationId: id } });
  const head = h('header', { class: 'conv-head' });
  const thread = h('ol', { class: 'thread', testid: 'thread' });
  const scroller = h('div', { class: 'thread-scroll' }, thread);
  const typing = h('p', { class: 'typing', testid: 'typing-indicator', role: 'status', hidden: true });
  const side = h('aside', { class: 'conv-side', 'aria-label': t('inbox.contact.title') });
  const composer = createComposer({ onSend: send, onTyping: sendTyping });
  const main = h('div', { class: 'conv-main' }, head, scroller, typing, composer.el);
  mount(el, h('div', { class: 'conv-loading' }, loading()));

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
    drawThread(thread, { messages: detail.messages, events: detail.events, agents: dir.agents, teams: dir.teams });
    if (stay) toBottom();
  }

  function actionButton(key, iconName, label, onClick, extra = {}) {
    return h('button', {
      type: 'button', class: ['btn', 'btn-small', extra.primary ? 'btn-primary' : null, 'conv-action'],
      testid: `conv-${key}`, onClick, title: extra.title || null,
    }, icon(iconName, 'icon icon-sm'), h('span', { class: 'conv-action-text' }, label));
  }

  function drawHead() {
    const c = summary();
    const name = contactName(detail.contact);
    const resolved = c.status === 'resolved';
    const sub = [
      h('span', { class: ['badge', `badge-${STATUS_BADGE[c.status] || 'muted'}`], testid: 'conv-head-status' },
        t(`status.${c.status}`)),
      c.waiting_since && !resolved
        ? h('span', { class: 'waiting', dataset: { since: c.waiting_since } }, fmtWaiting(c.waiting_since)) : null,
      h('span', { class: 'conv-head-assignee', testid: 'conv-head-assignee' },
        c.assignee_name || t('inbox.unassigned_short')),
      teamName() ? h('span', { class: 'conv-head-team' }, teamName()) : null,
    ];
    mount(head,
      h('button', { type: 'button', class: 'btn-icon conv-back', testid: 'conv-back', 'aria-label': t('inbox.back'),
        onClick: onBack }, icon('back')),
      h('span', { class: 'avatar avatar-sm avatar-muted conv-head-avatar', 'aria-hidden': 'true' }, initial(name)),
      h('div', { class: 'conv-head-text' },
        h('h2', { class: 'conv-head-name', testid: 'conv-head-name' }, name),
        h('div', { class: 'conv-head-sub' }, sub)),
      h('div', { class: 'conv-actions' },
        actionButton('assign', 'assign', t('inbox.assign'), assign),
        actionButton('team', 'users', t('inbox.team'), moveTeam),
        resolved ? null : actionButton('snooze', 'clock', t('inbox.snooze_action'), snooze),
        actionButton('info', 'info', t('inbox.contact.title'), showContact),
        resolved
          ? actionButton('reopen', 'reopen', t('inbox.reopen'), () => setStatus('open'), { primary: true })
          : actionButton('resolve', 'check', t('inbox.resolve'), () => setStatus('resolved'), { primary: true })),
      h('button', { type: 'button', class: 'btn-icon conv-more', testid: 'conv-more', 'aria-label': t('inbox.more'),
        onClick: moreMenu }, icon('more')));
  }

  function drawSide() {
    mount(side, contactFacts(detail.contact, summary(), teamName()));
  }

  function render() {
    drawHead();
    drawSide();
    mount(el, main, side);
    drawAll(true);
  }

  async function load() {
    const mine = (loadSeq += 1);
    try {
      // Names in the timeline come from the directory: wait for it the first time.
      const [d] = await Promise.all([api.get(`/api/conversations/${id}`), dir.ready]);
      if (unknownNames(d)) await dir.refresh();
      if (destroyed || mine !== loadSeq) return;
      const first = !detail;
      detail = d;
      noteSummary(d.conversation);
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

  /** An agent or team created since the directory was loaded. */
  function unknownNames(d) {
    return d.events.some(({ detail: x }) => x && ((x.agent_id && !dir.agents.has(x.agent_id))
      || (x.team_id && !dir.teams.has(x.team_id))))
      || (d.conversation.team_id && !dir.teams.has(d.conversation.team_id));
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
    return before.status !== c.status || before.assignee_id !== c.assignee_id || before.team_id !== c.team_id;
  }

  function addMessage(m) {
    if (detail.messages.some((x) => x.id === m.id)) return;
    detail.messages.push(m);
    drawAll(m.sender === 'agent' && m.agent_id === me());
  }

  async function send(body, isPrivate) {
    const r = await api.post(`/api/conversations/${id}/messages`, { body, private: isPrivate });
    if (!destroyed && detail) addMessage(r.message);
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

  function showContact() {
    const dlg = openDialog({ title: t('inbox.contact.title'), testid: 'contact-dialog' });
    dlg.body.append(contactFacts(detail.contact, summary(), teamName()));
  }

  function moreMenu() {
    const c = summary();
    const resolved = c.status === 'resolved';
    const lead = (name) => h('span', { class: 'avatar avatar-xs avatar-muted', 'aria-hidden': 'true' },
      icon(name, 'icon icon-xs'));
    const choices = [
      resolved ? { key: 'reopen', label: t('inbox.reopen'), lead: lead('reopen') }
        : { key: 'resolve', label: t('inbox.resolve'), lead: lead('check') },
      c.assignee_id === me() ? null : { key: 'take', label: t('inbox.take'), lead: lead('user') },
      { key: 'assign', label: t('inbox.assign_more'), sub: c.assignee_name || t('inbox.unassigned_short'),
        lead: lead('assign') },
      { key: 'team', label: t('inbox.team_more'), sub: teamName() || t('inbox.no_team'), lead: lead('users') },
      resolved ? null : { key: 'snooze', label: t('inbox.snooze_more'), lead: lead('clock') },
      resolved || c.status === 'pending' ? null
        : { key: 'pending', label: t('inbox.mark_pending'), sub: t('inbox.mark_pending_sub'), lead: lead('reopen') },
      { key: 'contact', label: t('inbox.contact.title'), lead: lead('info') },
    ].filter(Boolean);
    const run = {
      resolve: () => setStatus('resolved'), reopen: () => setStatus('open'), take: assignToMe, assign,
      team: moveTeam, snooze, pending: () => setStatus('pending'), contact: showContact,
    };
    choiceDialog({ title: t('inbox.actions'), testid: 'conv-menu', choices, onPick: (key) => run[key]() });
  }

  function assignToMe() {
    if (summary().assignee_id === me()) return;
    act('assign', { agent_id: me() }, t('inbox.done.taken'));
  }

  function showTyping(on, who) {
    clearTimeout(typingTimer);
    typing.hidden = !on;
    if (!on) return;
    typing.textContent = who ? t('inbox.agent_typing', { name: who }) : t('inbox.customer_typing');
    typingTimer = setTimeout(() => { typing.hidden = true; }, TYPING_SHOWN);
  }

  function handleFrame(f) {
    if (!detail) return;
    const cid = f.conversation_id ?? (f.conversation && f.conversation.id);
    if (cid !== id) return;
    if (f.type === 'message' && f.message) {
      addMessage(f.message);
      if (f.message.sender === 'contact') {
        showTyping(false);
        markRead(true);
      }
    } else if (f.type === 'conversation') {
      if (takeSummary(f.conversation)) reloadSoon();
      if (f.conversation.unread) markRead();
    } else if (f.type === 'typing') {
      if (f.agent_id === undefined || f.agent_id === null) showTyping(f.typing);
      else if (f.agent_id !== me()) showTyping(f.typing, f.agent_name);
    } else if (f.type === 'delivery' && f.of === 'agent') {
      let changed = false;
      for (const m of detail.messages) {
        if (m.sender === 'agent' && !m.private && m.id <= f.up_to && m.delivery !== f.delivery) {
          m.delivery = f.delivery;
          changed = true;
        }
      }
      if (changed) drawAll(false);
    }
  }

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
    toggleResolved: () => detail && setStatus(summary().status === 'resolved' ? 'open' : 'resolved'),
    assignToMe: () => detail && assignToMe(),
    destroy: () => {
      destroyed = true;
      composer.stopTyping();
      clearTimeout(typingTimer);
      clearTimeout(reloadTimer);
      clearTimeout(readTimer);
    },
  };
}
