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
import path from 'node:path';
import { eventually, expectText, sharedBrowser, sleep, startServer, stopServer, VIEWPORTS } from './harness.mjs';
import {
  Agent, ANSWER, BRAND_RGB, ensureOpen, frameHandle, frameOf, imageLoaded, INBOX, launcherOf, messageState, noHorizontalScroll, openPanel, OWNER, ownImages, ownMessages, panelOpen, pickFile, png, QUESTION, send, SHOTS, startShop, storedValue,
} from './widget-kit.mjs';

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
