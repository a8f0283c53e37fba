// What the widget's browser tests share: the shop page on another origin, the
// owner's HTTP client, and helpers that drive the widget's frame.
import assert from 'node:assert/strict';
import http from 'node:http';
import zlib from 'node:zlib';
import { eventually, expectText, freePort, screenshotsDir, sleep } from './harness.mjs';

export const SHOTS = screenshotsDir('kefu-widget-screens');

export const OWNER = { shop_name: '小王的店', name: '王小明', email: 'owner@example.com', password: 'green-tea-and-dumplings-7' };
export const INBOX = { name: '小王的店', greeting: '你好！', color: '#0f766e' };
export const BRAND_RGB = 'rgb(15, 118, 110)';
export const QUESTION = '你好，我的快递到哪了？';
export const ANSWER = '已经发货了';

export function crc32(bytes) {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k += 1) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** A valid PNG of one colour, built here (8-bit RGB, one IDAT). */
export function png(width, height, [r, g, b]) {
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x += 1) row.set([r, g, b], 1 + x * 3);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(Array(height).fill(row)))), chunk('IEND', Buffer.alloc(0))]);
}


/** The owner, talking to kefu over plain HTTP like the console does. */
export class Agent {
  constructor(base) {
    this.base = base;
    this.cookie = '';
    this.csrf = '';
  }

  async call(method, apiPath, body) {
    const headers = { Accept: 'application/json' };
    if (this.cookie) headers.Cookie = this.cookie;
    if (method !== 'GET' && this.csrf) headers['X-CSRF-Token'] = this.csrf;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(this.base + apiPath, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const cookies = res.headers.getSetCookie();
    if (cookies.length) this.cookie = cookies.map((c) => c.split(';')[0]).join('; ');
    const text = await res.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: res.status, body: json };
  }

  async must(method, apiPath, body, status) {
    const res = await this.call(method, apiPath, body);
    assert.ok(status ? res.status === status : res.status < 300,
      `${method} ${apiPath} answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async setup() {
    const data = await this.must('POST', '/api/setup', OWNER);
    assert.ok(data.csrf_token, 'setup returns a CSRF token');
    assert.ok(this.cookie, 'setup sets the session cookie');
    this.csrf = data.csrf_token;
  }

  availability(availability) {
    return this.must('PUT', '/api/me/availability', { availability });
  }

  async conversations() {
    return (await this.must('GET', '/api/conversations?view=all')).conversations;
  }

  /** Bodies of the messages of conversation `id`, in order. */
  async bodies(id) {
    return (await this.must('GET', `/api/conversations/${id}`)).messages.map((m) => m.body);
  }

  /** Messages of conversation `id` that carry an attachment. */
  async images(id) {
    return (await this.must('GET', `/api/conversations/${id}`)).messages.filter((m) => m.attachment);
  }

  /** Uploads an image as the console does (raw bytes); returns the attachment. */
  async upload(bytes, type) {
    const res = await fetch(`${this.base}/api/attachments`, {
      method: 'POST', headers: { Cookie: this.cookie, 'X-CSRF-Token': this.csrf, 'Content-Type': type }, body: bytes,
    });
    const body = await res.json();
    assert.equal(res.status, 201, `POST /api/attachments answered ${res.status}: ${JSON.stringify(body)}`);
    return body;
  }

  /** The one conversation whose messages contain `text`. */
  async conversationWith(text) {
    return eventually(async () => {
      for (const c of await this.conversations()) {
        if ((await this.bodies(c.id)).includes(text)) return c;
      }
      return null;
    }, `a conversation containing "${text}"`);
  }
}

/**
 * A shop's page on another origin with the snippet. Its CSP allows no inline
 * style or script, and its stylesheet targets buttons and iframes everywhere.
 */
export async function startShop(kefuBase) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://shop');
    if (url.pathname === '/shop.css') {
      res.writeHead(200, { 'Content-Type': 'text/css' });
      res.end(`* { font-size: 26px; box-sizing: content-box; }
body { margin: 0; font-family: serif; background: #faf7f0; color: #333; }
header { padding: 16px; background: #7c2d12; color: #fff; }
main { padding: 16px; }
button { background: #ff00ff !important; border: 6px dashed red !important; width: 300px !important; }
iframe { border: 9px solid orange !important; }
svg { display: none !important; }`);
      return;
    }
    if (url.pathname === '/settings.js') {
      // What a shop's server renders for a logged-in customer.
      res.writeHead(200, { 'Content-Type': 'text/javascript' });
      res.end(`window.kefuSettings = ${JSON.stringify({ user: JSON.parse(url.searchParams.get('user')) })};`);
      return;
    }
    if (url.pathname !== '/') {
      res.writeHead(404).end();
      return;
    }
    const inbox = url.searchParams.get('inbox') || '';
    const user = url.searchParams.get('user');
    const settings = user ? `<script src="/settings.js?user=${encodeURIComponent(user)}"></script>\n` : '';
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': `default-src 'self'; script-src 'self' ${kefuBase}; frame-src ${kefuBase}; style-src 'self'; img-src 'self'`,
    });
    res.end(`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>小王的店 · 新茶上市</title>
<link rel="stylesheet" href="/shop.css">
</head>
<body>
<header>小王的店</header>
<main>
<p>明前龙井 250g · ¥168</p>
<p>云南普洱 357g · ¥239</p>
<button type="button">加入购物车</button>
</main>
${settings}<script src="${kefuBase}/widget.js" data-inbox="${inbox}" async></script>
</body>
</html>`);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  // "localhost" and "127.0.0.1" are different sites: the widget is cross-site, like on a real shop.
  return { server, base: `http://localhost:${server.address().port}` };
}

export const launcherOf = (page) => page.getByTestId('kefu-launcher');
export const frameOf = (page) => page.frameLocator('[data-testid="kefu-frame"]');
export const frameHandle = (page) => page.frames().find((f) => f.url().includes('/widget/frame'));

export async function panelOpen(page) {
  return page.getByTestId('kefu-frame').evaluate((el) => getComputedStyle(el).visibility === 'visible'
    && getComputedStyle(el).opacity === '1');
}

export async function openPanel(page, phone) {
  const launcher = launcherOf(page);
  await launcher.waitFor({ state: 'visible' });
  if (phone) await launcher.tap();
  else await launcher.click();
  await eventually(() => panelOpen(page), 'the panel to open');
}

/**
 * Makes sure the panel is open. After a reload the desktop widget reopens by
 * itself if it was open (the state is kept for the tab); the phone, and a new
 * tab, start closed. Clicking while the desktop panel is still fading
 * in would close it again, so each viewport waits for what it should do.
 */
export async function ensureOpen(page, phone) {
  await launcherOf(page).waitFor({ state: 'attached' });
  if (await panelOpen(page)) return;
  const restores = !phone && await page.evaluate(() => Object.keys(sessionStorage).some((k) => k.startsWith('kefu.open.')));
  if (restores) await eventually(() => panelOpen(page), 'the panel to reopen after the reload');
  else await openPanel(page, phone);
}

/** Customer's messages whose text includes `text`, as seen in the widget. */
export function ownMessages(page, text) {
  return frameOf(page).locator('[data-testid="widget-msg"][data-sender="contact"]', { hasText: text });
}

export async function send(page, text, phone) {
  const f = frameOf(page);
  const input = f.getByTestId('widget-input');
  await input.fill(text);
  if (phone) await f.getByTestId('widget-send').tap();
  else await input.press('Enter');
}

/** Pick a file with the composer's image input. */
export function pickFile(page, name, mimeType, buffer) {
  return frameOf(page).getByTestId('widget-image-input').setInputFiles({ name, mimeType, buffer });
}

/** Waits until the message's <img> has loaded a picture `width` pixels wide. */
export function imageLoaded(msg, width) {
  const img = msg.getByTestId('widget-image');
  return eventually(() => img.evaluate((el, w) => el.complete && el.naturalWidth === w, width),
    `an image ${width} px wide in ${msg}`, 15_000);
}

/** The customer's messages that show an image (a local preview while pending, kefu's copy once stored). */
export const ownImages = (page) => frameOf(page).locator('[data-testid="widget-msg"][data-sender="contact"]:has([data-testid="widget-image"])');

export async function messageState(page, text) {
  return ownMessages(page, text).first().getAttribute('data-state');
}

/**
 * A value the widget keeps: in the frame's localStorage, or, where the browser
 * blocks storage in third-party frames, in the shop page's (kept by widget.js).
 */
export async function storedValue(page, key) {
  const own = await frameHandle(page).evaluate((k) => {
    try {
      return { ok: true, value: localStorage.getItem(k) };
    } catch {
      return { ok: false };
    }
  }, key);
  return own.ok ? own.value : page.evaluate((k) => localStorage.getItem(k), key);
}

export async function noHorizontalScroll(page, where, width) {
  const outer = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(outer <= width, `horizontal scroll on the shop page (${where}): ${outer} > ${width}`);
  const inner = await frameHandle(page).evaluate(() => document.documentElement.scrollWidth);
  assert.ok(inner <= width, `horizontal scroll inside the chat (${where}): ${inner} > ${width}`);
}
