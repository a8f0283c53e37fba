// The logged-in agent's notifications (a ticket assigned to them, a customer's
// answer, SLA warnings and breaches) and how many are unread, for the bell in
// the header. The live feed says when some agent got one ("notifications"
// frame): ours are fetched again then, and after a reconnect.
import { api } from './api.js';
import { onLive } from './realtime.js';
import { onSessionChange } from './session.js';

const PAGE = 30;

/** What the bell shows: newest first; `more` while older ones may exist. */
export const notifications = { items: [], unread: 0, more: false };

const listeners = new Set();
let unsubscribeLive = null;
let seq = 0;

function emit() {
  for (const fn of Array.from(listeners)) fn(notifications);
}

/** Subscribe to changes; returns an unsubscribe function. */
export function onNotifications(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Fetch the newest page and the unread count again. */
export async function loadNotifications() {
  const mine = (seq += 1);
  try {
    const r = await api.get(`/api/notifications?limit=${PAGE}`);
    if (mine !== seq) return;
    notifications.items = r.notifications;
    notifications.unread = r.unread;
    notifications.more = r.notifications.length === PAGE;
    emit();
  } catch {
    // Keep what we have: the next frame or reconnect loads again.
  }
}

/** Append the next page of older ones. Throws on failure (the caller says so). */
export async function loadOlderNotifications() {
  const last = notifications.items[notifications.items.length - 1];
  if (!last) return;
  const mine = seq;
  const r = await api.get(`/api/notifications?limit=${PAGE}&before=${last.id}`);
  if (mine !== seq) return;
  const have = new Set(notifications.items.map((n) => n.id));
  notifications.items.push(...r.notifications.filter((n) => !have.has(n.id)));
  notifications.unread = r.unread;
  notifications.more = r.notifications.length === PAGE;
  emit();
}

/** Mark some (or, with null, all) read: at once on screen, then as the server says. Throws on failure. */
export async function markNotificationsRead(ids) {
  seq += 1; // an older load in flight must not bring the badge back
  const now = Date.now();
  let marked = 0;
  for (const n of notifications.items) {
    if (!n.read_at && (!ids || ids.includes(n.id))) {
      n.read_at = now;
      marked += 1;
    }
  }
  notifications.unread = ids ? Math.max(0, notifications.unread - marked) : 0;
  emit();
  try {
    await api.post('/api/notifications/read', ids ? { ids } : {});
  } finally {
    loadNotifications();
  }
}

function onFrame(frame) {
  if (frame.type === 'notifications' || frame.type === 'resync' || (frame.type === 'open' && frame.reconnect)) {
    loadNotifications();
  }
}

/** Start following the agent's notifications (idempotent; the shell calls it). */
export function startNotifications() {
  if (unsubscribeLive) return;
  unsubscribeLive = onLive(onFrame);
  loadNotifications();
}

onSessionChange((s) => {
  if (s.agent || !unsubscribeLive) return;
  unsubscribeLive();
  unsubscribeLive = null;
  seq += 1;
  notifications.items = [];
  notifications.unread = 0;
  notifications.more = false;
  emit();
});
