// A conversation's history as the agent sees it: the customer on the left
// (tagged when they answered by email), agents and the bot on the right (with
// how the email went when the reply was mailed to the customer), internal
// notes in yellow (the bot's summary at a handover tagged as such), the
// article a bot answer came from, a dot on a customer's message that reads
// negative, positive or urgent, and timeline events (assigned, resolved,
// reopened, routed, intent changed…) as small centred lines.
import { h } from '../dom.js';
import { icon } from '../icons.js';
import { fmtDate, t } from '../i18n.js';
import { fmtClock, fmtShort } from '../time.js';
import { attachmentEl, isImage } from './attachment.js';
import { sentimentMark } from './conv-intent.js';
import { mailStateEl } from './mail-state.js';

// Messages closer than this to the one before (same author) share its header.
const GROUP_GAP = 5 * 60_000;
// A customer who stops typing without saying so stops showing after this.
const TYPING_SHOWN = 6000;

function actorName(e) {
  if (e.actor_name) return e.actor_name;
  if (e.actor_kind === 'contact') return t('inbox.actor_customer');
  if (e.actor_kind === 'system') return t('inbox.actor_system');
  return t('inbox.actor_someone');
}

function nameOf(map, id, fallbackKey) {
  if (id === null || id === undefined) return t(fallbackKey);
  const found = map.get(id);
  return found ? found.name : `#${id}`;
}

function labelsText(actor, d, labels) {
  const one = (id) => (labels && labels.has(id) ? labels.get(id).name : t('inbox.ev.label_deleted'));
  const names = (ids) => (ids || []).map(one).join(', ');
  const added = names(d.added);
  const removed = names(d.removed);
  if (added && removed) return t('inbox.ev.labels_changed', { actor, added, removed });
  if (added) return t('inbox.ev.labels_added', { actor, labels: added });
  return t('inbox.ev.labels_removed', { actor, labels: removed });
}

/** The intent changed: by an agent, a rule or the model. `label(name)` names an intent. */
function intentText(actor, d, label) {
  const from = label(d.from);
  const to = label(d.to);
  if (!to) return t('inbox.ev.intent_cleared', { actor });
  if (!from) return t('inbox.ev.intent_set', { actor, to });
  return t('inbox.ev.intent', { actor, from, to });
}

/** How kefu routed a new conversation: the intent it read, the rules that applied, the team. */
function routedText(d, label, teams) {
  const parts = [];
  const intent = label(d.intent);
  if (intent) {
    parts.push(typeof d.confidence === 'number'
      ? t('inbox.ev.routed_intent', { intent, confidence: Math.round(d.confidence * 100) })
      : t('inbox.ev.routed_intent_plain', { intent }));
  }
  const rules = Array.isArray(d.rules) ? d.rules.filter(Boolean) : [];
  if (rules.length) parts.push(t('inbox.ev.routed_rules', { rules: rules.join(', ') }));
  if (d.team_id !== null && d.team_id !== undefined) {
    parts.push(t('inbox.ev.routed_team', { team: nameOf(teams, d.team_id, 'inbox.no_team') }));
  }
  return parts.length ? parts.join(' · ') : t('inbox.ev.routed_none');
}

/** One sentence for a timeline event; `intentLabel(name)` names an intent (its name without it). */
export function eventText(e, { agents, teams, labels, intentLabel }) {
  const actor = actorName(e);
  const d = e.detail || {};
  const label = intentLabel || ((x) => (x === null || x === undefined ? null : String(x)));
  switch (e.kind) {
    case 'created':
      return t('inbox.ev.created');
    case 'assigned': {
      const agent = nameOf(agents, d.agent_id, 'inbox.unassigned_short');
      if (e.actor_kind === 'system') return t('inbox.ev.assigned_auto', { agent });
      if (e.actor_agent_id !== null && e.actor_agent_id === d.agent_id) return t('inbox.ev.took', { actor });
      return t('inbox.ev.assigned', { actor, agent });
    }
    case 'unassigned':
      return t('inbox.ev.unassigned', { actor });
    case 'status':
      if (e.actor_kind === 'contact') return t('inbox.ev.customer_back');
      if (d.to === 'open' && d.from === 'resolved') return t('inbox.ev.status_reopened', { actor });
      return ['resolved', 'open', 'queued', 'pending', 'snoozed', 'bot'].includes(d.to)
        ? t(`inbox.ev.status_${d.to}`, { actor })
        : t('inbox.ev.status_other', { actor, status: String(d.to) });
    case 'team':
      return d.team_id === null || d.team_id === undefined
        ? t('inbox.ev.team_none', { actor })
        : t('inbox.ev.team', { actor, team: nameOf(teams, d.team_id, 'inbox.no_team') });
    case 'reopened':
      return t('inbox.ev.reopened');
    case 'human_requested':
      return t('inbox.ev.human');
    case 'labels':
      return labelsText(actor, d, labels);
    case 'intent':
      return intentText(actor, d, label);
    case 'routed':
      return routedText(d, label, teams);
    case 'negative': {
      const cues = Array.isArray(d.cues) ? d.cues.filter(Boolean) : [];
      return cues.length ? t('inbox.ev.negative_cues', { cues: cues.join(', ') }) : t('inbox.ev.negative');
    }
    case 'requeued':
      return t('inbox.ev.requeued', { agent: nameOf(agents, d.agent_id, 'inbox.actor_someone') });
    case 'transcript_sent':
      return e.actor_name ? t('inbox.ev.transcript_sent', { actor }) : t('inbox.ev.transcript_sent_anon');
    default:
      return t('inbox.ev.other', { actor, kind: String(e.kind) });
  }
}

function ticks(m) {
  const label = t(`inbox.delivery.${m.delivery}`);
  return h('span', {
    class: ['ticks', `ticks-${m.delivery}`], testid: 'msg-delivery', dataset: { delivery: m.delivery },
    title: label, 'aria-label': label, role: 'img',
  }, icon(m.delivery === 'sent' ? 'check' : 'ticks', 'icon icon-xs'));
}

function authorOf(m) {
  if (m.sender === 'agent') return `a${m.agent_id}`;
  return m.sender;
}

/** Where the email carrying an agent's reply stands; `onRetry(m)` sends a failed one again. */
function mailLine(m, onRetry) {
  const mail = m.mail;
  const text = mail.status === 'failed'
    ? t('inbox.mail.failed', { error: mail.last_error || t('inbox.mail.no_reason') })
    : t(mail.status === 'sent' ? 'inbox.mail.sent' : 'inbox.mail.queued', { email: mail.to_email });
  return h('div', { class: 'msg-mail' }, mailStateEl({
    status: mail.status, text, testid: 'msg-mail', retryTestid: 'msg-mail-retry',
    // Without the outbox id there is nothing to retry.
    onRetry: onRetry && mail.id ? () => onRetry(m) : null,
  }));
}

function viaBadge() {
  return h('span', { class: 'badge badge-muted msg-via', testid: 'msg-via', title: t('inbox.via_email_title') },
    icon('mail', 'icon icon-xs'), t('inbox.via_email'));
}

const isSummary = (m) => Boolean(m.bot && m.bot.kind === 'summary');

/** "From: <article>" under a bot answer, linking to the article in the console. */
function botSource(m) {
  const a = m.bot && m.bot.kind === 'answer' && m.bot.articles && m.bot.articles[0];
  if (!a) return null;
  return h('div', { class: 'msg-source', testid: 'msg-bot-source', dataset: { articleId: a.article_id } },
    icon('book', 'icon icon-xs'), h('span', null, t('inbox.bot_source')),
    h('a', { class: 'msg-source-title', href: `#/kb/articles/${a.article_id}` }, a.title));
}

function messageEl(m, showHead, onRetryMail) {
  if (m.sender === 'system') {
    return h('li', { class: 'tl-event', testid: 'timeline-event' }, h('span', null, m.body));
  }
  const ours = m.sender === 'agent' || m.sender === 'bot';
  const kind = m.private ? 'note' : ours ? 'agent' : 'contact';
  const picture = m.attachment && isImage(m.attachment);
  let who = null;
  if (ours) who = m.sender === 'bot' ? t('inbox.bot') : (m.agent_name || t('inbox.actor_someone'));
  return h('li', {
    class: ['msg', ours ? 'msg-out' : 'msg-in', m.private && 'msg-note', showHead && 'msg-first'],
    testid: `msg-${kind}`, dataset: { messageId: m.id },
  },
  showHead && (who || m.private)
    ? h('div', { class: 'msg-head' },
      m.private ? h('span', { class: 'note-label' }, icon('note', 'icon icon-xs'), t('inbox.note_label')) : null,
      who ? h('span', { class: 'msg-author' }, who) : null,
      isSummary(m) ? h('span', { class: 'badge badge-accent msg-bot-tag', testid: 'msg-bot-summary' },
        icon('bolt', 'icon icon-xs'), t('inbox.bot_summary')) : null)
    : null,
  h('div', { class: ['msg-bubble', picture && 'msg-bubble-image'] },
    m.attachment ? attachmentEl(m.attachment) : null,
    m.body || !m.attachment ? h('p', { class: 'msg-body', testid: 'msg-body' }, m.body) : null),
  h('div', { class: 'msg-meta' },
    !ours && m.via === 'email' ? viaBadge() : null,
    h('time', { dateTime: new Date(m.created_at).toISOString() }, fmtShort(m.created_at)),
    m.sender === 'contact' ? sentimentMark(m.sentiment) : null,
    ours && !m.private ? ticks(m) : null),
  botSource(m),
  ours && !m.private && m.mail ? mailLine(m, onRetryMail) : null);
}

function dayKey(ms) {
  const d = new Date(ms);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

/** Messages and events in time order; `created` goes first on a tie. */
function merged(messages, events) {
  const items = [
    ...messages.map((m) => ({ at: m.created_at, rank: 1, id: m.id, m })),
    ...events.map((e) => ({ at: e.at, rank: e.kind === 'created' ? 0 : 2, id: e.id, e })),
  ];
  items.sort((a, b) => (a.at - b.at) || (a.rank - b.rank) || (a.id - b.id));
  return items;
}

/**
 * Draw the whole history into the <ol> `list`; `intentLabel(name)` names
 * intents in events, `onRetryMail(message)` for a reply whose email failed.
 */
export function drawThread(list, { messages, events, agents, teams, labels, intentLabel, onRetryMail }) {
  const out = [];
  let lastDay = null;
  let prev = null;
  for (const item of merged(messages, events)) {
    const day = dayKey(item.at);
    if (day !== lastDay) {
      const today = day === dayKey(Date.now());
      out.push(h('li', { class: 'tl-day' }, h('span', null, today ? t('inbox.today') : fmtDate(item.at))));
      lastDay = day;
      prev = null;
    }
    if (item.e) {
      out.push(h('li', { class: 'tl-event', testid: 'timeline-event', dataset: { kind: item.e.kind } },
        h('span', null, eventText(item.e, { agents, teams, labels, intentLabel }),
          h('time', { class: 'tl-time' }, fmtClock(item.at)))));
      prev = null;
      continue;
    }
    const m = item.m;
    // The bot's summary always shows its tag.
    const head = !prev || authorOf(prev) !== authorOf(m) || prev.private !== m.private
      || m.created_at - prev.created_at > GROUP_GAP || isSummary(m);
    out.push(messageEl(m, head, onRetryMail));
    prev = m;
  }
  list.replaceChildren(...out);
}

/** "The customer is typing…" under the history: show(on, agentName?) hides itself after a while. */
export function typingIndicator() {
  const el = h('p', { class: 'typing', testid: 'typing-indicator', role: 'status', hidden: true });
  let timer = null;
  return {
    el,
    show(on, who) {
      clearTimeout(timer);
      el.hidden = !on;
      if (!on) return;
      el.textContent = who ? t('inbox.agent_typing', { name: who }) : t('inbox.customer_typing');
      timer = setTimeout(() => { el.hidden = true; }, TYPING_SHOWN);
    },
  };
}

/** A delivery frame (sent → delivered → read up to a message): true when something changed. */
export function applyDelivery(messages, f) {
  let changed = false;
  for (const m of messages) {
    if (m.sender === 'agent' && !m.private && m.id <= f.up_to && m.delivery !== f.delivery) {
      m.delivery = f.delivery;
      changed = true;
    }
  }
  return changed;
}
