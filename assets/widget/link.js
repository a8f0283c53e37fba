// The live line to kefu. A websocket while it works; long polling over HTTP
// when websockets fail three times in a row (blocked by a proxy, never
// open). After every (re)connect: fetch what was missed, then send the
// outbox once. Duplicate sends are harmless: the server deduplicates by
// client_id.
import { api, currentLang } from './util.js';

const OPEN_TIMEOUT = 10000; // a socket not open by then counts as failed
const HEALTHY_AFTER = 10000; // a socket that lived this long (or spoke) was not a failure
const PING_EVERY = 25000;
const SILENT_LIMIT = 70000; // no frame at all for this long: the line is dead
const ACK_TIMEOUT = 15000; // a sent message not acknowledged by then: reconnect and resend
const MAX_FAILS = 3;
const POLL_WAIT = 25;
const RETRY_WS_AFTER = 5 * 60000;

/** Backoff 1, 2, 4 … 30 s, with a little jitter so a restarted server is not stormed. */
const backoff = (n) => Math.min(30, 2 ** n) * 1000 * (0.85 + Math.random() * 0.3);

/**
 * `hooks`: lastId() → number; outbox() → pending items; onMessages(list, conversation);
 * onEvent(frame) for typing/conversation/delivery/presence; onAck(clientId, message,
 * conversation); onFail(clientId, error); onUnknownVisitor(); onLive(bool).
 */
export function createLink(hooks) {
  let token = '';
  let running = false;
  let mode = 'ws';
  let ws = null;
  let live = false;
  let fails = 0;
  let retry = 0;
  let timer = 0;
  let gen = 0; // bumps on every new connection or poll loop; stale callbacks check it
  let offline = false; // only from the browser's offline/online events
  let pollCtl = null;
  let wake = null;
  let posting = false;
  let pendingRead = 0;
  let ackTimer = 0;
  let lastFrame = 0;
  const sentOn = new Map(); // client_id → gen it was sent on (once per connection)

  const setLive = (v) => {
    if (live !== v) {
      live = v;
      hooks.onLive(v);
    }
  };

  function wsUrl() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    // The widget's language for the server's error texts (not always the browser's).
    return `${proto}//${location.host}/api/widget/ws?visitor=${encodeURIComponent(token)}&lang=${currentLang()}`;
  }

  // ---- websocket ----

  function connect() {
    clearTimeout(timer);
    if (!running || ws || mode !== 'ws' || offline) return;
    const g = ++gen;
    let healthy = false;
    let sock;
    try {
      sock = new WebSocket(wsUrl());
    } catch {
      fails = MAX_FAILS;
      return closed(null, false);
    }
    ws = sock;
    const openTimer = setTimeout(() => drop(sock), OPEN_TIMEOUT);
    let healthTimer = 0;
    const markHealthy = () => {
      healthy = true;
      fails = 0;
    };
    sock.onopen = () => {
      clearTimeout(openTimer);
      retry = 0;
      lastFrame = Date.now();
      healthTimer = setTimeout(markHealthy, HEALTHY_AFTER);
      setLive(true);
      if (pendingRead) sendFrame({ type: 'read', up_to: pendingRead });
      sync(g);
    };
    sock.onmessage = (ev) => {
      if (ws !== sock) return;
      lastFrame = Date.now();
      markHealthy();
      let f;
      try {
        f = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (f && typeof f === 'object') onFrame(f);
    };
    sock.onclose = () => {
      clearTimeout(openTimer);
      clearTimeout(healthTimer);
      if (ws === sock) closed(sock, healthy);
    };
  }

  /** Give up on a socket now (a dead line may take minutes to report its close). */
  function drop(sock) {
    if (!sock || ws !== sock) return;
    sock.onclose = null;
    sock.onmessage = null;
    try {
      sock.close();
    } catch {
      // already closing
    }
    closed(sock, false);
  }

  function closed(sock, healthy) {
    if (sock && ws !== sock) return;
    ws = null;
    setLive(false);
    clearTimeout(ackTimer);
    if (!running) return;
    if (!healthy && !offline) fails += 1;
    // While the socket is down, one plain fetch brings what was missed (and
    // finds out at once if kefu no longer knows this visitor).
    if (!offline && fails < MAX_FAILS) check(gen);
    if (fails >= MAX_FAILS) {
      mode = 'poll';
      startPoll();
    } else {
      timer = setTimeout(connect, backoff(retry));
      retry += 1;
    }
  }

  function sendFrame(f) {
    if (!ws || !live) return false;
    try {
      ws.send(JSON.stringify(f));
      return true;
    } catch {
      return false;
    }
  }

  function onFrame(f) {
    switch (f.type) {
      case 'ack':
        hooks.onAck(f.client_id, f.message);
        break;
      case 'message':
        if (f.message) hooks.onMessages([f.message]);
        break;
      case 'error':
        if (f.client_id) hooks.onFail(f.client_id, { code: f.code, message: f.message });
        else console.warn('kefu:', f.code, f.message);
        break;
      case 'resync':
        // kefu dropped events for this socket (it fell behind): fetch instead.
        sync(gen);
        break;
      case 'pong':
      case 'ping':
        break;
      default:
        hooks.onEvent(f);
    }
  }

  /** Fetch what was missed while away, then send the outbox. */
  async function sync(g) {
    try {
      const r = await api.get(`/api/widget/messages?after=${hooks.lastId()}`);
      if (g !== gen) return;
      hooks.onMessages((r && r.messages) || [], r && r.conversation);
    } catch (err) {
      if (err.status === 401) {
        hooks.onUnknownVisitor();
        return;
      }
      // The socket will bring new messages; the next reconnect syncs again.
    }
    if (g === gen) flush();
  }

  async function check(g) {
    try {
      const r = await api.get(`/api/widget/messages?after=${hooks.lastId()}`);
      if (g === gen) hooks.onMessages((r && r.messages) || [], r && r.conversation);
    } catch (err) {
      if (err.status === 401 && g === gen) hooks.onUnknownVisitor();
    }
  }

  // ---- long polling ----

  function startPoll() {
    const g = ++gen;
    if (pollCtl) pollCtl.abort();
    pollLoop(g);
  }

  async function pollLoop(g) {
    let errors = 0;
    let first = true;
    const since = Date.now();
    while (running && mode === 'poll' && g === gen) {
      if (Date.now() - since > RETRY_WS_AFTER && !offline) {
        // Networks change (a phone leaves the office wifi): give the websocket
        // another chance; one more failure brings us back here.
        mode = 'ws';
        fails = MAX_FAILS - 1;
        gen += 1;
        connect();
        return;
      }
      if (offline) {
        setLive(false);
        await new Promise((r) => { wake = r; });
        continue;
      }
      pollCtl = new AbortController();
      const wait = first ? '' : `&wait=${POLL_WAIT}`;
      try {
        const r = await api.get(`/api/widget/messages?after=${hooks.lastId()}${wait}`,
          { signal: pollCtl.signal, timeout: (POLL_WAIT + 15) * 1000 });
        if (g !== gen) return;
        errors = 0;
        first = false;
        setLive(true);
        hooks.onMessages((r && r.messages) || [], r && r.conversation);
        if (pendingRead) postRead(pendingRead);
        flush();
      } catch (err) {
        if (g !== gen) return;
        if (err.status === 401) {
          hooks.onUnknownVisitor();
          return;
        }
        setLive(false);
        await new Promise((r) => {
          wake = r;
          setTimeout(r, backoff(errors));
        });
        errors += 1;
      }
    }
  }

  // ---- sending ----

  /** The message as the server takes it; an image goes once its upload is done. */
  const ready = (item) => !item.failed && !(item.file && !item.attachment_id);
  const payload = (item) => (item.attachment_id
    ? { client_id: item.client_id, body: item.body, attachment_id: item.attachment_id }
    : { client_id: item.client_id, body: item.body });

  /** Send every outbox item not yet sent on this connection, in order. */
  function flush() {
    if (!running) return;
    if (mode === 'poll') {
      postAll();
      return;
    }
    if (!live) return;
    for (const item of hooks.outbox()) {
      if (!ready(item) || sentOn.get(item.client_id) === gen) continue;
      if (!sendFrame({ type: 'message', ...payload(item) })) return;
      sentOn.set(item.client_id, gen);
      clearTimeout(ackTimer);
      const g = gen;
      const sock = ws;
      ackTimer = setTimeout(() => {
        const waiting = hooks.outbox().some((i) => !i.failed && sentOn.get(i.client_id) === g);
        if (waiting && g === gen) drop(sock);
      }, ACK_TIMEOUT);
    }
  }

  /** HTTP sends one at a time, so messages keep their order. */
  async function postAll() {
    if (posting) return;
    posting = true;
    const tried = new Set();
    try {
      for (;;) {
        const item = hooks.outbox().find((i) => ready(i) && !tried.has(i.client_id));
        if (!item || mode !== 'poll' || !running) break;
        tried.add(item.client_id);
        try {
          const r = await api.post('/api/widget/messages', payload(item));
          hooks.onAck(item.client_id, r && r.message, r && r.conversation);
        } catch (err) {
          if (err.status === 0) break; // no network: the next successful poll tries again
          if (err.status === 401) {
            hooks.onUnknownVisitor();
            break;
          }
          hooks.onFail(item.client_id, err);
        }
      }
    } finally {
      posting = false;
    }
  }

  function postRead(upTo) {
    api.post('/api/widget/read', { up_to: upTo }).then(() => {
      if (pendingRead === upTo) pendingRead = 0;
    }, () => {});
  }

  // ---- life cycle ----

  /** Reconnect now (page visible again, network back). */
  function kick() {
    if (!running || offline) return;
    if (mode === 'ws') {
      if (!ws) {
        retry = 0;
        connect();
      }
    } else if (wake) {
      const w = wake;
      wake = null;
      w();
    } else if (!live) {
      startPoll();
    }
  }

  setInterval(() => {
    if (!ws || !live) return;
    if (Date.now() - lastFrame > SILENT_LIMIT) drop(ws);
    else sendFrame({ type: 'ping' });
  }, PING_EVERY);

  window.addEventListener('offline', () => {
    offline = true;
    if (ws) drop(ws);
    if (pollCtl) pollCtl.abort();
    setLive(false);
  });
  window.addEventListener('online', () => {
    offline = false;
    kick();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') kick();
  });

  return {
    /** Start (or restart with a new visitor token): websocket first. */
    start(visitorToken) {
      running = false;
      if (ws) drop(ws);
      if (pollCtl) pollCtl.abort();
      clearTimeout(timer);
      token = visitorToken;
      running = true;
      mode = 'ws';
      fails = 0;
      retry = 0;
      sentOn.clear();
      gen += 1;
      connect();
    },
    stop() {
      running = false;
      clearTimeout(timer);
      gen += 1;
      if (ws) drop(ws);
      if (pollCtl) pollCtl.abort();
    },
    flush,
    kick,
    /** Resend one failed message (the retry button). */
    resend(clientId) {
      sentOn.delete(clientId);
      flush();
    },
    typing(on) {
      if (mode === 'ws') sendFrame({ type: 'typing', typing: on });
      else if (live) api.post('/api/widget/typing', { typing: on }).catch(() => {});
    },
    read(upTo) {
      pendingRead = upTo;
      if (mode === 'ws') {
        if (sendFrame({ type: 'read', up_to: upTo })) pendingRead = 0;
      } else if (live) {
        postRead(upTo);
      }
    },
    get mode() {
      return mode;
    },
    get live() {
      return live;
    },
  };
}
