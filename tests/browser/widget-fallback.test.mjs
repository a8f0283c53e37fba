// The widget without websockets (long polling), with a required pre-chat form,
// and with every agent offline, in Debian's chromium against the real kefu
// binary; the shop page is on another origin, as in widget.test.mjs.
//
//   cargo build && cd tests/browser && npm install && node --test widget-fallback.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import { eventually, expectText, sharedBrowser, sleep, startServer, stopServer } from './harness.mjs';
import {
  Agent, frameOf, imageLoaded, INBOX, messageState, openPanel, ownImages, ownMessages, pickFile, png, send, SHOTS, startShop,
} from './widget-kit.mjs';

const browser = sharedBrowser(SHOTS);

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
