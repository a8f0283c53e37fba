// The console's live feed: one websocket to /api/ws for the whole tab.
// It reconnects with backoff (1 s, 2 s, 4 s … 30 s) and at once when the
// tab becomes visible or the network returns. Listeners get every server
// frame plus two of our own: {type:"open", reconnect} and {type:"closed"}.
// After a reconnect (or a "resync" frame) views reload what they show, so
// nothing sent while we were away is missed.

const PING_EVERY = 25_000;
// The server answers pings; silence this long means a dead connection.
const SILENCE_LIMIT = 65_000;

const listeners = new Set();
let ws = null;
let wanted = false;
let everOpen = false;
let connected = false;
let attempt = 0;
let retryTimer = null;
let pingTimer = null;
let lastHeard = 0;

function emit(frame) {
  for (const fn of Array.from(listeners)) {
    try {
      fn(frame);
    } catch (err) {
      console.error(err);
    }
  }
}

/** Subscribe to frames; returns an unsubscribe function. */
export function onLive(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Whether the socket is open right now. */
export function liveConnected() {
  return connected;
}

/** Send a frame if the socket is open; false when it is not (use HTTP then). */
export function sendLive(frame) {
  if (!ws || ws.readyState !== WebSocket.OPEN) return false;
  ws.send(JSON.stringify(frame));
  return true;
}

function open() {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  let sock;
  try {
    sock = new WebSocket(`${scheme}://${location.host}/api/ws`);
  } catch {
    schedule();
    return;
  }
  ws = sock;
  sock.addEventListener('open', () => {
    if (ws !== sock) return;
    const reconnect = everOpen;
    everOpen = true;
    connected = true;
    attempt = 0;
    lastHeard = Date.now();
    clearInterval(pingTimer);
    pingTimer = setInterval(ping, PING_EVERY);
    emit({ type: 'open', reconnect });
  });
  sock.addEventListener('message', (ev) => {
    if (ws !== sock) return;
    lastHeard = Date.now();
    let frame;
    try {
      frame = JSON.parse(ev.data);
    } catch {
      return;
    }
    if (!frame || typeof frame.type !== 'string' || frame.type === 'pong') return;
    emit(frame);
    // A message frame carries its conversation's new state; the views that keep
    // lists and counts listen for conversation frames.
    if (frame.type === 'message' && frame.conversation) {
      emit({ type: 'conversation', conversation: frame.conversation });
    }
  });
  sock.addEventListener('close', () => {
    if (ws !== sock) return;
    dropped();
  });
}

function dropped() {
  ws = null;
  clearInterval(pingTimer);
  pingTimer = null;
  if (connected) {
    connected = false;
    emit({ type: 'closed' });
  }
  schedule();
}

function ping() {
  if (Date.now() - lastHeard > SILENCE_LIMIT && ws) {
    // A half-open connection: give up on it and dial again.
    const dead = ws;
    dropped();
    dead.close();
    return;
  }
  sendLive({ type: 'ping' });
}

function schedule() {
  if (!wanted || retryTimer) return;
  const base = Math.min(30_000, 1000 * 2 ** attempt);
  attempt += 1;
  retryTimer = setTimeout(() => {
    retryTimer = null;
    if (wanted && !ws) open();
  }, base + Math.floor(Math.random() * 400));
}

function reconnectNow() {
  if (!wanted || ws) return;
  clearTimeout(retryTimer);
  retryTimer = null;
  attempt = 0;
  open();
}

function onVisibility() {
  if (document.visibilityState === 'visible') reconnectNow();
}

/** Connect (once) for the logged-in agent. */
export function startLive() {
  if (wanted) return;
  wanted = true;
  everOpen = false;
  document.addEventListener('visibilitychange', onVisibility);
  window.addEventListener('online', reconnectNow);
  open();
}

/** Disconnect for good (logging out). */
export function stopLive() {
  wanted = false;
  document.removeEventListener('visibilitychange', onVisibility);
  window.removeEventListener('online', reconnectNow);
  clearTimeout(retryTimer);
  retryTimer = null;
  clearInterval(pingTimer);
  pingTimer = null;
  const sock = ws;
  ws = null;
  connected = false;
  if (sock) sock.close();
}
