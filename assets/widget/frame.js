// The chat frame, loaded in an <iframe> by widget.js on a shop's page (or
// opened on its own). It talks to the page only through postMessage, and to
// kefu through the widget API (docs/widget-protocol.md).
//
// Messages typed by the customer go to an outbox kept in localStorage until
// kefu acknowledges them, so a flaky phone network or a closed tab never
// loses one.
import { ApiError, api, browserLang, currentLang, loadLang, mirrorTo, newClientId, setVisitor, sleep, store, t } from './util.js';
import { createLink } from './link.js';
import { cleanAttachment, createImages } from './image.js';
import { createView, renderFatal } from './view.js';
import { createBotActions } from './bot.js';

const root = document.getElementById('kf');
const inbox = new URLSearchParams(location.search).get('inbox') || '';
const embedded = window.parent !== window;
const key = (name) => `kefu.${name}.${inbox}`;
const RANK = { sent: 1, delivered: 2, read: 3 };
const FIELDS = ['name', 'email', 'phone'];
const DEFAULT_COLOR = '#0e7c72';

const st = {
  embedded,
  cfg: null,
  online: false,
  contact: null,
  conversation: null,
  messages: new Map(), // id → Message from the server
  // { client_id, body, created_at, attachment_id?, attachment?, failed?, error?, code? }, plus
  // file/preview/uploading for an image not uploaded yet; loaded once the page has spoken.
  outbox: [],
  lastId: 0,
  user: null,
  page: null,
  open: !embedded,
  live: false,
  typing: null, // agent's name while they type ('' when unnamed), else null
  notice: '',
  noticeBad: false,
  seen: 0, // the newest agent message the customer has seen
  readSent: 0,
  botGreeting: null, // the bot's word about a recent order (from the session; not a stored message)
  botGreetingUsed: false, // its "Track it" was tapped
  botBusy: 0, // the bot message whose button's request is on its way
};
let view = null;
let linkStarted = false;
let typingTimer = 0;

/** What is kept of an outbox item: an uploaded image keeps its attachment, so it is sent once. */
function stored({ client_id, body, created_at, attachment }) {
  const a = cleanAttachment(attachment);
  return a ? { client_id, body, created_at, attachment_id: a.id, attachment: a } : { client_id, body, created_at };
}

function loadOutbox() {
  try {
    const items = JSON.parse(store.get(key('outbox')) || '[]');
    return Array.isArray(items)
      ? items.filter((i) => i && typeof i.client_id === 'string' && typeof i.body === 'string').map(stored)
      : [];
  } catch {
    return [];
  }
}

function saveOutbox() {
  // An image still uploading cannot be kept (its file lives in this page only).
  const items = st.outbox.filter((i) => !i.file || i.attachment_id).map(stored);
  if (items.length) store.set(key('outbox'), JSON.stringify(items));
  else store.del(key('outbox'));
}

/** kefu has the message `clientId`: it leaves the outbox. */
function settle(clientId) {
  const i = st.outbox.findIndex((o) => o.client_id === clientId);
  if (i < 0) return;
  images.done(st.outbox[i]);
  st.outbox.splice(i, 1);
  saveOutbox();
}

// ---- the shop's page (widget.js) ----
// Only the parent window may talk to us, and only in these shapes. Until the
// parent has said who it is, we tell it nothing but "ready".

let parentOrigin = null;
const toSend = [];
let contextArrived;
const context = new Promise((r) => { contextArrived = r; });
if (!embedded) contextArrived();

function toParent(msg) {
  if (!embedded) return;
  if (!parentOrigin && msg.type !== 'ready') {
    toSend.push(msg);
    return;
  }
  window.parent.postMessage({ kefu: 1, ...msg }, parentOrigin && parentOrigin !== 'null' ? parentOrigin : '*');
}

const str = (v, max) => (typeof v === 'string' || typeof v === 'number' ? String(v).slice(0, max) : undefined);

function cleanUser(u) {
  if (!u || typeof u !== 'object' || !str(u.id, 256)) return null;
  return { id: str(u.id, 256), name: str(u.name, 200), email: str(u.email, 254), hash: str(u.hash, 128) };
}

function cleanPage(p) {
  if (!p || typeof p !== 'object' || typeof p.url !== 'string' || !/^https?:/i.test(p.url)) return null;
  return { url: p.url.slice(0, 2048), title: str(p.title, 300) || '' };
}

window.addEventListener('message', (ev) => {
  if (!embedded || ev.source !== window.parent) return;
  const d = ev.data;
  if (!d || typeof d !== 'object' || d.kefu !== 1) return;
  if (parentOrigin !== null && ev.origin !== parentOrigin) return;
  if (d.type === 'context' && parentOrigin === null) {
    parentOrigin = ev.origin;
    st.user = cleanUser(d.user);
    st.page = cleanPage(d.page);
    if (d.store && typeof d.store === 'object') {
      mirrorTo(d.store, (k, value) => toParent({ type: 'store', key: k, value }));
    }
    for (const m of toSend.splice(0)) toParent(m);
    contextArrived();
    if (d.open === true) setOpen(true);
  } else if (d.type === 'open' && parentOrigin !== null) {
    st.page = cleanPage(d.page) || st.page;
    setOpen(true);
  } else if (d.type === 'closed' && parentOrigin !== null) {
    setOpen(false);
  }
});

function setOpen(open) {
  st.open = open;
  if (!view) return;
  if (open) {
    ensureSession().catch(showError);
    view.focus();
  }
  markRead();
}

// ---- session ----

let sessionP = null;

/** The visitor's session, started once (and again if kefu forgets the token). */
function ensureSession() {
  if (!sessionP) sessionP = startSession().catch((err) => { sessionP = null; throw err; });
  return sessionP;
}

async function startSession() {
  await Promise.race([context, sleep(2000)]);
  for (let n = 0; ; n += 1) {
    try {
      const r = await api.post('/api/widget/session', {
        inbox, visitor_token: store.get(key('visitor')) || undefined, user: st.user || undefined,
        page: st.page || undefined, locale: currentLang(),
      });
      applySession(r);
      return r;
    } catch (err) {
      if (err.code === 'identity_invalid' && st.user) {
        console.warn('kefu: kefuSettings.user.hash does not match; chatting without the identity');
        st.user = null;
      } else if (err.status === 0 || err.status === 429 || err.status >= 500) {
        view.setLive(false);
        await sleep(Math.min(30, 2 ** n) * 1000);
      } else {
        throw err;
      }
    }
  }
}

function applySession(r) {
  const token = r.visitor_token;
  const changed = token !== store.get(key('visitor')) || !linkStarted;
  store.set(key('visitor'), token);
  setVisitor(token);
  st.contact = r.contact || null;
  st.conversation = r.conversation || null;
  if (typeof r.agents_online === 'boolean') st.online = r.agents_online;
  st.botGreeting = typeof r.bot_greeting === 'string' && r.bot_greeting ? r.bot_greeting : null;
  for (const m of r.messages || []) upsert(m);
  if (changed) {
    linkStarted = true;
    link.start(token);
  }
  refresh();
}

function unknownVisitor() {
  // kefu no longer knows this token (e.g. a restored backup): start afresh,
  // keeping the outbox so nothing typed is lost.
  store.del(key('visitor'));
  setVisitor(null);
  st.messages.clear();
  st.lastId = 0;
  st.botGreeting = null;
  sessionP = null;
  linkStarted = false;
  link.stop();
  ensureSession().catch(showError);
}

function showError(err) {
  st.notice = err.message;
  st.noticeBad = true;
  if (view) view.render();
}

// ---- messages ----

function upsert(m) {
  if (!m || typeof m.id !== 'number' || typeof m.body !== 'string') return;
  if (m.client_id) settle(m.client_id);
  const old = st.messages.get(m.id);
  const msg = old && (RANK[old.delivery] || 0) > (RANK[m.delivery] || 0) ? { ...m, delivery: old.delivery } : m;
  st.messages.set(m.id, msg);
  if (m.id > st.lastId) st.lastId = m.id;
  if ((m.sender === 'agent' || m.sender === 'bot') && st.typing !== null) st.typing = null;
}

function refresh() {
  if (!view) return;
  view.render();
  markRead();
}

function unreadCount() {
  let n = 0;
  for (const m of st.messages.values()) if ((m.sender === 'agent' || m.sender === 'bot') && m.id > st.seen) n += 1;
  return n;
}

let lastUnread = -1;

/** When the chat is open and visible, agent messages are read: tell kefu and the launcher. */
function markRead() {
  // Not while the help view covers the conversation: the customer has not seen them yet.
  const visible = st.open && document.visibilityState === 'visible' && !(view && view.helping());
  if (visible) {
    let last = 0;
    for (const m of st.messages.values()) if ((m.sender === 'agent' || m.sender === 'bot') && m.id > last) last = m.id;
    if (last > st.seen) {
      st.seen = last;
      store.set(key('seen'), String(last));
    }
    if (last > st.readSent && linkStarted) {
      st.readSent = last;
      link.read(last);
    }
  }
  const n = visible ? 0 : unreadCount();
  if (n !== lastUnread) {
    lastUnread = n;
    toParent({ type: 'unread', count: n });
  }
}

const link = createLink({
  lastId: () => st.lastId,
  outbox: () => st.outbox,
  onMessages(list, conversation) {
    for (const m of list) upsert(m);
    if (conversation !== undefined) st.conversation = conversation;
    if (view) view.render();
    markRead();
  },
  onAck(clientId, message, conversation) {
    settle(clientId);
    upsert(message);
    if (conversation) st.conversation = conversation;
    if (st.noticeBad) {
      st.notice = '';
      st.noticeBad = false;
    }
    refresh();
  },
  onFail(clientId, err) {
    const item = st.outbox.find((o) => o.client_id === clientId);
    if (!item) return;
    item.failed = true;
    item.error = err.message;
    item.code = err.code;
    if (err.code === 'prechat_required') store.del(key('prechat'));
    // Uploaded by a visitor kefu has since forgotten: the retry uploads the file again.
    if (err.code === 'unknown_attachment' && item.file) {
      delete item.attachment_id;
      delete item.attachment;
      saveOutbox();
    }
    view.render();
  },
  onEvent(f) {
    if (f.type === 'typing') {
      clearTimeout(typingTimer);
      st.typing = f.typing ? str(f.agent_name, 100) || '' : null;
      // A lost "stopped typing" must not leave the dots forever.
      if (f.typing) typingTimer = setTimeout(() => { st.typing = null; view.renderTyping(); }, 8000);
      view.renderTyping();
    } else if (f.type === 'conversation' && f.conversation) {
      st.conversation = f.conversation;
      view.render();
    } else if (f.type === 'delivery' && typeof f.up_to === 'number' && RANK[f.delivery]) {
      for (const [id, m] of st.messages) {
        if (m.sender === 'contact' && id <= f.up_to && (RANK[m.delivery] || 0) < RANK[f.delivery]) {
          st.messages.set(id, { ...m, delivery: f.delivery });
        }
      }
      view.renderList();
    } else if (f.type === 'presence' && typeof f.agents_online === 'boolean') {
      st.online = f.agents_online;
      view.render();
    }
  },
  onUnknownVisitor: unknownVisitor,
  onLive(live) {
    st.live = live;
    if (view) view.setLive(live);
  },
});

const images = createImages({
  st,
  session: ensureSession,
  flush: () => link.flush(),
  save: saveOutbox,
  renderList: (bottom) => view && view.renderList(bottom),
  refused: (message) => view && view.imageError(message),
  unknownVisitor,
});
window.addEventListener('online', () => images.online());

// ---- actions from the view ----

const bot = createBotActions({
  st,
  session: ensureSession,
  upsert,
  render: () => view && view.render(),
  error: showError,
  // The session answer carries the latest messages as kefu has them now.
  resync: () => startSession().catch(() => {}),
  send: (body) => actions.send(body),
});

const actions = {
  ...bot,
  send(body) {
    st.outbox.push({ client_id: newClientId(), body, created_at: Date.now() });
    saveOutbox();
    if (!st.noticeBad) st.notice = '';
    view.render();
    view.renderList(true);
    ensureSession().then(() => link.flush(), showError);
  },
  /** Returns why the file cannot be sent, or '' once it is on its way. */
  sendImage: (file) => images.send(file, newClientId),
  dismiss(clientId) {
    const item = st.outbox.find((o) => o.client_id === clientId);
    if (item) images.dismiss(item);
  },
  retry(clientId) {
    const item = st.outbox.find((o) => o.client_id === clientId);
    if (!item || images.retry(item)) return;
    item.failed = false;
    item.error = '';
    item.code = '';
    view.renderList();
    link.resend(clientId);
  },
  typing(on) {
    if (linkStarted) link.typing(on);
  },
  async handoff() {
    try {
      await ensureSession();
      const r = await api.post('/api/widget/handoff', {});
      if (r && r.conversation) st.conversation = r.conversation;
      st.notice = t('widget.handoff_done');
      st.noticeBad = false;
      view.render();
      setTimeout(() => {
        if (st.notice === t('widget.handoff_done')) {
          st.notice = '';
          view.render();
        }
      }, 8000);
    } catch (err) {
      showError(err);
    }
  },
  async email(email) {
    await ensureSession();
    const r = await api.post('/api/widget/email', { email });
    st.contact = { ...st.contact, ...(r && r.contact), email: (r && r.contact && r.contact.email) || email };
    view.render();
  },
  async prechat(values) {
    await ensureSession();
    const r = await api.post('/api/widget/session', {
      inbox, visitor_token: store.get(key('visitor')), prechat: values, page: st.page || undefined,
      locale: currentLang(),
    });
    applySession(r);
    store.set(key('prechat'), r.visitor_token);
    view.render();
    view.focus();
    // Messages refused for want of these details go now.
    for (const item of st.outbox) if (item.code === 'prechat_required') actions.retry(item.client_id);
  },
  /** [field, mode] pairs the customer must fill in before the first message, or null. */
  prechatFields() {
    const pc = st.cfg.inbox.prechat || {};
    const fields = FIELDS.filter((f) => pc[f] === 'optional' || pc[f] === 'required').map((f) => [f, pc[f]]);
    if (!fields.length || st.user || st.messages.size) return null;
    const token = store.get(key('visitor'));
    if (token && store.get(key('prechat')) === token) return null;
    const c = st.contact || {};
    const known = fields.every(([f, mode]) => mode !== 'required' || c[f]) && fields.some(([f]) => c[f]);
    return known ? null : fields;
  },
  /** The conversation is on screen again (the help view closed). */
  chatShown() {
    markRead();
  },
  close() {
    if (embedded && st.open) {
      st.open = false;
      toParent({ type: 'close' });
    }
  },
};

// ---- start ----

function brand(color) {
  const c = /^#[0-9a-f]{6}$/i.test(color || '') ? color : DEFAULT_COLOR;
  // White or near-black text, whichever reads better on the inbox colour (WCAG luminance).
  const lum = [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16) / 255)
    .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  const l = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2];
  const fg = 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 ? '#ffffff' : '#16191d';
  document.documentElement.style.setProperty('--brand', c);
  document.documentElement.style.setProperty('--on-brand', fg);
  return { color: c, fg };
}

async function retrying(fn) {
  for (let n = 0; ; n += 1) {
    try {
      return await fn();
    } catch (err) {
      // An answer from kefu (404 unknown inbox, 403 origin) will not change by asking again.
      if (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 429) throw err;
      if (n >= 5) throw err;
      await sleep(Math.min(30, 2 ** n) * 1000);
    }
  }
}

async function boot() {
  toParent({ type: 'ready' });
  let cfg;
  try {
    [cfg] = await Promise.all([
      retrying(() => api.get(`/api/widget/config?inbox=${encodeURIComponent(inbox)}`)),
      retrying(() => loadLang(browserLang())),
    ]);
  } catch (err) {
    console.warn('kefu: the chat is not available:', err.message);
    toParent({ type: 'unavailable' });
    renderFatal(root, err instanceof ApiError && err.status ? err.message
      : t('widget.load_failed') === 'widget.load_failed' ? 'kefu · 加载失败' : t('widget.load_failed'),
    () => location.reload());
    return;
  }
  await Promise.race([context, sleep(2000)]);
  st.outbox = loadOutbox();
  st.seen = Number(store.get(key('seen'))) || 0;
  st.cfg = cfg;
  st.online = Boolean(cfg.agents_online);
  document.title = cfg.inbox.name || 'kefu';
  const colors = brand(cfg.inbox.color);
  view = createView(root, st, actions);
  view.render();
  toParent({
    type: 'config', ...colors,
    labels: { open: t('widget.open'), close: t('widget.close'), unread: t('widget.unread') },
  });
  // Someone who has chatted before (or has unsent messages) connects at once,
  // to get replies and the unread badge; a first-time visitor only when they
  // open the chat, so page views without a chat cost kefu nothing.
  if (store.get(key('visitor')) || st.outbox.length || st.open) {
    ensureSession().catch(showError);
    if (st.open) view.focus();
  }
  document.addEventListener('visibilitychange', markRead);
}

boot();
