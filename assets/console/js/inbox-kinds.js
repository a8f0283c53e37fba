// The inboxes the console knows by id: their names (for a contact's
// identities) and which one is the shop's mailbox rather than a chat widget
// (its conversations carry an envelope). Only admins may list inboxes; for
// everyone else nothing is known and nothing is marked.
import { api } from './api.js';
import { isAdmin, onSessionChange } from './session.js';

let inboxes = null;
let loading = null;
// Bumped when the agent changes: an answer asked for by the one before is dropped.
let generation = 0;
// Ids looked up once since the last load and still unknown (deleted inboxes).
const asked = new Set();
const listeners = new Set();

/** Load the inboxes (once; `force` again). Resolves when known, or when they cannot be. */
export function loadInboxes(force = false) {
  if (!isAdmin()) return Promise.resolve();
  if (loading && !force) return loading;
  const mine = generation;
  loading = api.get('/api/inboxes').then(({ inboxes: list }) => {
    if (mine !== generation) return;
    inboxes = new Map(list.map((i) => [i.id, i]));
    for (const fn of Array.from(listeners)) fn();
  }).catch(() => {
    // Names fall back to "inbox #3", and no envelopes: the next load may do better.
    if (mine === generation) loading = null;
  });
  return loading;
}

/** Subscribe to loads of the inboxes; returns an unsubscribe function. */
export function onInboxes(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The inbox's name, or null when it is not known. */
export function inboxName(id) {
  const ib = inboxes && inboxes.get(id);
  return ib ? ib.name : null;
}

/**
 * Whether conversation summary `c` belongs to the email inbox. An inbox not
 * seen before (the email inbox is made when the first mail becomes a
 * conversation) loads the list again, once; listeners hear when it is in.
 */
export function isEmailConversation(c) {
  // The server says so on every summary; the list is the fallback for older ones.
  if (c && c.inbox_kind) return c.inbox_kind === 'email';
  if (!c || !isAdmin()) return false;
  if (inboxes && !inboxes.has(c.inbox_id) && !asked.has(c.inbox_id)) {
    asked.add(c.inbox_id);
    loadInboxes(true);
  }
  const ib = inboxes && inboxes.get(c.inbox_id);
  return Boolean(ib && ib.kind === 'email');
}

/** An inbox was created, changed or deleted here: load them again (if they were loaded). */
export function forgetInboxes() {
  loading = null;
  asked.clear();
  if (inboxes) loadInboxes();
}

// Another agent logs in (or nobody): what the last one knew goes.
let agentId = null;
onSessionChange((s) => {
  const id = s.agent ? s.agent.id : null;
  if (id === agentId) return;
  agentId = id;
  generation += 1;
  inboxes = null;
  loading = null;
  asked.clear();
});
