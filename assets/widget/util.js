// Small pieces shared by the chat frame (and the ticket status page, which
// imports the DOM builder, the dictionary and ApiError from here): a DOM builder that never parses
// HTML, the dictionary, storage that survives blocked localStorage, and the
// JSON fetch wrapper that carries the visitor token.

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Build an element: h('button', { class: 'x', onClick: fn, testid: 'send' }, 'text'). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === 'testid') el.setAttribute('data-testid', v);
    else if (k === 'value' || k === 'hidden' || k === 'disabled') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// Line icons drawn for kefu on a 24×24 grid.
const ICONS = {
  close: 'M6 6l12 12M18 6 6 18',
  send: 'M4.5 12 19.5 4.5 15.5 19.5 11.5 13.5zM11.5 13.5 19.5 4.5',
  smile: 'M12 3.5a8.5 8.5 0 1 1 0 17 8.5 8.5 0 0 1 0-17zM8.5 14a4.2 4.2 0 0 0 7 0M9 9.5v.5M15 9.5v.5',
  human: 'M12 4.5a3.5 3.5 0 1 1 0 7 3.5 3.5 0 0 1 0-7zM5 20a7 7 0 0 1 14 0',
  check: 'M5 12.5l4 4L19 7',
  double: 'M2.5 12.5l4 4L16 7M11 15.5l1 1L21.5 7',
  clock: 'M12 4a8 8 0 1 1 0 16 8 8 0 0 1 0-16zM12 8v4.5l3 2',
  alert: 'M12 4a8 8 0 1 1 0 16 8 8 0 0 1 0-16zM12 8v5M12 16v.5',
  file: 'M6.5 3.5h7.5l4 4v13h-11.5zM13.5 3.5v4.5h4.5M12 11v6M9.5 14.5 12 17l2.5-2.5',
  image: 'M5 4.5h14A1.5 1.5 0 0 1 20.5 6v12a1.5 1.5 0 0 1-1.5 1.5H5A1.5 1.5 0 0 1 3.5 18V6A1.5 1.5 0 0 1 5 4.5zM3.5 16l5-5 4.5 4.5 2.5-2.5 5 5M15.5 8.5v.5',
  help: 'M12 3.5a8.5 8.5 0 1 1 0 17 8.5 8.5 0 0 1 0-17zM9.6 9.4a2.5 2.5 0 1 1 3.4 2.4c-.6.3-1 .8-1 1.5v.4M12 16.4v.4',
  back: 'M14.5 5.5 8 12l6.5 6.5',
  external: 'M13.5 4.5h6v6M19.5 4.5 11 13M17.5 13.5v5a1 1 0 0 1-1 1h-11a1 1 0 0 1-1-1v-11a1 1 0 0 1 1-1h5',
};

/** An inline SVG icon, hidden from screen readers (labels carry the meaning). */
export function icon(name, cls = 'ic') {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('class', cls);
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', ICONS[name] || '');
  svg.append(path);
  return svg;
}

// ---- language ----

let lang = 'en';
let dict = {};
const dicts = new Map();

/** 'zh-CN' or 'en' for any tag ('zh', 'zh-Hans-CN', 'en-GB'…), else null. */
export function normLang(tag) {
  const c = String(tag || '').toLowerCase();
  if (c.startsWith('zh')) return 'zh-CN';
  if (c.startsWith('en')) return 'en';
  return null;
}

/** The browser's first zh* or en* preference, else English. */
export function browserLang() {
  const prefs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
  for (const p of prefs) {
    const l = normLang(p);
    if (l) return l;
  }
  return 'en';
}

let manifest = null;

/** Hashed URL for a plain asset path (from the manifest the server puts in the page). */
export function assetUrl(path) {
  if (manifest === null) {
    try {
      manifest = JSON.parse(document.getElementById('kefu-assets').textContent || '{}');
    } catch {
      manifest = {};
    }
  }
  return manifest[path] || path;
}

/** Load the dictionary for `code` (once: pages that switch languages come back) and make it current. */
export async function loadLang(code) {
  if (!dicts.has(code)) {
    const res = await fetch(assetUrl(`/assets/i18n/${code}.json`), { credentials: 'omit' });
    if (!res.ok) throw new Error(`i18n ${code}: HTTP ${res.status}`);
    dicts.set(code, await res.json());
  }
  dict = dicts.get(code);
  lang = code;
  document.documentElement.lang = code;
}

export const currentLang = () => lang;

/** Translate a key, filling {name} placeholders. Unknown keys show as themselves. */
export function t(key, params) {
  const msg = Object.prototype.hasOwnProperty.call(dict, key) ? dict[key] : key;
  if (!params) return msg;
  return msg.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/** "14:05" today, otherwise with the date. */
export function fmtTime(ms) {
  const d = new Date(ms);
  const today = new Date().toDateString() === d.toDateString();
  const opts = today ? { hour: '2-digit', minute: '2-digit' }
    : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' };
  return new Intl.DateTimeFormat(lang, opts).format(d);
}

// ---- storage ----
// The frame's own localStorage when the browser lets a third-party frame have
// one. When it does not (third-party storage blocked), values live in memory
// and are mirrored to the shop page's localStorage through widget.js, so a
// reload still finds the visitor and the unsent messages.

function probe() {
  try {
    localStorage.setItem('kefu.probe', '1');
    localStorage.removeItem('kefu.probe');
    return localStorage;
  } catch {
    return null;
  }
}

const local = probe();
const mem = new Map();
let mirror = null;

export const store = {
  get(key) {
    if (local) return local.getItem(key);
    return mem.has(key) ? mem.get(key) : null;
  },
  /** `value` null removes the key. */
  set(key, value) {
    if (local) {
      try {
        if (value === null) local.removeItem(key);
        else local.setItem(key, value);
        return;
      } catch {
        // quota exceeded: keep it for this page at least
      }
    }
    if (value === null) mem.delete(key);
    else mem.set(key, value);
    if (mirror) mirror(key, value);
  },
  del(key) {
    store.set(key, null);
  },
};

/** Without storage of our own: start from the page's copy and send it every change. */
export function mirrorTo(snapshot, send) {
  if (local) return;
  for (const [k, v] of Object.entries(snapshot || {})) {
    if (typeof v === 'string' && !mem.has(k)) mem.set(k, v);
  }
  mirror = send;
}

/** A random id for a message; randomUUID needs a secure context, getRandomValues does not. */
export function newClientId() {
  if (crypto.randomUUID) return `c-${crypto.randomUUID()}`;
  const b = crypto.getRandomValues(new Uint8Array(16));
  return `c-${Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')}`;
}

// ---- HTTP ----

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let visitor = null;

/** The visitor token sent with every call (header X-Kefu-Visitor). */
export function setVisitor(token) {
  visitor = token;
}

/**
 * One JSON request (a Blob `body` goes as it is, with its own type). Network
 * failures become ApiError status 0; `timeout` (ms) aborts a request that
 * hangs on a dead connection.
 */
export async function request(method, path, body, { signal, timeout = 20000 } = {}) {
  // The server's error texts in the widget's language, which may not be the
  // browser's (the page or the customer chose another).
  const headers = { Accept: 'application/json', 'Accept-Language': lang };
  if (visitor) headers['X-Kefu-Visitor'] = visitor;
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeout);
  if (signal) signal.addEventListener('abort', () => ctl.abort(), { once: true });
  const init = { method, headers, credentials: 'omit', cache: 'no-store', signal: ctl.signal };
  if (body instanceof Blob) {
    headers['Content-Type'] = body.type || 'application/octet-stream';
    init.body = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  let text;
  try {
    res = await fetch(path, init);
    text = res.status === 204 ? '' : await res.text();
  } catch {
    throw new ApiError(0, signal && signal.aborted ? 'aborted' : 'network', t('widget.network_error'));
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const e = (data && data.error) || {};
    throw new ApiError(res.status, e.code || `http_${res.status}`,
      e.message || t('widget.server_error', { status: res.status }));
  }
  return data;
}

export const api = {
  get: (path, opts) => request('GET', path, undefined, opts),
  post: (path, body, opts) => request('POST', path, body, opts),
};

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
