// What the whole console knows about the conversations still going on:
// the unread count on the Inbox nav item and in the page title, the counts
// on the inbox tabs, and the chime/notification when a customer writes
// while the tab is hidden. Fed by the live feed; reloaded after reconnects.
import { api } from './api.js';
import { t } from './i18n.js';
import { announceMessage, prepareSound } from './notify.js';
import { onLive, startLive, stopLive } from './realtime.js';
import { onSessionChange, session } from './session.js';

const convs = new Map();
const listeners = new Set();
let started = false;
let unsubscribeLive = null;
let soundPrepared = false;

/** A contact's display name: the name, else the email, else "Visitor #12". */
export function contactName(contact) {
  if (!contact) return '';
  const name = (contact.name || '').trim();
  if (name) return name;
  if (contact.email) return contact.email;
  return t('inbox.visitor', { id: contact.id });
}

function myId() {
  return session.agent ? session.agent.id : null;
}

/** Mine or nobody's: what the agent should answer. */
function concernsMe(c) {
  return c.assignee_id === null || c.assignee_id === undefined || c.assignee_id === myId();
}

function emit() {
  for (const fn of Array.from(listeners)) fn();
}

/** Subscribe to changes of the counts; returns an unsubscribe function. */
export function onDesk(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Unread customer messages in conversations that are mine or unassigned. */
export function unreadTotal() {
  let n = 0;
  for (const c of convs.values()) if (concernsMe(c)) n += c.unread || 0;
  return n;
}

/** How many conversations (not resolved) each inbox tab holds. */
export function deskCounts() {
  const me = myId();
  let mine = 0;
  let unassigned = 0;
  for (const c of convs.values()) {
    if (c.assignee_id === me) mine += 1;
    else if (c.assignee_id === null || c.assignee_id === undefined) unassigned += 1;
  }
  return { mine, unassigned, all: convs.size };
}

/** Take a fresh summary (from an API answer or the live feed). */
export function noteSummary(s) {
  const prev = convs.get(s.id);
  if (s.status === 'resolved') convs.delete(s.id);
  else convs.set(s.id, s);
  return prev;
}

/** Load the counts again (e.g. after an inbox and its conversations were deleted). */
export async function reloadDesk() {
  return load();
}

async function load() {
  try {
    const { conversations } = await api.get('/api/conversations?view=all&limit=200');
    convs.clear();
    for (const c of conversations) convs.set(c.id, c);
    emit();
  } catch {
    // Keep what we have; the next reconnect loads again.
  }
}

function onFrame(frame) {
  if (frame.type === 'resync' || frame.type === 'open') {
    load();
    return;
  }
  if (frame.type !== 'conversation' || !frame.conversation) return;
  const s = frame.conversation;
  const prev = noteSummary(s);
  const grew = (s.unread || 0) > (prev ? prev.unread || 0 : 0);
  if (grew && concernsMe(s) && document.hidden) {
    announceMessage({
      conversationId: s.id,
      title: contactName(s.contact),
      body: s.last_message ? s.last_message.body || t(s.last_message.file ? 'inbox.file.preview' : 'inbox.image.preview') : '',
    });
  }
  emit();
}

/** Start following the desk for the logged-in agent (idempotent). */
export function startDesk() {
  if (started) return;
  started = true;
  if (!soundPrepared) {
    prepareSound();
    soundPrepared = true;
  }
  unsubscribeLive = onLive(onFrame);
  startLive();
  load();
}

function stopDesk() {
  started = false;
  if (unsubscribeLive) unsubscribeLive();
  unsubscribeLive = null;
  stopLive();
  convs.clear();
  emit();
}

onSessionChange((s) => {
  if (!s.agent && started) stopDesk();
});
