// The live-chat inbox in Debian's chromium against the real server binary:
// an admin creates a web inbox in Settings, a customer writes through the
// widget's HTTP API, and the agent sees it live, replies, adds a private
// note, watches the customer type and read, and resolves. Desktop runs in
// English, the phone in Chinese.
//
//   cargo build && cd tests/browser && npm install && node --test
//
// Env: KEFU_BIN (server binary, default ../../target/debug/kefu),
// CHROMIUM (default /usr/bin/chromium), KEFU_SCREENSHOTS (directory for
// screenshots, default a fresh temp dir; its path is printed).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { eventually, expectText, freePort, screenshotsDir, sharedBrowser, sleep, startServer, stopServer, VIEWPORTS } from './harness.mjs';

const SHOTS = screenshotsDir('kefu-inbox-screens');

const OWNER = { shop_name: '小王的店', name: '王小明', email: 'wang@example.com', password: 'green-tea-and-rice-cakes-7' };
const INBOX = { name: '小王的店 · 网站', greeting: '你好！有什么可以帮你？' };
const FIRST = '你好，我昨天买的龙井茶什么时候发货？';
const REPLY = '已经发货了';
const NOTE = '老顾客，下次送一包小样';
const SECOND = '好的，谢谢！';

const TEXT = {
  'en-US': { inbox: 'Inbox', note: 'Internal note', typing: 'The customer is typing…', resolved: 'Resolved',
    waiting: 'Waiting', visitor: 'Visitor #' },
  'zh-CN': { inbox: '会话', note: '内部备注', typing: '顾客正在输入…', resolved: '已解决',
    waiting: '等待', visitor: '访客 #' },
};

const hashOf = (page) => new URL(page.url()).hash;
const expectHash = (page, hash) => page.waitForURL((u) => new URL(u).hash === hash, { timeout: 10_000 });
const tapOrClick = (page, locator, phone) => (phone ? locator.tap() : locator.click());
/** GET with the browser's cookies. */
async function apiGet(page, apiPath) {
  const res = await page.request.get(apiPath);
  return { status: res.status(), body: await res.json().catch(() => null) };
}

/** The customer's side: the widget's HTTP API, no browser. */
async function visitor(base, method, apiPath, token, body) {
  const headers = { 'Content-Type': 'application/json', ...(token ? { 'X-Kefu-Visitor': token } : {}) };
  const res = await fetch(`${base}${apiPath}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function noHorizontalScroll(page, where) {
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= 375, `horizontal scroll on ${where}: scrollWidth ${scrollWidth} > 375`);
}

/**
 * Runs in the page: lets the test hide the tab (window.__hidden), records
 * notifications instead of showing them, and counts the chime's tones.
 */
function fakeHiddenTab() {
  Object.assign(window, { __hidden: false, __notes: [], __tones: 0 });
  const get = (fn) => ({ configurable: true, get: fn });
  Object.defineProperty(Document.prototype, 'hidden', get(() => window.__hidden));
  Object.defineProperty(Document.prototype, 'visibilityState', get(() => (window.__hidden ? 'hidden' : 'visible')));
  window.Notification = class {
    static permission = 'default';
    static async requestPermission() { this.permission = 'granted'; return 'granted'; }
    constructor(title, opts) { window.__notes.push({ title, body: opts && opts.body }); }
    addEventListener() {}
    close() {}
  };
  const createOscillator = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function countTone() {
    window.__tones += 1;
    return createOscillator.call(this);
  };
}

const browser = sharedBrowser(SHOTS);

for (const vp of VIEWPORTS) {
  describe(`inbox on ${vp.name}`, () => {
    const phone = vp.name === 'phone';
    const L = TEXT[vp.locale];
    let srv;
    let context;
    let page;
    let token;
    let visitorToken;
    let convId;
    let replyId;
    const consoleErrors = [];
    const shot = (name) => page.screenshot({ path: path.join(SHOTS, `inbox-${vp.name}-${name}.png`) });

    before(async () => {
      srv = await startServer();
      context = await browser().newContext({ ...vp.options, baseURL: srv.base, locale: vp.locale });
      if (!phone) await context.addInitScript(fakeHiddenTab);
      page = await context.newPage();
      page.setDefaultTimeout(10_000);
      page.on('console', (msg) => { if (msg.type() === 'error') consoleErrors.push(msg.text()); });
      page.on('pageerror', (err) => consoleErrors.push(String(err)));
    });

    after(async () => {
      if (context) await context.close();
      await stopServer(srv);
    });

    test('the owner is set up and goes online', async () => {
      const setup = await page.request.post('/api/setup', { data: OWNER });
      assert.equal(setup.status(), 201, await setup.text());
      await page.goto('/');
      await expectHash(page, '#/inbox');
      await expectText(page.getByTestId('page-title'), L.inbox);
      await page.getByTestId('empty-inbox').waitFor();
      await page.getByTestId('status-button').click();
      await page.getByTestId('status-online').click();
      await eventually(async () => (await apiGet(page, '/api/me')).body.agent.availability === 'online', 'online');
    });

    test('Settings → Inboxes: create a web inbox and see its snippet', async () => {
      await tapOrClick(page, page.getByTestId('nav-settings'), phone);
      await tapOrClick(page, page.getByTestId('settings-tab-inboxes'), phone);
      await expectHash(page, '#/settings/inboxes');
      await page.getByTestId('inbox-list-empty').waitFor();
      await page.getByTestId('inbox-new').click();
      const dialog = page.getByTestId('inbox-dialog');
      await dialog.waitFor();
      await dialog.getByTestId('inbox-name-input').fill(INBOX.name);
      await dialog.getByTestId('inbox-greeting-input').fill(INBOX.greeting);
      await dialog.getByTestId('inbox-color-input').fill('#c2410c');
      await dialog.getByTestId('inbox-origins-input').fill('https://shop.example\nhttps://www.shop.example');
      await dialog.getByTestId('inbox-prechat-email').selectOption('optional');
      if (phone) await noHorizontalScroll(page, 'inbox dialog');
      await dialog.getByTestId('inbox-form-submit').click();
      await dialog.waitFor({ state: 'detached' });

      const { body } = await apiGet(page, '/api/inboxes');
      assert.equal(body.inboxes.length, 1);
      const inbox = body.inboxes[0];
      assert.equal(inbox.name, INBOX.name);
      assert.equal(inbox.greeting, INBOX.greeting);
      assert.equal(inbox.color, '#c2410c');
      assert.deepEqual(inbox.allowed_origins, ['https://shop.example', 'https://www.shop.example']);
      assert.equal(inbox.prechat.email, 'optional');
      assert.equal(inbox.prechat.name, 'off');
      token = inbox.public_token;

      const row = page.getByTestId('inbox-row').filter({ hasText: INBOX.name });
      await row.waitFor();
      const snippet = await row.getByTestId('inbox-snippet').inputValue();
      assert.ok(snippet.includes(`data-inbox="${token}"`), `snippet shows the token: ${snippet}`);
      assert.equal(snippet, inbox.snippet);
      // The secret stays hidden until asked for.
      const secret = row.getByTestId('inbox-secret');
      assert.equal(await secret.getAttribute('type'), 'password');
      await row.getByTestId('inbox-secret-show').click();
      assert.equal(await secret.getAttribute('type'), 'text');
      assert.equal(await secret.inputValue(), inbox.secret);
      if (phone) await noHorizontalScroll(page, 'inboxes');
      await page.screenshot({ path: path.join(SHOTS, `inbox-${vp.name}-0-settings.png`), fullPage: true });
    });

    test('a customer writes and the conversation appears live', async () => {
      await tapOrClick(page, page.getByTestId('nav-inbox'), phone);
      await expectHash(page, '#/inbox');
      await page.getByTestId('empty-inbox').waitFor();
      await page.locator('[data-testid="inbox"][data-live="on"]').waitFor();

      const session = await visitor(srv.base, 'POST', '/api/widget/session', null, {
        inbox: token, locale: 'zh-CN', page: { url: 'https://shop.example/p/longjing', title: '明前龙井' },
      });
      assert.equal(session.status, 200, JSON.stringify(session.body));
      visitorToken = session.body.visitor_token;
      const sent = await visitor(srv.base, 'POST', '/api/widget/messages', visitorToken,
        { client_id: 'c-1', body: FIRST });
      assert.equal(sent.status, 201, JSON.stringify(sent.body));
      convId = sent.body.conversation.id;

      const row = page.locator(`[data-testid="conv-row"][data-conversation-id="${convId}"]`);
      await row.waitFor();
      await expectText(row.getByTestId('conv-preview'), FIRST);
      await expectText(row.getByTestId('conv-name'), L.visitor);
      await expectText(row.getByTestId('conv-waiting'), L.waiting);
      await expectText(row.getByTestId('conv-unread'), '1');
      await expectText(page.getByTestId('nav-inbox-unread'), '1');
      await eventually(async () => (await page.title()).startsWith('(1)'), 'unread count in the title');
      if (phone) await noHorizontalScroll(page, 'inbox list');
      await shot('1-list');
    });

    test('opening it shows the message and marks it read', async () => {
      await tapOrClick(page, page.locator(`[data-testid="conv-row"][data-conversation-id="${convId}"]`), phone);
      await expectHash(page, `#/inbox/${convId}`);
      const conv = page.getByTestId('conversation');
      await expectText(conv.getByTestId('msg-contact').first(), FIRST);
      await eventually(async () => (await apiGet(page, `/api/conversations/${convId}`)).body.conversation.unread === 0,
        'unread reset on the server');
      await page.getByTestId('nav-inbox-unread').waitFor({ state: 'hidden' });
      if (phone) {
        // Full screen: no tab bar, a back button, the reply box at the bottom.
        assert.equal(await page.getByTestId('nav').isVisible(), false);
        await page.getByTestId('conv-back').waitFor();
        const box = await page.getByTestId('reply-input').boundingBox();
        assert.ok(box.y + box.height > 667 - 90, `reply box near the bottom (y=${box.y})`);
        await noHorizontalScroll(page, 'conversation');
      } else {
        await expectText(page.getByTestId('contact-panel'), '明前龙井');
      }
    });

    test('a reply reaches the customer', async () => {
      await page.getByTestId('reply-input').fill(REPLY);
      await page.getByTestId('reply-input').press('Enter');
      const mine = page.getByTestId('msg-agent').filter({ hasText: REPLY });
      await mine.waitFor();
      assert.equal(await page.getByTestId('reply-input').inputValue(), '');
      const got = await eventually(async () => {
        const r = await visitor(srv.base, 'GET', '/api/widget/messages?after=0', visitorToken);
        return r.body.messages.find((m) => m.body === REPLY);
      }, 'the reply in the visitor API');
      assert.equal(got.sender, 'agent');
      assert.equal(got.agent_name, OWNER.name);
      replyId = got.id;
    });

    test('a private note stays inside the team', async () => {
      await page.getByTestId('composer-mode-note').click();
      await page.getByTestId('reply-input').fill(NOTE);
      await page.getByTestId('reply-send').click();
      const note = page.getByTestId('msg-note').filter({ hasText: NOTE });
      await note.waitFor();
      await expectText(note, L.note);
      const detail = (await apiGet(page, `/api/conversations/${convId}`)).body;
      assert.ok(detail.messages.some((m) => m.body === NOTE && m.private), 'the note is stored as private');
      const seen = await visitor(srv.base, 'GET', '/api/widget/messages?after=0', visitorToken);
      assert.ok(!seen.body.messages.some((m) => m.body === NOTE), 'the customer never gets the note');
      await page.getByTestId('composer-mode-reply').click();
    });

    test('the customer types, reads, and writes again: all live', async () => {
      const typed = await visitor(srv.base, 'POST', '/api/widget/typing', visitorToken, { typing: true });
      assert.equal(typed.status, 204);
      await expectText(page.getByTestId('typing-indicator'), L.typing);

      const read = await visitor(srv.base, 'POST', '/api/widget/read', visitorToken, { up_to: replyId });
      assert.equal(read.status, 204);
      const ticks = page.getByTestId('msg-agent').filter({ hasText: REPLY }).getByTestId('msg-delivery');
      await eventually(async () => (await ticks.getAttribute('data-delivery')) === 'read', 'read ticks');

      const again = await visitor(srv.base, 'POST', '/api/widget/messages', visitorToken,
        { client_id: 'c-2', body: SECOND });
      assert.equal(again.status, 201);
      await page.getByTestId('msg-contact').filter({ hasText: SECOND }).waitFor();
      await page.getByTestId('typing-indicator').waitFor({ state: 'hidden' });
      // On screen, so it is read at once.
      await eventually(async () => (await apiGet(page, `/api/conversations/${convId}`)).body.conversation.unread === 0,
        'the new message marked read');
      await shot('2-conversation');
    });

    test('resolving changes the status and the list', async () => {
      if (phone) {
        await page.getByTestId('conv-more').tap();
        await page.getByTestId('conv-menu').waitFor();
        await noHorizontalScroll(page, 'actions menu');
        await page.getByTestId('choice-resolve').tap();
      } else {
        await page.getByTestId('conv-resolve').click();
      }
      await expectText(page.getByTestId('conv-head-status'), L.resolved);
      await eventually(async () => (await apiGet(page, `/api/conversations/${convId}`)).body.conversation.status
        === 'resolved', 'resolved on the server');
      await page.locator('[data-testid="timeline-event"][data-kind="status"]').waitFor();
      // The default list hides resolved conversations.
      await page.locator(`[data-testid="conv-row"][data-conversation-id="${convId}"]`).waitFor({ state: 'detached' });
      await shot('3-resolved');
    });

    if (phone) {
      test('on the phone, back returns to the list without horizontal scroll', async () => {
        await page.getByTestId('conv-back').tap();
        await expectHash(page, '#/inbox');
        await page.getByTestId('inbox-list').waitFor();
        assert.equal(await page.getByTestId('conversation').isVisible(), false);
        await page.getByTestId('nav').waitFor();
        await noHorizontalScroll(page, 'list after back');
        // The resolved filter shows it again.
        await page.getByTestId('inbox-filter-status').selectOption('resolved');
        await page.locator(`[data-testid="conv-row"][data-conversation-id="${convId}"]`).waitFor();
        await noHorizontalScroll(page, 'resolved list');
        await page.getByTestId('inbox-filter-status').selectOption('');
      });
    } else {
      test('keyboard: ? lists the shortcuts, r focuses the reply, Esc goes back', async () => {
        await page.getByTestId('thread').click();
        await page.keyboard.press('?');
        await page.getByTestId('shortcuts-dialog').waitFor();
        await page.keyboard.press('Escape');
        await page.getByTestId('shortcuts-dialog').waitFor({ state: 'detached' });
        await page.keyboard.press('r');
        assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'reply-input');
        await page.keyboard.press('Escape');
        await page.keyboard.press('Escape');
        await expectHash(page, '#/inbox');
        await page.getByTestId('conv-placeholder').waitFor();
      });

      test('Profile: with notifications on, a message in a hidden tab chimes and notifies', async () => {
        await page.getByTestId('nav-profile').click();
        await expectHash(page, '#/profile');
        assert.equal(await page.getByTestId('notify-sound').isChecked(), true, 'sound is on by default');
        assert.equal(await page.getByTestId('notify-desktop').isChecked(), false);
        await page.getByTestId('notify-desktop').check();
        await eventually(async () => (await page.evaluate(() => localStorage.getItem('kefu.notify.desktop'))) === '1',
          'the choice saved on this device');
        await shot('4-profile');
        await page.getByTestId('nav-inbox').click();
        await expectHash(page, '#/inbox');

        await page.evaluate(() => {
          window.__hidden = true;
          document.dispatchEvent(new Event('visibilitychange'));
        });
        const third = '还有一个问题：可以开发票吗？';
        const sent = await visitor(srv.base, 'POST', '/api/widget/messages', visitorToken,
          { client_id: 'c-3', body: third });
        assert.equal(sent.status, 201);
        const notes = await eventually(async () => {
          const n = await page.evaluate(() => window.__notes);
          return n.length ? n : null;
        }, 'a notification');
        assert.equal(notes.length, 1);
        assert.ok(notes[0].title.startsWith(L.visitor), notes[0].title);
        assert.equal(notes[0].body, third);
        assert.ok((await page.evaluate(() => window.__tones)) > 0, 'the chime played');
        await eventually(async () => (await page.title()).startsWith('(1)'), 'unread count in the title');
        // The customer wrote again: the conversation is back in the list.
        await page.locator(`[data-testid="conv-row"][data-conversation-id="${convId}"]`).waitFor();
        await page.evaluate(() => {
          window.__hidden = false;
          document.dispatchEvent(new Event('visibilitychange'));
        });
      });

      test('deleting the inbox asks first, then removes it and its conversations', async () => {
        await page.getByTestId('nav-settings').click();
        await page.getByTestId('settings-tab-inboxes').click();
        const row = page.getByTestId('inbox-row').filter({ hasText: INBOX.name });
        await row.getByTestId('inbox-delete').click();
        await page.getByTestId('confirm-cancel').click();
        assert.equal((await apiGet(page, '/api/inboxes')).body.inboxes.length, 1, 'cancel keeps it');
        await row.getByTestId('inbox-delete').click();
        await page.getByTestId('confirm-ok').click();
        await page.getByTestId('inbox-list-empty').waitFor();
        assert.equal((await apiGet(page, '/api/inboxes')).body.inboxes.length, 0);
        await page.getByTestId('nav-inbox').click();
        await page.getByTestId('empty-inbox').waitFor();
        await page.getByTestId('nav-inbox-unread').waitFor({ state: 'hidden' });
      });
    }

    test('the page logged no errors', () => {
      const real = consoleErrors.filter((e) => !/Failed to load resource/.test(e));
      assert.deepEqual(real, []);
      assert.ok(hashOf(page).startsWith('#/inbox'));
    });
  });
}
