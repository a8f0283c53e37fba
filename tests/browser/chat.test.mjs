// The whole live chat, end to end, in Debian's chromium against the real
// server binary. The owner sets kefu up in the console, creates a web inbox
// that only the shop's site may embed, and the test serves a shop page (on
// another site: http://localhost:PORT, kefu being http://127.0.0.1:PORT)
// that carries the snippet exactly as the console shows it. A visitor on
// that page and the owner in the console, each in a browser context of their
// own, then chat: text and images both ways, a private note, resolve, and
// the visitor reopening it. The desktop runs in English, the phone in
// Chinese. What matters is checked on the server through the API as well.
//
//   cargo build && cd tests/browser && KEFU_BIN=../../target/debug/kefu node --test chat.test.mjs
//
// Env: KEFU_BIN (server binary, default ../../target/debug/kefu),
// CHROMIUM (default /usr/bin/chromium), KEFU_SCREENSHOTS (directory for
// screenshots, default a fresh temp dir; its path is printed).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { eventually, expectText, screenshotsDir, sharedBrowser, startServer, stopServer, VIEWPORTS } from './harness.mjs';

const SHOTS = screenshotsDir('kefu-chat-screens');


// What each side writes, per language; every text is unique so it can be counted on the server.
const SCRIPT = {
  'en-US': {
    owner: { shop_name: 'Little Deer Tea', name: 'Lin Mei', email: 'lin@example.com', password: 'oolong-and-osmanthus-31' },
    inbox: { name: 'Little Deer Tea · web', greeting: 'Hello! How can we help?' },
    question: 'Hi, has my jasmine tea left the warehouse yet?',
    answer: 'Yes, it was handed to the courier this morning.',
    note: 'Regular customer: add a free sample to the next parcel',
    after: 'Anything else I can do for you?',
    again: 'One more thing: can I change the delivery address?',
    caption: 'This is how your parcel looks',
    status: { resolved: 'Resolved', inbox: 'Inbox' },
  },
  'zh-CN': {
    owner: { shop_name: '小王的店', name: '王小明', email: 'wang@example.com', password: 'green-tea-and-mooncakes-8' },
    inbox: { name: '小王的店 · 网站', greeting: '你好！有什么可以帮你？' },
    question: '你好，我买的茉莉花茶发货了吗？',
    answer: '今天上午已经交给快递了',
    note: '老顾客，下次包裹里放一包小样',
    after: '还有什么可以帮您？',
    again: '还有一件事：可以改收货地址吗？',
    caption: '这是您的包裹',
    status: { resolved: '已解决', inbox: '会话' },
  },
};

// ---- a PNG made here: a diagonal gradient, so every size gives other bytes ----

const CRC = new Uint32Array(256).map((_, i) => {
  let v = i;
  for (let bit = 0; bit < 8; bit += 1) v = (v >>> 1) ^ (v & 1 ? 0xedb88320 : 0);
  return v >>> 0;
});

function pngChunk(kind, payload) {
  const typed = Buffer.concat([Buffer.from(kind, 'latin1'), payload]);
  let crc = ~0;
  for (const byte of typed) crc = CRC[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(payload.length);
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(~crc >>> 0);
  return Buffer.concat([head, typed, tail]);
}

/** A width×height 8-bit RGB PNG fading from `from` to `to` along the diagonal. */
function gradientPng(width, height, from, to) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per sample
  header[9] = 2; // truecolour
  const raw = Buffer.alloc(height * (1 + width * 3));
  let at = 0;
  for (let y = 0; y < height; y += 1) {
    raw[at++] = 0; // no filter
    for (let x = 0; x < width; x += 1) {
      const k = (x + y) / Math.max(1, width + height - 2);
      for (let c = 0; c < 3; c += 1) raw[at++] = Math.round(from[c] + (to[c] - from[c]) * k);
    }
  }
  const signature = Buffer.from('89504e470d0a1a0a', 'hex');
  return Buffer.concat([signature, pngChunk('IHDR', header), pngChunk('IDAT', zlib.deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0))]);
}

// ---- the shop ----

/**
 * The shop's web server. Its page is only served once the test has the
 * snippet from the console; it carries that text verbatim.
 */
async function startShop() {
  const shop = { snippet: null };
  shop.page = () => `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Little Deer Tea · 茉莉花茶</title>
</head>
<body style="margin:0;font-family:serif">
<header style="padding:16px;background:#14532d;color:#fff">Little Deer Tea</header>
<main style="padding:16px">
<p>Jasmine green tea 100 g · ¥58</p>
<p>茉莉花茶 100 g · ¥58</p>
</main>
${shop.snippet}
</body>
</html>`;
  shop.server = http.createServer((req, res) => {
    if (req.url !== '/' || !shop.snippet) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(shop.page());
  });
  await new Promise((resolve) => shop.server.listen(0, '127.0.0.1', resolve));
  // Another site than kefu's 127.0.0.1, as a real shop is.
  shop.origin = `http://localhost:${shop.server.address().port}`;
  return shop;
}

// ---- the widget, from the visitor's page ----

const chatFrame = (page) => page.frameLocator('[data-testid="kefu-frame"]');
const chatFrameHandle = (page) => page.frames().find((f) => f.url().includes('/widget/frame'));
const widgetMessages = (page, sender) => chatFrame(page).locator(`[data-testid="widget-msg"][data-sender="${sender}"]`);

async function panelShown(page) {
  return page.getByTestId('kefu-frame').evaluate((el) => {
    const style = getComputedStyle(el);
    return style.visibility === 'visible' && style.opacity === '1';
  });
}

/**
 * A key the widget keeps: in the frame's own localStorage or, where the
 * browser refuses storage to a cross-site frame, in the shop page's.
 */
async function widgetStorage(page, key) {
  const inFrame = await chatFrameHandle(page).evaluate((k) => {
    try {
      return { value: localStorage.getItem(k) };
    } catch {
      return null;
    }
  }, key);
  if (inFrame && inFrame.value !== null) return inFrame.value;
  return page.evaluate((k) => localStorage.getItem(k), key);
}

/** Waits until an <img> has really loaded, `width` pixels wide. */
async function pictureLoaded(img, width) {
  await img.waitFor();
  // The thread may redraw while we look: scroll and check again on the fresh node.
  await eventually(async () => {
    await img.scrollIntoViewIfNeeded({ timeout: 2_000 });
    return img.evaluate((el, w) => el.complete && el.naturalWidth === w && el.naturalHeight > 0, width);
  }, `${img} to load ${width} px wide`, 15_000);
}

/** Neither the page nor, if given, the chat frame inside it is wider than the phone. */
async function fitsPhone(page, where, frame) {
  for (const [what, target] of [['page', page], ['chat frame', frame]]) {
    if (!target) continue;
    const width = await target.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `horizontal scroll in the ${what} (${where}): scrollWidth ${width} > 375`);
  }
}

const browser = sharedBrowser(SHOTS);

for (const vp of VIEWPORTS) {
  describe(`live chat on ${vp.name}`, () => {
    const phone = vp.name === 'phone';
    const S = SCRIPT[vp.locale];
    const press = (locator) => (phone ? locator.tap() : locator.click());
    let srv;
    let shop;
    let agentContext;
    let visitorContext;
    let agent; // the console page
    let visitor; // the shop page with the widget
    let inbox;
    let convId;
    let visitorToken;
    const errors = { agent: [], visitor: [] };

    const shot = async (name) => {
      await agent.screenshot({ path: path.join(SHOTS, `chat-${vp.name}-${name}-console.png`) });
      if (visitor) await visitor.screenshot({ path: path.join(SHOTS, `chat-${vp.name}-${name}-widget.png`) });
    };
    /** The agent API, with the console's session cookie. */
    const api = async (apiPath) => {
      const res = await agent.request.get(apiPath);
      assert.equal(res.status(), 200, `GET ${apiPath}: ${res.status()} ${await res.text()}`);
      return res.json();
    };
    const conversation = () => api(`/api/conversations/${convId}`);
    /** The visitor API, with the token the widget keeps. */
    const widgetApi = async (apiPath) => {
      const res = await fetch(srv.base + apiPath, { headers: { 'X-Kefu-Visitor': visitorToken } });
      assert.equal(res.status, 200, `GET ${apiPath}: ${res.status}`);
      return res.json();
    };
    const expectHash = (hash) => agent.waitForURL((u) => new URL(u).hash === hash, { timeout: 10_000 });
    const row = () => agent.locator(`[data-testid="conv-row"][data-conversation-id="${convId}"]`);
    const onRecord = (list) => (msg) => { if (msg.type() === 'error') list.push(msg.text()); };
    // The steps tell one story: once one fails, the rest would only time out one after another.
    let failed = null;
    const step = (name, fn) => test(name, async (t) => {
      if (failed) {
        t.skip(`needs "${failed}", which failed`);
        return;
      }
      try {
        await fn();
      } catch (err) {
        failed = name;
        throw err;
      }
    });

    before(async () => {
      srv = await startServer();
      shop = await startShop();
      agentContext = await browser().newContext({ ...vp.options, baseURL: srv.base, locale: vp.locale });
      agent = await agentContext.newPage();
      agent.setDefaultTimeout(10_000);
      agent.on('console', onRecord(errors.agent));
      agent.on('pageerror', (err) => errors.agent.push(String(err)));
      visitorContext = await browser().newContext({ ...vp.options, locale: vp.locale });
    });

    after(async () => {
      if (visitorContext) await visitorContext.close();
      if (agentContext) await agentContext.close();
      if (shop) shop.server.close();
      await stopServer(srv);
    });

    step('the owner sets kefu up, goes online and creates a web inbox for the shop\'s site', async () => {
      await agent.goto('/');
      await agent.getByTestId('page-setup').waitFor();
      await agent.getByTestId('setup-shop').fill(S.owner.shop_name);
      await agent.getByTestId('setup-name').fill(S.owner.name);
      await agent.getByTestId('setup-email').fill(S.owner.email);
      await agent.getByTestId('setup-password').fill(S.owner.password);
      await press(agent.getByTestId('setup-form-submit'));
      await expectHash('#/inbox');
      await expectText(agent.getByTestId('page-title'), S.status.inbox);
      await press(agent.getByTestId('status-button'));
      await press(agent.getByTestId('status-online'));
      await eventually(async () => (await api('/api/me')).agent.availability === 'online', 'the owner online');

      await press(agent.getByTestId('nav-settings'));
      await press(agent.getByTestId('settings-tab-inboxes'));
      await expectHash('#/settings/inboxes');
      await agent.getByTestId('inbox-list-empty').waitFor();
      await press(agent.getByTestId('inbox-new'));
      const dialog = agent.getByTestId('inbox-dialog');
      await dialog.getByTestId('inbox-name-input').fill(S.inbox.name);
      await dialog.getByTestId('inbox-greeting-input').fill(S.inbox.greeting);
      await dialog.getByTestId('inbox-origins-input').fill(shop.origin);
      await press(dialog.getByTestId('inbox-form-submit'));
      await dialog.waitFor({ state: 'detached' });

      const listed = agent.getByTestId('inbox-row').filter({ hasText: S.inbox.name });
      const snippet = await listed.getByTestId('inbox-snippet').inputValue();
      const { inboxes } = await api('/api/inboxes');
      assert.equal(inboxes.length, 1);
      [inbox] = inboxes;
      assert.deepEqual(inbox.allowed_origins, [shop.origin], 'only the shop may embed the widget');
      assert.equal(snippet, inbox.snippet, 'the console shows the server\'s snippet');
      assert.match(snippet, /^<script src="[^"]+\/widget\.js" data-inbox="[^"]+" async><\/script>$/);
      assert.ok(snippet.includes(`src="${srv.base}/widget.js"`), `the snippet loads from kefu: ${snippet}`);
      assert.ok(snippet.includes(`data-inbox="${inbox.public_token}"`), `the snippet names the inbox: ${snippet}`);
      shop.snippet = snippet;
      if (phone) await fitsPhone(agent, 'Settings → Inboxes');
      await agent.screenshot({ path: path.join(SHOTS, `chat-${vp.name}-0-inbox-settings.png`) });
    });

    step('the visitor writes from the shop page; the conversation appears live in the console', async () => {
      await press(agent.getByTestId('nav-inbox'));
      await expectHash('#/inbox');
      await agent.locator('[data-testid="inbox"][data-live="on"]').waitFor();
      await press(agent.getByTestId('inbox-tab-all'));
      await agent.getByTestId('empty-inbox').waitFor();
      // Anything the console shows from here on arrives without a reload.
      await agent.evaluate(() => { window.chatTestMarker = 'still the same page'; });

      const served = await (await fetch(shop.origin)).text();
      assert.ok(served.includes(`\n${shop.snippet}\n`), 'the shop page carries the snippet verbatim');
      visitor = await visitorContext.newPage();
      visitor.setDefaultTimeout(10_000);
      visitor.on('console', onRecord(errors.visitor));
      visitor.on('pageerror', (err) => errors.visitor.push(String(err)));
      await visitor.goto(shop.origin);
      const launcher = visitor.getByTestId('kefu-launcher');
      await launcher.waitFor({ state: 'visible' });
      await press(launcher);
      await eventually(() => panelShown(visitor), 'the chat panel to open');
      const chat = chatFrame(visitor);
      await expectText(chat.getByTestId('widget-title'), S.inbox.name);
      await expectText(chat.getByTestId('widget-greeting'), S.inbox.greeting);
      // Likewise for the chat frame: replies must arrive in this very frame.
      await chatFrameHandle(visitor).evaluate(() => { window.chatTestMarker = 'still the same frame'; });
      await chat.getByTestId('widget-input').fill(S.question);
      if (phone) await chat.getByTestId('widget-send').tap();
      else await chat.getByTestId('widget-input').press('Enter');
      const mine = widgetMessages(visitor, 'contact').filter({ hasText: S.question });
      await eventually(async () => ['sent', 'delivered', 'read'].includes(await mine.getAttribute('data-state')),
        'the widget to have the message acknowledged').catch(async (err) => {
        const shown = (await chat.locator('body').innerText()).replace(/\s+/g, ' ');
        throw new Error(`${err.message}; the widget shows: ${shown}`);
      });

      const listed = agent.getByTestId('conv-row').filter({ hasText: S.question });
      await listed.waitFor();
      convId = Number(await listed.getAttribute('data-conversation-id'));
      await expectText(row().getByTestId('conv-preview'), S.question);
      await row().getByTestId('conv-unread').waitFor();
      assert.equal(await agent.evaluate(() => window.chatTestMarker), 'still the same page', 'no reload');

      const stored = await conversation();
      assert.equal(stored.messages.filter((m) => m.body === S.question).length, 1, 'stored once');
      const first = stored.messages.find((m) => m.body === S.question);
      assert.equal(first.sender, 'contact');
      assert.equal(first.private, false);
      visitorToken = await widgetStorage(visitor, `kefu.visitor.${inbox.public_token}`);
      assert.ok(visitorToken, 'the widget keeps a visitor token');
      if (phone) await fitsPhone(visitor, 'widget with a message', chatFrameHandle(visitor));
      if (phone) await fitsPhone(agent, 'inbox list');
      await shot('1-new-conversation');
    });

    step('the agent opens it and replies; the reply appears live in the widget', async () => {
      await press(row());
      await expectHash(`#/inbox/${convId}`);
      const thread = agent.locator(`[data-testid="conversation"][data-conversation-id="${convId}"]`);
      await expectText(thread.getByTestId('msg-contact').filter({ hasText: S.question }), S.question);
      if (phone) {
        assert.equal(await agent.getByTestId('inbox-list').isVisible(), false, 'the conversation fills the phone');
        await fitsPhone(agent, 'conversation');
      }
      const input = agent.getByTestId('reply-input');
      await input.fill(S.answer);
      if (phone) await agent.getByTestId('reply-send').tap();
      else await input.press('Enter');
      await agent.getByTestId('msg-agent').filter({ hasText: S.answer }).waitFor();

      const reply = widgetMessages(visitor, 'agent').filter({ hasText: S.answer });
      await reply.waitFor();
      await expectText(reply, S.owner.name);
      assert.equal(await chatFrameHandle(visitor).evaluate(() => window.chatTestMarker), 'still the same frame',
        'the reply came live, without reloading the chat');
      const stored = (await conversation()).messages.filter((m) => m.body === S.answer);
      assert.equal(stored.length, 1, 'the reply is stored once');
      assert.equal(stored[0].sender, 'agent');
      assert.equal(stored[0].private, false);
      // The agent read the question: the widget shows it as read.
      await eventually(async () => (await widgetMessages(visitor, 'contact').filter({ hasText: S.question })
        .getAttribute('data-state')) === 'read', 'the read receipt in the widget');
      await shot('2-reply');
    });

    step('an image from the widget\'s image button shows inline in the console', async () => {
      const visitorImage = gradientPng(48, 36, [220, 38, 38], [250, 204, 21]);
      const chat = chatFrame(visitor);
      const picker = visitor.waitForEvent('filechooser');
      await press(chat.getByTestId('widget-image-button'));
      await (await picker).setFiles({ name: 'parcel.png', mimeType: 'image/png', buffer: visitorImage });
      const mine = widgetMessages(visitor, 'contact').filter({ has: chat.getByTestId('widget-image') });
      await eventually(async () => ['sent', 'delivered', 'read'].includes(await mine.getAttribute('data-state')),
        'the image message to be acknowledged', 15_000);
      await pictureLoaded(mine.getByTestId('widget-image'), 48);

      const theirs = agent.getByTestId('msg-contact').filter({ has: agent.getByTestId('msg-image') });
      await pictureLoaded(theirs.getByTestId('msg-image'), 48);
      const stored = (await conversation()).messages.filter((m) => m.attachment);
      assert.equal(stored.length, 1, 'one image message stored');
      assert.equal(stored[0].sender, 'contact');
      assert.equal(stored[0].body, '');
      assert.equal(stored[0].attachment.mime, 'image/png');
      assert.equal(stored[0].attachment.size, visitorImage.length);
      assert.equal(await theirs.getByTestId('msg-image').getAttribute('src'), stored[0].attachment.url);
      const bytes = Buffer.from(await (await agent.request.get(stored[0].attachment.url)).body());
      assert.deepEqual(bytes, visitorImage, 'kefu keeps the very bytes');
      if (phone) await fitsPhone(agent, 'conversation with the customer\'s image');
    });

    step('an image from the console\'s reply box shows inline in the widget', async () => {
      const agentImage = gradientPng(120, 80, [14, 116, 144], [236, 253, 245]);
      const picker = agent.waitForEvent('filechooser');
      await press(agent.getByTestId('attach-image'));
      await (await picker).setFiles({ name: 'packed.png', mimeType: 'image/png', buffer: agentImage });
      await agent.locator('[data-testid="attach-preview"][data-state="ready"]').waitFor();
      await agent.getByTestId('reply-input').fill(S.caption);
      await press(agent.getByTestId('reply-send'));
      await agent.getByTestId('attach-preview').waitFor({ state: 'hidden' });
      const mine = agent.getByTestId('msg-agent').filter({ has: agent.getByTestId('msg-image') });
      await expectText(mine, S.caption);
      await pictureLoaded(mine.getByTestId('msg-image'), 120);

      const theirs = widgetMessages(visitor, 'agent').filter({ hasText: S.caption });
      await pictureLoaded(theirs.getByTestId('widget-image'), 120);
      const stored = (await conversation()).messages.filter((m) => m.attachment && m.sender === 'agent');
      assert.equal(stored.length, 1, 'one image reply stored');
      assert.equal(stored[0].body, S.caption);
      assert.equal(stored[0].private, false);
      assert.equal(stored[0].attachment.mime, 'image/png');
      assert.equal(stored[0].attachment.size, agentImage.length);
      const seen = (await widgetApi('/api/widget/messages?after=0')).messages;
      const delivered = seen.filter((m) => m.attachment && m.attachment.id === stored[0].attachment.id);
      assert.equal(delivered.length, 1, 'the visitor API has the image once');
      assert.equal(delivered[0].attachment.size, agentImage.length);
      if (phone) await fitsPhone(visitor, 'widget with images', chatFrameHandle(visitor));
      await shot('3-images');
    });

    step('a private note stays in the console: not in the widget, not in the widget API', async () => {
      await press(agent.getByTestId('composer-mode-note'));
      await agent.getByTestId('reply-input').fill(S.note);
      await press(agent.getByTestId('reply-send'));
      await agent.getByTestId('msg-note').filter({ hasText: S.note }).waitFor();
      // A public reply after the note: once the widget shows it, the note had its chance to arrive.
      await press(agent.getByTestId('composer-mode-reply'));
      await agent.getByTestId('reply-input').fill(S.after);
      await press(agent.getByTestId('reply-send'));
      await agent.getByTestId('msg-agent').filter({ hasText: S.after }).waitFor();
      await widgetMessages(visitor, 'agent').filter({ hasText: S.after }).waitFor();

      const notes = (await conversation()).messages.filter((m) => m.body === S.note);
      assert.equal(notes.length, 1, 'the note is stored once');
      assert.equal(notes[0].private, true);
      assert.equal(notes[0].sender, 'agent');
      const frameText = await chatFrameHandle(visitor).evaluate(() => document.documentElement.innerHTML);
      assert.ok(!frameText.includes(S.note), 'the note is nowhere in the widget');
      assert.ok(!(await visitor.content()).includes(S.note), 'nor on the shop page');
      const seen = (await widgetApi('/api/widget/messages?after=0')).messages;
      assert.ok(seen.some((m) => m.body === S.after), 'the visitor API is up to date');
      assert.ok(!seen.some((m) => m.body === S.note || m.id === notes[0].id), 'the visitor API has no note');
      await shot('4-note');
    });

    step('resolving shows in the console and on the server; the visitor writing again reopens it live', async () => {
      if (phone) {
        await agent.getByTestId('conv-more').tap();
        await agent.getByTestId('conv-menu').waitFor();
        await fitsPhone(agent, 'actions menu');
        await agent.getByTestId('choice-resolve').tap();
      } else {
        await agent.getByTestId('conv-resolve').click();
      }
      await expectText(agent.getByTestId('conv-head-status'), S.status.resolved);
      await eventually(async () => (await conversation()).conversation.status === 'resolved', 'resolved on the server');
      if (!phone) await row().waitFor({ state: 'detached' }); // the list hides resolved conversations
      await shot('5-resolved');

      const chat = chatFrame(visitor);
      await chat.getByTestId('widget-input').fill(S.again);
      if (phone) await chat.getByTestId('widget-send').tap();
      else await chat.getByTestId('widget-input').press('Enter');
      await agent.getByTestId('msg-contact').filter({ hasText: S.again }).waitFor();
      await eventually(async () => !(await agent.getByTestId('conv-head-status').innerText()).includes(S.status.resolved),
        'the console to show the conversation reopened');
      const reopened = await conversation();
      assert.notEqual(reopened.conversation.status, 'resolved', 'reopened on the server');
      assert.equal(reopened.conversation.id, convId, 'the same conversation, not a new one');
      // The agent has it on screen: the new message is read at once, as for any other.
      await eventually(async () => (await conversation()).conversation.unread === 0,
        'the message that reopened it marked read (the conversation is on screen)');
      assert.equal((await api('/api/conversations?view=all')).conversations.length, 1, 'still one conversation');
      if (!phone) await row().waitFor(); // back in the list
      assert.equal(await agent.evaluate(() => window.chatTestMarker), 'still the same page', 'no reload');
      assert.equal(await chatFrameHandle(visitor).evaluate(() => window.chatTestMarker), 'still the same frame');
      await shot('6-reopened');
    });

    if (phone) {
      step('on the phone the agent taps back to the list; nothing scrolls sideways', async () => {
        await agent.getByTestId('conv-back').tap();
        await expectHash('#/inbox');
        await agent.getByTestId('inbox-list').waitFor();
        await agent.getByTestId('nav').waitFor();
        assert.equal(await agent.getByTestId('conversation').isVisible(), false);
        await expectText(row().getByTestId('conv-preview'), S.again);
        await fitsPhone(agent, 'list after back');
        await fitsPhone(visitor, 'widget at the end', chatFrameHandle(visitor));
        // And once more: list → conversation → back, all by tapping.
        await row().tap();
        await expectHash(`#/inbox/${convId}`);
        await agent.getByTestId('msg-contact').filter({ hasText: S.again }).waitFor();
        await fitsPhone(agent, 'conversation, second visit');
        await agent.getByTestId('conv-back').tap();
        await expectHash('#/inbox');
        await row().waitFor();
        await fitsPhone(agent, 'list, second time');
        await shot('7-back');
      });
    }

    step('the server holds each message once, and the visitor sees all but the note', async () => {
      const { messages } = await conversation();
      for (const text of [S.question, S.answer, S.caption, S.note, S.after, S.again]) {
        assert.equal(messages.filter((m) => m.body === text).length, 1, `"${text}" stored once`);
      }
      assert.equal(messages.filter((m) => m.attachment).length, 2, 'one image each way');
      assert.deepEqual(messages.filter((m) => m.private).map((m) => m.body), [S.note], 'only the note is private');
      const publicIds = messages.filter((m) => !m.private).map((m) => m.id);
      const seen = (await widgetApi('/api/widget/messages?after=0')).messages;
      assert.deepEqual(seen.map((m) => m.id), publicIds, 'the visitor gets every public message, in order');
      assert.equal(await widgetMessages(visitor, 'contact').filter({ hasText: S.question }).count(), 1, 'shown once');
    });

    test('neither page logged an error', () => {
      const real = (list) => list.filter((e) => !/Failed to load resource/.test(e));
      assert.deepEqual(real(errors.agent), [], 'console');
      assert.deepEqual(real(errors.visitor), [], 'shop page and widget');
    });
  });
}
