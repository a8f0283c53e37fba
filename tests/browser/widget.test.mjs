// Drives the customer chat widget in Debian's chromium against the real kefu
// binary. The widget is embedded in a small shop page served from another
// origin (http://localhost:PORT vs http://127.0.0.1:PORT), as on a real shop,
// with a strict CSP and a stylesheet that would wreck a careless widget. The
// agent side is plain HTTP with the owner's session cookie.
//
//   cargo build && cd tests/browser && npm install && node --test widget.test.mjs
//
// Env: KEFU_BIN (server binary, default ../../target/debug/kefu),
// CHROMIUM (default /usr/bin/chromium), KEFU_SCREENSHOTS (directory for
// screenshots, default a fresh temp dir; its path is printed).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { eventually, expectText, freePort, screenshotsDir, sharedBrowser, sleep, startServer, stopServer, VIEWPORTS } from './harness.mjs';

const SHOTS = screenshotsDir('kefu-widget-screens');

const OWNER = { shop_name: '小王的店', name: '王小明', email: 'owner@example.com', password: 'green-tea-and-dumplings-7' };
const INBOX = { name: '小王的店', greeting: '你好！', color: '#0f766e' };
const BRAND_RGB = 'rgb(15, 118, 110)';
const QUESTION = '你好，我的快递到哪了？';
const ANSWER = '已经发货了';

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k += 1) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** A valid PNG of one colour, built here (8-bit RGB, one IDAT). */
function png(width, height, [r, g, b]) {
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
class Agent {
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
async function startShop(kefuBase) {
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

const launcherOf = (page) => page.getByTestId('kefu-launcher');
const frameOf = (page) => page.frameLocator('[data-testid="kefu-frame"]');
const frameHandle = (page) => page.frames().find((f) => f.url().includes('/widget/frame'));

async function panelOpen(page) {
  return page.getByTestId('kefu-frame').evaluate((el) => getComputedStyle(el).visibility === 'visible'
    && getComputedStyle(el).opacity === '1');
}

async function openPanel(page, phone) {
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
async function ensureOpen(page, phone) {
  await launcherOf(page).waitFor({ state: 'attached' });
  if (await panelOpen(page)) return;
  const restores = !phone && await page.evaluate(() => Object.keys(sessionStorage).some((k) => k.startsWith('kefu.open.')));
  if (restores) await eventually(() => panelOpen(page), 'the panel to reopen after the reload');
  else await openPanel(page, phone);
}

/** Customer's messages whose text includes `text`, as seen in the widget. */
function ownMessages(page, text) {
  return frameOf(page).locator('[data-testid="widget-msg"][data-sender="contact"]', { hasText: text });
}

async function send(page, text, phone) {
  const f = frameOf(page);
  const input = f.getByTestId('widget-input');
  await input.fill(text);
  if (phone) await f.getByTestId('widget-send').tap();
  else await input.press('Enter');
}

/** Pick a file with the composer's image input. */
function pickFile(page, name, mimeType, buffer) {
  return frameOf(page).getByTestId('widget-image-input').setInputFiles({ name, mimeType, buffer });
}

/** Waits until the message's <img> has loaded a picture `width` pixels wide. */
function imageLoaded(msg, width) {
  const img = msg.getByTestId('widget-image');
  return eventually(() => img.evaluate((el, w) => el.complete && el.naturalWidth === w, width),
    `an image ${width} px wide in ${msg}`, 15_000);
}

/** The customer's messages that show an image (a local preview while pending, kefu's copy once stored). */
const ownImages = (page) => frameOf(page).locator('[data-testid="widget-msg"][data-sender="contact"]:has([data-testid="widget-image"])');

async function messageState(page, text) {
  return ownMessages(page, text).first().getAttribute('data-state');
}

/**
 * A value the widget keeps: in the frame's localStorage, or, where the browser
 * blocks storage in third-party frames, in the shop page's (kept by widget.js).
 */
async function storedValue(page, key) {
  const own = await frameHandle(page).evaluate((k) => {
    try {
      return { ok: true, value: localStorage.getItem(k) };
    } catch {
      return { ok: false };
    }
  }, key);
  return own.ok ? own.value : page.evaluate((k) => localStorage.getItem(k), key);
}

async function noHorizontalScroll(page, where, width) {
  const outer = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(outer <= width, `horizontal scroll on the shop page (${where}): ${outer} > ${width}`);
  const inner = await frameHandle(page).evaluate(() => document.documentElement.scrollWidth);
  assert.ok(inner <= width, `horizontal scroll inside the chat (${where}): ${inner} > ${width}`);
}

const browser = sharedBrowser(SHOTS);

for (const vp of VIEWPORTS) {
  describe(`widget on ${vp.name}`, () => {
    const phone = vp.name === 'phone';
    const width = vp.options.viewport.width;
    let srv;
    let shop;
    let agent;
    let inbox;
    let context;
    let page;
    let conversationId;
    const pageErrors = [];

    before(async () => {
      srv = await startServer();
      agent = new Agent(srv.base);
      await agent.setup();
      await agent.availability('online');
      const created = await agent.must('POST', '/api/inboxes', INBOX, 201);
      inbox = created.inbox;
      assert.ok(inbox.public_token, 'the inbox has a public token');
      shop = await startShop(srv.base);
      context = await browser().newContext({ ...vp.options, locale: 'zh-CN' });
      page = await context.newPage();
      page.setDefaultTimeout(10_000);
      page.on('console', (msg) => { if (msg.type() === 'error') pageErrors.push(msg.text()); });
      page.on('pageerror', (err) => pageErrors.push(String(err)));
    });

    after(async () => {
      if (context) await context.close();
      if (shop) shop.server.close();
      await stopServer(srv);
    });

    const shot = (name, p = page) => p.screenshot({ path: path.join(SHOTS, `widget-${vp.name}-${name}.png`) });

    test('the launcher appears in the inbox colour, untouched by the shop\'s CSS', async () => {
      await page.goto(`${shop.base}/?inbox=${inbox.public_token}`);
      const launcher = launcherOf(page);
      await launcher.waitFor({ state: 'visible' });
      const look = await launcher.evaluate((el) => {
        const s = getComputedStyle(el);
        return { bg: s.backgroundColor, width: s.width, border: s.borderTopWidth, svg: getComputedStyle(el.querySelector('svg')).display };
      });
      assert.equal(look.bg, BRAND_RGB);
      assert.equal(look.width, '58px');
      assert.equal(look.border, '0px');
      assert.notEqual(look.svg, 'none');
      assert.equal(await launcher.getAttribute('aria-label'), '在线咨询');
      const box = await launcher.boundingBox();
      assert.ok(box.x + box.width <= width && box.x + box.width > width - 40, 'launcher at the right edge');
      assert.equal(await panelOpen(page), false, 'the panel starts closed');
      assert.equal(await page.getByTestId('kefu-badge').isVisible(), false);
      // A first-time visitor who has not opened the chat costs kefu nothing.
      assert.deepEqual(await agent.conversations(), []);
      if (phone) await noHorizontalScroll(page, 'closed', width);
      await shot('1-launcher');
    });

    test('the visitor opens the chat and sends a message; the agent sees it', async () => {
      await openPanel(page, phone);
      const f = frameOf(page);
      await expectText(f.getByTestId('widget-title'), INBOX.name);
      await expectText(f.getByTestId('widget-greeting'), INBOX.greeting);
      await expectText(f.getByTestId('widget-status'), '通常在');
      await expectText(f.getByTestId('widget-handoff'), '转人工');
      const frameBox = await page.getByTestId('kefu-frame').boundingBox();
      if (phone) {
        assert.deepEqual([frameBox.x, frameBox.y, frameBox.width, frameBox.height].map(Math.round), [0, 0, 375, 667],
          'the open panel fills the phone screen');
        await noHorizontalScroll(page, 'open', width);
      } else {
        assert.ok(frameBox.width >= 360 && frameBox.width <= 400, `panel width ${frameBox.width}`);
        assert.ok(frameBox.height >= 560 && frameBox.height <= 620, `panel height ${frameBox.height}`);
        assert.ok(frameBox.x + frameBox.width <= width - 10, 'panel inside the window');
      }
      const border = await page.getByTestId('kefu-frame').evaluate((el) => getComputedStyle(el).borderTopWidth);
      assert.equal(border, '0px', 'the shop\'s iframe rule does not reach our frame');

      await send(page, QUESTION, phone);
      const mine = ownMessages(page, QUESTION);
      await mine.waitFor();
      await eventually(async () => ['sent', 'delivered', 'read'].includes(await messageState(page, QUESTION)),
        'the message to be acknowledged');
      assert.equal(await f.getByTestId('widget-input').inputValue(), '', 'the composer is cleared');

      const conv = await agent.conversationWith(QUESTION);
      conversationId = conv.id;
      const bodies = await agent.bodies(conversationId);
      assert.equal(bodies.filter((b) => b === QUESTION).length, 1);
    });

    test('the agent\'s reply, typing and read receipt reach the widget without a reload', async () => {
      const f = frameOf(page);
      await agent.must('POST', `/api/conversations/${conversationId}/typing`, { typing: true });
      await f.getByTestId('widget-typing').waitFor({ state: 'visible' });
      await expectText(f.getByTestId('widget-typing'), OWNER.name);

      await agent.must('POST', `/api/conversations/${conversationId}/messages`, { body: ANSWER }, 201);
      const reply = f.locator('[data-testid="widget-msg"][data-sender="agent"]', { hasText: ANSWER });
      await reply.waitFor();
      await expectText(reply, OWNER.name);
      await f.getByTestId('widget-typing').waitFor({ state: 'hidden' });

      await agent.must('POST', `/api/conversations/${conversationId}/read`);
      await eventually(async () => (await messageState(page, QUESTION)) === 'read', 'the read receipt');
      if (phone) await noHorizontalScroll(page, 'conversation', width);
      await shot('2-conversation');
    });

    test('after a reload the history is still there (same visitor)', async () => {
      const token = await storedValue(page, `kefu.visitor.${inbox.public_token}`);
      assert.ok(token, 'the visitor token is stored');
      await page.reload();
      await launcherOf(page).waitFor({ state: 'visible' });
      if (phone) {
        assert.equal(await panelOpen(page), false, 'a phone does not reopen the full-screen chat by itself');
        await openPanel(page, phone);
      } else {
        await eventually(() => panelOpen(page), 'the panel to reopen as it was');
      }
      const f = frameOf(page);
      await ownMessages(page, QUESTION).waitFor();
      await f.locator('[data-testid="widget-msg"][data-sender="agent"]', { hasText: ANSWER }).waitFor();
      assert.equal(await ownMessages(page, QUESTION).count(), 1);
      const again = await storedValue(page, `kefu.visitor.${inbox.public_token}`);
      assert.equal(again, token, 'the same visitor token');
      assert.equal((await agent.conversations()).length, 1, 'still one conversation');
    });

    test('a reply while the panel is closed shows an unread badge', async () => {
      const f = frameOf(page);
      await f.getByTestId('widget-close').click();
      await eventually(async () => !(await panelOpen(page)), 'the panel to close');
      await agent.must('POST', `/api/conversations/${conversationId}/messages`, { body: '请注意查收 📦' }, 201);
      const badge = page.getByTestId('kefu-badge');
      await expectText(badge, '1');
      assert.match(await launcherOf(page).getAttribute('aria-label'), /1 条新消息/);
      await shot('3-unread');
      await openPanel(page, phone);
      await f.locator('[data-testid="widget-msg"][data-sender="agent"]', { hasText: '请注意查收 📦' }).waitFor();
      await badge.waitFor({ state: 'hidden' });
    });

    test('offline: the message waits in the outbox and is delivered exactly once', async () => {
      const text = `我在地铁里，信号不好 (${vp.name})`;
      const frame = frameHandle(page);
      await context.setOffline(true);
      await eventually(() => frame.evaluate(() => navigator.onLine === false), 'the frame to notice it is offline');
      await send(page, text, phone);
      await ownMessages(page, text).waitFor();
      assert.equal(await messageState(page, text), 'sending');
      const outbox = await storedValue(page, `kefu.outbox.${inbox.public_token}`);
      assert.ok(outbox && outbox.includes(text), 'kept in the outbox');
      await sleep(1500);
      assert.equal((await agent.bodies(conversationId)).filter((b) => b === text).length, 0, 'not delivered while offline');
      assert.equal(await messageState(page, text), 'sending');
      await shot('4-offline');

      await context.setOffline(false);
      await eventually(async () => ['sent', 'delivered', 'read'].includes(await messageState(page, text)),
        'the message to go out once the network is back', 20_000);
      await sleep(1500); // time for a duplicate to show up, if there were one
      assert.equal((await agent.bodies(conversationId)).filter((b) => b === text).length, 1, 'delivered exactly once');
      assert.equal(await ownMessages(page, text).count(), 1, 'shown once');
      assert.equal(await storedValue(page, `kefu.outbox.${inbox.public_token}`), null, 'the outbox is empty');
    });

    test('a message typed before closing the tab offline is sent on the next visit', async () => {
      const text = `关掉页面前写的 (${vp.name})`;
      await context.setOffline(true);
      await eventually(() => frameHandle(page).evaluate(() => navigator.onLine === false), 'offline');
      await send(page, text, phone);
      await ownMessages(page, text).waitFor();
      await page.close();
      await context.setOffline(false);
      page = await context.newPage();
      page.on('console', (msg) => { if (msg.type() === 'error') pageErrors.push(msg.text()); });
      page.on('pageerror', (err) => pageErrors.push(String(err)));
      await page.goto(`${shop.base}/?inbox=${inbox.public_token}`);
      await launcherOf(page).waitFor({ state: 'visible' });
      await eventually(async () => (await agent.bodies(conversationId)).includes(text), 'the outbox to be sent', 15_000);
      await sleep(1000);
      assert.equal((await agent.bodies(conversationId)).filter((b) => b === text).length, 1, 'delivered exactly once');
    });

    test('"talk to a human" works and the composer counts near the limit', async () => {
      await ensureOpen(page, phone);
      const f = frameOf(page);
      await f.getByTestId('widget-handoff').click();
      await expectText(f.getByTestId('widget-banner'), '人工客服');
      const input = f.getByTestId('widget-input');
      await f.getByTestId('widget-emoji').click();
      await f.getByRole('button', { name: '👍' }).click();
      assert.equal(await input.inputValue(), '👍', 'the emoji goes into the composer');
      await input.fill('好'.repeat(4990));
      await expectText(f.getByTestId('widget-counter'), '4990/5000');
      await input.fill('好'.repeat(5001));
      await expectText(f.getByTestId('widget-counter'), '5001/5000');
      assert.equal(await f.getByTestId('widget-send').isDisabled(), true, 'too long cannot be sent');
      await input.fill('');
      await f.getByTestId('widget-counter').waitFor({ state: 'hidden' });
      if (phone) await noHorizontalScroll(page, 'after handoff', width);
      await shot('5-handoff');
    });

    test('the visitor sends an image from the picker; the agent gets it with its type and size', async () => {
      await ensureOpen(page, phone);
      const f = frameOf(page);
      const image = png(40, 30, [200, 40, 40]);
      const before = (await agent.images(conversationId)).length;
      await f.getByTestId('widget-image-button').waitFor();
      await pickFile(page, 'tea.png', 'image/png', image);
      const mine = ownImages(page).last();
      await mine.waitFor();
      await eventually(async () => ['sent', 'delivered', 'read'].includes(await mine.getAttribute('data-state')),
        'the image message to be acknowledged', 15_000);
      await imageLoaded(mine, 40);
      const link = mine.locator('a.pic');
      assert.match(await link.getAttribute('href'), /^\/api\/attachments\/[^/]+$/, 'tap opens the stored image');
      assert.equal(await link.getAttribute('target'), '_blank');
      assert.equal(await mine.getByTestId('widget-image').getAttribute('loading'), 'lazy');

      const stored = await eventually(async () => {
        const list = await agent.images(conversationId);
        return list.length === before + 1 && list[list.length - 1];
      }, 'the agent to see the image');
      assert.equal(stored.sender, 'contact');
      assert.equal(stored.body, '');
      assert.equal(stored.attachment.mime, 'image/png');
      assert.equal(stored.attachment.size, image.length);
      const served = await fetch(srv.base + stored.attachment.url);
      assert.equal(served.status, 200);
      assert.deepEqual(Buffer.from(await served.arrayBuffer()), image, 'kefu serves the very bytes');
      assert.equal(await storedValue(page, `kefu.outbox.${inbox.public_token}`), null, 'the outbox is empty');
      if (phone) await noHorizontalScroll(page, 'own image', width);
    });

    test('an agent\'s image appears inline, fits the bubble, and is still there after a reload', async () => {
      const f = frameOf(page);
      const image = png(900, 600, [30, 90, 200]);
      const att = await agent.upload(image, 'image/png');
      assert.equal(att.mime, 'image/png');
      await agent.must('POST', `/api/conversations/${conversationId}/messages`,
        { body: '这是实物图', attachment_id: att.id }, 201);
      const theirs = f.locator('[data-testid="widget-msg"][data-sender="agent"]', { hasText: '这是实物图' });
      await theirs.waitFor();
      await imageLoaded(theirs, 900);
      const fits = await theirs.evaluate((el) => {
        const img = el.querySelector('img').getBoundingClientRect();
        const list = el.closest('[data-testid="widget-messages"]').getBoundingClientRect();
        return img.width > 0 && img.left >= list.left && img.right <= list.right && img.height <= 241;
      });
      assert.ok(fits, 'the image fits inside the message list');
      if (phone) await noHorizontalScroll(page, 'agent image', width);
      await shot('6a-images');

      await page.reload();
      await launcherOf(page).waitFor({ state: 'visible' });
      await ensureOpen(page, phone);
      await imageLoaded(f.locator('[data-testid="widget-msg"][data-sender="agent"]', { hasText: '这是实物图' }), 900);
      await imageLoaded(ownImages(page).last(), 40);
    });

    test('a file that is not an image, or too large, shows an error and stores nothing', async () => {
      const f = frameOf(page);
      const before = (await agent.must('GET', `/api/conversations/${conversationId}`)).messages.length;
      const shown = await f.locator('[data-testid="widget-msg"]').count();
      const uploads = [];
      const onRequest = (req) => { if (req.url().includes('/api/widget/attachments')) uploads.push(req.url()); };
      page.on('request', onRequest);
      try {
        await pickFile(page, 'notes.txt', 'text/plain', Buffer.from('订单号 10042'));
        await expectText(f.getByTestId('widget-image-error'), '只能发送图片');
        await f.getByTestId('widget-input').fill('好');
        await f.getByTestId('widget-image-error').waitFor({ state: 'hidden' });
        await f.getByTestId('widget-input').fill('');

        const big = Buffer.alloc(5 * 1024 * 1024 + 1);
        png(1, 1, [0, 0, 0]).copy(big);
        await pickFile(page, 'big.png', 'image/png', big);
        await expectText(f.getByTestId('widget-image-error'), '图片太大');
        if (phone) await noHorizontalScroll(page, 'image error', width);
        await shot('6b-image-error');
        assert.deepEqual(uploads, [], 'the widget itself refused both');

        // Named and typed as a PNG, but not one: kefu looks at the bytes and refuses it.
        const refused = page.waitForResponse((r) => r.url().includes('/api/widget/attachments'));
        await pickFile(page, 'fake.png', 'image/png', Buffer.from('this is not really a picture'));
        assert.equal((await refused).status(), 415);
        await expectText(f.getByTestId('widget-image-error'), '只能发送图片');
        await eventually(async () => (await f.locator('[data-testid="widget-msg"]').count()) === shown,
          'no bubble left behind');
        await sleep(1000);
        assert.equal((await agent.must('GET', `/api/conversations/${conversationId}`)).messages.length, before,
          'nothing stored');
      } finally {
        page.off('request', onRequest);
      }
    });

    test('offline: picking an image says so, and it goes once the network is back', async () => {
      const f = frameOf(page);
      const before = (await agent.images(conversationId)).length;
      await context.setOffline(true);
      await eventually(() => frameHandle(page).evaluate(() => navigator.onLine === false), 'offline');
      await pickFile(page, 'offline.png', 'image/png', png(24, 24, [10, 160, 60]));
      const mine = ownImages(page).last();
      await expectText(mine.getByTestId('widget-error'), '网络已断开');
      assert.equal(await mine.getAttribute('data-state'), 'failed');
      await mine.getByTestId('widget-dismiss').waitFor();
      await shot('6c-image-offline');
      // Meanwhile the agent sends a picture: the widget fetches it after reconnecting.
      const att = await agent.upload(png(60, 20, [250, 200, 0]), 'image/png');
      await agent.must('POST', `/api/conversations/${conversationId}/messages`, { body: '', attachment_id: att.id }, 201);

      await context.setOffline(false);
      await eventually(async () => ['sent', 'delivered', 'read'].includes(await mine.getAttribute('data-state')),
        'the image to go once online', 20_000);
      await imageLoaded(mine, 24);
      const theirs = f.locator('[data-testid="widget-msg"][data-sender="agent"]:has([data-testid="widget-image"])').last();
      await imageLoaded(theirs, 60);
      await sleep(1000);
      const images = await agent.images(conversationId);
      assert.equal(images.length, before + 2, 'one image each way, no duplicate');
    });

    test('an uploaded image whose message is cut off keeps its attachment in the outbox and goes once', async () => {
      const before = (await agent.images(conversationId)).length;
      let uploaded = null;
      // The upload gets through; the line drops before the message can be sent.
      await page.route('**/api/widget/attachments', async (route) => {
        const response = await route.fetch();
        uploaded = await response.json();
        await context.setOffline(true);
        await eventually(() => frameHandle(page).evaluate(() => navigator.onLine === false), 'offline');
        await sleep(300);
        await route.fulfill({ response });
      });
      await pickFile(page, 'queued.png', 'image/png', png(32, 32, [120, 0, 160]));
      const key = `kefu.outbox.${inbox.public_token}`;
      const queued = await eventually(async () => {
        const items = JSON.parse((await storedValue(page, key)) || '[]');
        return items.find((i) => i.attachment_id);
      }, 'the outbox to keep the attachment');
      assert.equal(queued.attachment_id, uploaded.id);
      assert.equal(queued.body, '');
      assert.equal(await ownImages(page).last().getAttribute('data-state'), 'sending');
      await page.unroute('**/api/widget/attachments');
      await sleep(1000);
      assert.equal((await agent.images(conversationId)).length, before, 'not sent while offline');

      // Close the tab offline; the next visit sends it, once.
      await page.close();
      await context.setOffline(false);
      page = await context.newPage();
      page.on('console', (msg) => { if (msg.type() === 'error') pageErrors.push(msg.text()); });
      page.on('pageerror', (err) => pageErrors.push(String(err)));
      await page.goto(`${shop.base}/?inbox=${inbox.public_token}`);
      await launcherOf(page).waitFor({ state: 'visible' });
      await eventually(async () => (await agent.images(conversationId)).length === before + 1, 'the queued image to be sent', 15_000);
      await sleep(1000);
      const sent = (await agent.images(conversationId)).filter((m) => m.attachment.id === uploaded.id);
      assert.equal(sent.length, 1, 'sent exactly once');
      await eventually(async () => (await storedValue(page, key)) === null, 'the outbox to empty');
    });

    test('pasting an image into the input sends it', async () => {
      await ensureOpen(page, phone);
      const before = (await agent.images(conversationId)).length;
      const bytes = [...png(16, 16, [0, 0, 0])];
      await frameOf(page).getByTestId('widget-input').evaluate((input, data) => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(data)], 'clip.png', { type: 'image/png' }));
        input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
      }, bytes);
      await eventually(async () => (await agent.images(conversationId)).length === before + 1, 'the pasted image');
      assert.equal(await frameOf(page).getByTestId('widget-input').inputValue(), '', 'nothing pasted as text');
      await imageLoaded(ownImages(page).last(), 16);
    });

    test('the pages logged no errors', () => {
      // Failed requests while offline show as resource errors; anything else is a bug.
      const real = pageErrors.filter((e) => !/Failed to load resource|ERR_INTERNET_DISCONNECTED|WebSocket connection/.test(e));
      assert.deepEqual(real, []);
    });
  });
}

describe('widget without websockets, pre-chat form and offline agents', () => {
  let srv;
  let shop;
  let agent;
  let inbox;
  let second;

  before(async () => {
    srv = await startServer();
    agent = new Agent(srv.base);
    await agent.setup();
    await agent.availability('online');
    inbox = (await agent.must('POST', '/api/inboxes', INBOX, 201)).inbox;
    second = (await agent.must('POST', '/api/inboxes', {
      name: '售后服务', greeting: '请先留下联系方式。', color: '#b45309',
      prechat: { name: 'optional', email: 'required', phone: 'off' },
    }, 201)).inbox;
    assert.ok(second.secret, 'admins see the inbox secret');
    shop = await startShop(srv.base);
  });

  after(async () => {
    if (shop) shop.server.close();
    await stopServer(srv);
  });

  test('when websockets are blocked the widget long-polls and sends over HTTP', async () => {
    const context = await browser().newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    try {
      // A proxy that kills every websocket: the widget must fall back to HTTP.
      await context.routeWebSocket(/\/api\/widget\/ws/, (ws) => ws.close());
      const page = await context.newPage();
      const polls = [];
      const posts = [];
      page.on('request', (req) => {
        if (req.url().includes('/api/widget/messages') && req.url().includes('wait=')) polls.push(req.url());
        if (req.method() === 'POST' && new URL(req.url()).pathname === '/api/widget/messages') posts.push(req.url());
      });
      await page.goto(`${shop.base}/?inbox=${inbox.public_token}`);
      await openPanel(page, false);
      const f = frameOf(page);
      await expectText(f.getByTestId('widget-status'), 'Usually replies');
      await expectText(f.getByTestId('widget-handoff'), 'Talk to a human');
      await send(page, 'Where is my parcel?', false);
      await eventually(async () => (await messageState(page, 'Where is my parcel?')) === 'sent', 'sent over HTTP', 20_000);
      assert.ok(posts.length >= 1, 'sent with POST /api/widget/messages');
      await eventually(() => polls.length > 0, 'a long poll', 10_000);
      const conv = await agent.conversationWith('Where is my parcel?');
      await agent.must('POST', `/api/conversations/${conv.id}/messages`, { body: 'It left the warehouse today.' }, 201);
      await f.locator('[data-testid="widget-msg"][data-sender="agent"]', { hasText: 'It left the warehouse today.' })
        .waitFor({ timeout: 30_000 });
      assert.deepEqual(await agent.bodies(conv.id), ['Where is my parcel?', 'It left the warehouse today.']);
      // An image takes the same way: uploaded, then POSTed with its attachment_id.
      await pickFile(page, 'notes.pdf', 'application/pdf', Buffer.from('%PDF-1.7'));
      await expectText(f.getByTestId('widget-image-error'), 'Only images can be sent');
      await pickFile(page, 'parcel.png', 'image/png', png(20, 20, [0, 120, 0]));
      const mine = ownImages(page).last();
      await eventually(async () => (await mine.getAttribute('data-state')) === 'sent', 'the image sent over HTTP', 20_000);
      await imageLoaded(mine, 20);
      const [stored] = await agent.images(conv.id);
      assert.equal(stored.attachment.mime, 'image/png');
      assert.equal(stored.body, '');
      await page.screenshot({ path: path.join(SHOTS, 'widget-desktop-6-polling-en.png') });
    } finally {
      await context.close();
    }
  });

  test('a message the server refuses shows its error next to it, and retry sends it', async () => {
    const context = await browser().newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    try {
      const page = await context.newPage();
      await page.goto(`${shop.base}/?inbox=${inbox.public_token}`);
      await openPanel(page, false);
      const f = frameOf(page);
      const input = f.getByTestId('widget-input');
      // kefu takes 20 messages per 10 s from one visitor; the 21st is refused with slow_down.
      for (let i = 1; i <= 21; i += 1) {
        await input.fill(`第 ${i} 条`);
        await input.press('Enter');
      }
      const last = ownMessages(page, '第 21 条');
      await eventually(async () => (await last.getAttribute('data-state')) === 'failed', 'the 21st to be refused');
      await expectText(last.getByTestId('widget-error'), '频繁');
      await page.screenshot({ path: path.join(SHOTS, 'widget-desktop-9-error.png') });
      await sleep(10_500);
      await last.getByTestId('widget-retry').click();
      await eventually(async () => (await last.getAttribute('data-state')) === 'sent', 'the retry to go through');
      const conv = await agent.conversationWith('第 21 条');
      const bodies = await agent.bodies(conv.id);
      for (let i = 1; i <= 21; i += 1) assert.equal(bodies.filter((b) => b === `第 ${i} 条`).length, 1, `message ${i} once`);
    } finally {
      await context.close();
    }
  });

  test('an unknown inbox shows no launcher at all', async () => {
    const context = await browser().newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(`${shop.base}/?inbox=no-such-inbox`);
      await eventually(() => page.evaluate(() => !document.querySelector('kefu-widget')), 'the widget to remove itself');
      assert.equal(await page.getByTestId('kefu-launcher').count(), 0);
    } finally {
      await context.close();
    }
  });

  test('the chat frame also works opened on its own (a link instead of the snippet)', async () => {
    const context = await browser().newContext({ viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true, locale: 'zh-CN' });
    try {
      const page = await context.newPage();
      await page.goto(`${srv.base}/widget/frame?inbox=${inbox.public_token}`);
      await expectText(page.getByTestId('widget-title'), INBOX.name);
      assert.equal(await page.getByTestId('widget-close').isVisible(), false, 'nothing to close');
      await page.getByTestId('widget-input').fill('直接打开的页面');
      await page.getByTestId('widget-send').tap();
      await agent.conversationWith('直接打开的页面');
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 375, `no horizontal scroll (${width})`);
    } finally {
      await context.close();
    }
  });

  test('a required pre-chat field is asked before the first message', async () => {
    const context = await browser().newContext({ viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true, locale: 'zh-CN' });
    try {
      const page = await context.newPage();
      await page.goto(`${shop.base}/?inbox=${second.public_token}`);
      await openPanel(page, true);
      const f = frameOf(page);
      await f.getByTestId('widget-prechat').waitFor();
      assert.equal(await f.getByTestId('widget-composer').count(), 0, 'no composer before the form');
      assert.equal(await f.getByTestId('widget-prechat-phone').count(), 0, 'phone is off');
      await f.getByTestId('widget-prechat-name').fill('李雷');
      await f.getByTestId('widget-prechat-submit').tap();
      await expectText(f.getByTestId('widget-prechat-error'), '邮箱');
      await f.getByTestId('widget-prechat-email').fill('lilei@example.com');
      await page.screenshot({ path: path.join(SHOTS, 'widget-phone-7-prechat.png') });
      await f.getByTestId('widget-prechat-submit').tap();
      await f.getByTestId('widget-composer').waitFor();
      await send(page, '我想退货', true);
      const conv = await agent.conversationWith('我想退货');
      const detail = await agent.must('GET', `/api/conversations/${conv.id}`);
      assert.equal(detail.contact.email, 'lilei@example.com');
      assert.equal(detail.contact.name, '李雷');
    } finally {
      await context.close();
    }
  });

  test('a customer logged in to the shop skips the form and has one history on every device', async () => {
    const id = '10042';
    const user = { id, name: '韩梅梅', email: 'hmm@example.com', hash: crypto.createHmac('sha256', second.secret).update(id).digest('hex') };
    const url = `${shop.base}/?inbox=${second.public_token}&user=${encodeURIComponent(JSON.stringify(user))}`;
    const laptop = await browser().newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const phone = await browser().newContext({ viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true, locale: 'zh-CN' });
    try {
      const a = await laptop.newPage();
      await a.goto(url);
      await openPanel(a, false);
      await frameOf(a).getByTestId('widget-composer').waitFor();
      assert.equal(await frameOf(a).getByTestId('widget-prechat').count(), 0, 'no pre-chat form for a known customer');
      await send(a, '订单 10042 能改地址吗？', false);
      await eventually(async () => (await messageState(a, '订单 10042')) === 'sent', 'sent');
      const conv = await agent.conversationWith('订单 10042 能改地址吗？');
      const detail = await agent.must('GET', `/api/conversations/${conv.id}`);
      assert.equal(detail.contact.name, '韩梅梅');
      assert.equal(detail.contact.email, 'hmm@example.com');

      // Another device, no stored visitor: the identity brings the same history.
      const b = await phone.newPage();
      await b.goto(url);
      await openPanel(b, true);
      await ownMessages(b, '订单 10042 能改地址吗？').waitFor();

      // A wrong hash is refused by kefu; the widget still works, without the identity.
      const forged = { ...user, hash: '00'.repeat(32) };
      const c = await phone.newPage();
      await c.goto(`${shop.base}/?inbox=${inbox.public_token}&user=${encodeURIComponent(JSON.stringify(forged))}`);
      await openPanel(c, true);
      await send(c, '我是谁？', true);
      await eventually(async () => (await messageState(c, '我是谁？')) === 'sent', 'sent without the identity');
      const anon = await agent.conversationWith('我是谁？');
      assert.notEqual((await agent.must('GET', `/api/conversations/${anon.id}`)).contact.email, 'hmm@example.com');
    } finally {
      await laptop.close();
      await phone.close();
    }
  });

  test('with nobody online the widget says so and takes an email address', async () => {
    await agent.availability('offline');
    const context = await browser().newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    try {
      const page = await context.newPage();
      await page.goto(`${shop.base}/?inbox=${inbox.public_token}`);
      await openPanel(page, false);
      const f = frameOf(page);
      await f.getByTestId('widget-offline').waitFor();
      await expectText(f.getByTestId('widget-status'), '离开');
      await f.getByTestId('widget-input').fill('在吗？');
      await f.getByTestId('widget-input').press('Enter');
      await eventually(async () => (await messageState(page, '在吗？')) === 'sent', 'the message to be stored');
      await f.getByTestId('widget-email').fill('not-an-address');
      await f.getByTestId('widget-email-submit').click();
      await expectText(f.getByTestId('widget-offline'), '有效的邮箱');
      await f.getByTestId('widget-email').fill('hanmeimei@example.com');
      await f.getByTestId('widget-email-submit').click();
      await expectText(f.getByTestId('widget-email-saved'), 'hanmeimei@example.com');
      await page.screenshot({ path: path.join(SHOTS, 'widget-desktop-8-offline.png') });
      const conv = await agent.conversationWith('在吗？');
      assert.equal((await agent.must('GET', `/api/conversations/${conv.id}`)).contact.email, 'hanmeimei@example.com');
    } finally {
      await agent.availability('online');
      await context.close();
    }
  });

  // An agent changing availability sends {"type":"presence"} to every open widget.
  test('an agent going offline shows the offline notice live (presence frame)', async () => {
      const context = await browser().newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
      try {
        const page = await context.newPage();
        await page.goto(`${shop.base}/?inbox=${inbox.public_token}`);
        await openPanel(page, false);
        const f = frameOf(page);
        await expectText(f.getByTestId('widget-status'), '通常在');
        await f.getByTestId('widget-input').fill('有人吗？');
        await f.getByTestId('widget-input').press('Enter');
        await eventually(async () => (await messageState(page, '有人吗？')) === 'sent', 'the message to be stored');
        await agent.availability('offline');
        await f.getByTestId('widget-offline').waitFor({ timeout: 5000 });
      } finally {
        await agent.availability('online');
        await context.close();
      }
    });
});
