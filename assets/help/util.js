// Small pieces for the customer's ticket status page (/s/<token>): its icons,
// times, storage, and the JSON fetch wrapper that speaks the page's language to
// the server. The DOM builder and the dictionary come from the chat frame's util.

import { ApiError, browserLang, currentLang, h, loadLang, normLang, t } from '../widget/util.js';

// The chat frame's DOM builder, dictionary and errors serve this page too.
export { ApiError, browserLang, currentLang, h, loadLang, normLang, t };

const SVG_NS = 'http://www.w3.org/2000/svg';

// Line icons on a 24×24 grid.
const ICONS = {
  image: 'M5 4.5h14A1.5 1.5 0 0 1 20.5 6v12a1.5 1.5 0 0 1-1.5 1.5H5A1.5 1.5 0 0 1 3.5 18V6A1.5 1.5 0 0 1 5 4.5zM3.5 16l5-5 4.5 4.5 2.5-2.5 5 5M15.5 8.5v.5',
  close: 'M6 6l12 12M18 6 6 18',
  send: 'M4.5 12 19.5 4.5 15.5 19.5 11.5 13.5zM11.5 13.5 19.5 4.5',
  globe: 'M12 3.5a8.5 8.5 0 1 1 0 17 8.5 8.5 0 0 1 0-17zM3.5 12h17M12 3.5c2.3 2.4 3.4 5.2 3.4 8.5s-1.1 6.1-3.4 8.5C9.7 18.1 8.6 15.3 8.6 12S9.7 5.9 12 3.5z',
  alert: 'M12 4a8 8 0 1 1 0 16 8 8 0 0 1 0-16zM12 8v5M12 16v.5',
  link: 'M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1',
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

export const LANGS = ['en', 'zh-CN'];

// ---- time ----

/** Milliseconds from the server's time (ms since the epoch, seconds, or an ISO string). */
export function toMs(v) {
  if (typeof v === 'number') return v < 1e11 ? v * 1000 : v;
  const n = Date.parse(String(v || ''));
  return Number.isNaN(n) ? null : n;
}

const fmtCache = new Map();
function fmt(opts) {
  const key = JSON.stringify(opts);
  // `undefined`: the browser's own locale, as the customer reads dates every day.
  if (!fmtCache.has(key)) fmtCache.set(key, new Intl.DateTimeFormat(undefined, opts));
  return fmtCache.get(key);
}

/** "14:05" today, "3 Mar 14:05" this year, else with the year; in the browser's locale. */
export function fmtTime(ms) {
  const d = new Date(ms);
  const now = new Date();
  if (d.toDateString() === now.toDateString()) return fmt({ hour: '2-digit', minute: '2-digit' }).format(d);
  if (d.getFullYear() === now.getFullYear()) {
    return fmt({ month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(d);
  }
  return fmt({ year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(d);
}

/** The full date and time, for a tooltip. */
export const fmtFull = (ms) => fmt({ dateStyle: 'full', timeStyle: 'short' }).format(new Date(ms));

/** A <time> element for a server time, or null. */
export function timeEl(v, cls) {
  const ms = toMs(v);
  if (ms === null) return null;
  return h('time', { class: cls, datetime: new Date(ms).toISOString(), title: fmtFull(ms) }, fmtTime(ms));
}

// ---- storage (may be blocked; then nothing is kept) ----

export const session = {
  get(key) {
    try {
      return sessionStorage.getItem(key);
    } catch {
      return null;
    }
  },
  set(key, value) {
    try {
      if (value) sessionStorage.setItem(key, value);
      else sessionStorage.removeItem(key);
    } catch {
      // full or blocked: the draft lives in the page only
    }
  },
};

export const local = {
  get(key) {
    try {
      return localStorage.getItem(key);
    } catch {
      return null;
    }
  },
  set(key, value) {
    try {
      if (value) localStorage.setItem(key, value);
      else localStorage.removeItem(key);
    } catch {
      // blocked: the choice lasts for this page
    }
  },
};

// ---- HTTP ----

/**
 * One request to the status API, in the page's language (Accept-Language), so
 * kefu words its errors for the customer. A Blob `body` goes as it is, with its
 * own type. Network failures become ApiError status 0.
 */
export async function request(method, path, body, { timeout = 20000 } = {}) {
  const headers = { Accept: 'application/json', 'Accept-Language': currentLang() };
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeout);
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
    throw new ApiError(0, 'network', t('status_page.network_error'));
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
      e.message || t('status_page.server_error', { status: res.status }));
  }
  return data;
}

export const api = {
  get: (path, opts) => request('GET', path, undefined, opts),
  post: (path, body, opts) => request('POST', path, body, opts),
};

/** Only kefu's own paths: an attachment URL never becomes javascript: or another site. */
export const localUrl = (u) => (typeof u === 'string' && /^\/(?![/\\])/.test(u) ? u : null);

/** Characters as a person counts them (an emoji is one). */
export const chars = (s) => Array.from(s).length;
