// Routing as the agent and the waiting customer see it, in Debian's chromium
// against the real server. The owner adds two intents (over the API), sets
// room for one conversation and stays offline, so chats queue. A first
// customer writes angrily (over the widget's HTTP API), a second one through
// the real widget on the shop's page: the second sees they are number 2 with
// the estimated wait. The owner goes online: the first chat is theirs, the
// second customer's line moves to number 1 live. In the console the first
// chat carries the intent the model found (a chip with its confidence), a
// red dot on the angry message and the "upset" flag in the header and its
// row; the agent changes the intent in the dialog (the server then says an
// agent set it, and the timeline says so). Resolving the first chat hands the
// second to the owner and its queue line goes. Desktop runs in English, the
// phone in Chinese (the console on a 375 px phone, the widget on 360 px).
//
//   cargo build && cd tests/browser && KEFU_BIN=../../target/debug/kefu node --test routing-queue.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  apiGet, apiOk, eventually, expectHash, expectText, sharedBrowser, startServer, stopServer, tapOrClick, VIEWPORTS,
} from './harness.mjs';
import { frameOf, INBOX, noHorizontalScroll, openPanel, OWNER, send, SHOTS, startShop } from './widget-kit.mjs';

const INTENTS = [
  { name: 'shipping_status', label: '物流查询', keywords: ['发货', '快递'],
    examples: ['我的快递到哪了', '什么时候发货', '怎么还不发货', '物流好几天没动了', '快递一直没更新', '下单三天了还没发货'] },
  { name: 'refund', label: '退款', keywords: ['退款'],
    examples: ['我要退款', '退款多久到账', '怎么申请退货退款', '钱什么时候退回来', '不想要了能退吗'] },
];
const ANGRY = '气死了！！！再不发货我就投诉';
const CALM = '你好，请问你们周末上班吗？';
const PHONE_WIDGET = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

const TEXT = {
  'en-US': {
    place: (n) => (n === 1 ? 'You are next in the queue' : `You are number ${n} in the queue`),
    wait: (min) => (min === null ? 'less than a minute' : `about ${min} min`),
    join: (place, wait) => `${place} · ${wait}`,
    joined: (name) => `${name} is helping you`,
    negative: 'negative', upset: 'Upset', agentSet: 'set by an agent',
    routed: (intent, pct) => `kefu read the intent as ${intent} (${pct}%)`,
    upsetLine: (cues) => `The customer sounds upset (${cues})`,
    changed: (from, to) => `${OWNER.name} changed the intent from ${from} to ${to}`,
    placeOnly: (n) => `You are number ${n} in the queue.`,
  },
  'zh-CN': {
    place: (n) => (n === 1 ? '下一位就是你' : `你排在第 ${n} 位`),
    wait: (min) => (min === null ? '预计等待不到 1 分钟' : `预计等待约 ${min} 分钟`),
    join: (place, wait) => `${place}，${wait}`,
    joined: (name) => `${name} 正在为你服务`,
    negative: '负面', upset: '不满', agentSet: '由客服设置',
    routed: (intent, pct) => `kefu 识别的意图：${intent}（${pct}%）`,
    upsetLine: (cues) => `顾客情绪不满（${cues}）`,
    changed: (from, to) => `${OWNER.name} 将意图从「${from}」改为「${to}」`,
    placeOnly: (n) => `你在排队中，当前第 ${n} 位。`,
  },
};

/** The queue line the widget should show for `position` and a wait of `ms`. */
function queueLine(L, position, ms) {
  const minutes = ms < 60_000 ? null : Math.max(1, Math.round(ms / 60_000));
  assert.ok(minutes === null || minutes < 90, `a wait under 90 min (${ms} ms)`);
  return L.join(L.place(position), L.wait(minutes));
}

/** The console on the phone scrolls only up and down. */
async function fitsWidth(page, where) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375, `horizontal scroll on ${where}: scrollWidth ${width} > 375`);
}

/** The customer's side: the widget's HTTP API, no browser. */
async function visitor(base, method, apiPath, token, body) {
  const headers = { 'Content-Type': 'application/json', ...(token ? { 'X-Kefu-Visitor': token } : {}) };
  const res = await fetch(`${base}${apiPath}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const browser = sharedBrowser(SHOTS);

for (const vp of VIEWPORTS) {
  describe(`routing and the queue on ${vp.name}`, () => {
    const phone = vp.name === 'phone';
    const L = TEXT[vp.locale];
    let srv;
    let shop;
    let context;
    let page;
    let customer;
    let shopPage;
    let chat;
    let inbox;
    let me;
    const ids = {};
    const errors = [];
    const shot = (p, name) => p.screenshot({ path: path.join(SHOTS, `routing-queue-${vp.name}-${name}.png`) });
    const conversation = async (id) => (await apiGet(page, `/api/conversations/${id}`));
    const queueEl = () => chat.getByTestId('widget-queue');
    const row = (id) => page.locator(`[data-testid="conv-row"][data-conversation-id="${id}"]`);

    /**
     * The second customer's queue line shows `position` and the wait kefu
     * estimates (`ms`, null while nobody is online to take the chat).
     */
    async function expectQueue(position, ms) {
      await eventually(async () => (await queueEl().getAttribute('data-position')) === String(position),
        `the widget to show place ${position}`, 15_000);
      assert.equal(await queueEl().getAttribute('data-wait-ms'), ms === null ? '' : String(ms));
      await expectText(queueEl(), ms === null ? L.placeOnly(position) : queueLine(L, position, ms));
    }

    before(async () => {
      srv = await startServer();
      shop = await startShop(srv.base);
      context = await browser().newContext({ ...vp.options, baseURL: srv.base, locale: vp.locale });
      page = await context.newPage();
      page.setDefaultTimeout(10_000);
      page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
      page.on('pageerror', (err) => errors.push(`console: ${err}`));
    });

    after(async () => {
      if (customer) await customer.close();
      if (context) await context.close();
      if (shop) shop.server.close();
      await stopServer(srv);
    });

    test('the owner adds intents, has room for one chat and stays offline', async () => {
      const setup = await page.request.post('/api/setup', { data: OWNER });
      assert.equal(setup.status(), 201, await setup.text());
      me = (await apiGet(page, '/api/me')).agent;
      inbox = (await apiOk(page, 'POST', '/api/inboxes', INBOX)).inbox;
      for (const intent of INTENTS) {
        const r = await apiOk(page, 'POST', '/api/routing/intents', intent);
        assert.equal(r.intent.name, intent.name);
        assert.deepEqual(r.intent.examples, intent.examples);
      }
      // The model retrains in the background: wait until it knows the angry message.
      const tried = await eventually(async () => {
        const r = await apiOk(page, 'POST', '/api/routing/try', { text: ANGRY, language: 'zh-CN' });
        return r.intent && r.intent.name === 'shipping_status' ? r : null;
      }, 'the classifier to find shipping_status', 15_000);
      assert.equal(tried.sentiment.label, 'negative', JSON.stringify(tried.sentiment));
      const capped = await apiOk(page, 'PATCH', `/api/agents/${me.id}`, { max_concurrent: 1 });
      assert.equal((capped.agent || capped).max_concurrent, 1);
      const off = await apiOk(page, 'PUT', '/api/me/availability', { availability: 'offline' });
      assert.equal(off.agent.availability, 'offline');
    });

    test('two customers write: the second sees number 2 in the queue and the estimated wait', async () => {
      const s = await visitor(srv.base, 'POST', '/api/widget/session', null, { inbox: inbox.public_token, locale: 'zh-CN' });
      assert.equal(s.status, 200, JSON.stringify(s.body));
      const sent = await visitor(srv.base, 'POST', '/api/widget/messages', s.body.visitor_token,
        { client_id: 'angry-1', body: ANGRY });
      assert.equal(sent.status, 201, JSON.stringify(sent.body));
      ids.first = sent.body.conversation.id;
      assert.equal(sent.body.conversation.status, 'queued');
      assert.equal(sent.body.conversation.queue_position, 1);

      customer = await browser().newContext({ ...(phone ? PHONE_WIDGET : { viewport: { width: 1280, height: 800 } }),
        locale: vp.locale });
      shopPage = await customer.newPage();
      shopPage.setDefaultTimeout(10_000);
      shopPage.on('console', (m) => { if (m.type() === 'error') errors.push(`widget: ${m.text()}`); });
      shopPage.on('pageerror', (err) => errors.push(`widget: ${err}`));
      await shopPage.goto(`${shop.base}/?inbox=${inbox.public_token}`);
      chat = frameOf(shopPage);
      await openPanel(shopPage, phone);
      await send(shopPage, CALM, phone);

      const second = await eventually(async () => {
        const { conversations } = await apiGet(page, '/api/conversations?view=all');
        return conversations.find((c) => c.id !== ids.first && c.last_message && c.last_message.body === CALM);
      }, 'the second conversation');
      ids.second = second.id;
      assert.equal(second.status, 'queued');
      assert.equal(second.queue_position, 2);
      // Nobody is online to take it: kefu makes no guess how long that lasts.
      assert.equal(second.estimated_wait_ms, null, JSON.stringify(second));

      await expectQueue(2, null);
      assert.equal(await chat.getByTestId('widget-banner').getAttribute('role'), 'status', 'read out when it changes');
      if (phone) await noHorizontalScroll(shopPage, 'the queue line', 360);
      await shot(shopPage, '1-widget-number-2');
    });

    test('the owner goes online: the first chat is theirs, the second customer moves up live', async () => {
      await page.goto('/');
      await expectHash(page, '#/inbox');
      await tapOrClick(page.getByTestId('status-button'), phone);
      await tapOrClick(page.getByTestId('status-online'), phone);
      await eventually(async () => (await conversation(ids.first)).conversation.assignee_id === me.id,
        'the first conversation to go to the owner', 15_000);
      const first = (await conversation(ids.first)).conversation;
      assert.equal(first.status, 'open');
      assert.equal(first.estimated_wait_ms, null, 'no wait once assigned');
      // Room for one: the second waits, now first in line.
      const second = (await conversation(ids.second)).conversation;
      assert.equal(second.status, 'queued');
      assert.equal(second.assignee_id, null);
      assert.equal(second.queue_position, 1);
      // One agent online and too few chats taken yet to measure a pace: about 4 minutes a place.
      assert.equal(second.estimated_wait_ms, 4 * 60_000, JSON.stringify(second));
      await expectQueue(1, second.estimated_wait_ms);
      await expectText(queueEl(), L.join(L.place(1), L.wait(4)));

      // A third customer now waits behind the second: twice as long.
      const s = await visitor(srv.base, 'POST', '/api/widget/session', null, { inbox: inbox.public_token, locale: 'zh-CN' });
      const sent = await visitor(srv.base, 'POST', '/api/widget/messages', s.body.visitor_token,
        { client_id: 'third-1', body: '在吗' });
      assert.equal(sent.status, 201, JSON.stringify(sent.body));
      assert.deepEqual([sent.body.conversation.queue_position, sent.body.conversation.estimated_wait_ms], [2, 8 * 60_000]);
      await expectQueue(1, second.estimated_wait_ms);
      await shot(shopPage, '2-widget-next');
    });

    test('the list row flags the upset customer and names the intent', async () => {
      const r = row(ids.first);
      await r.waitFor();
      const summary = (await conversation(ids.first)).conversation;
      assert.equal(summary.negative, true, `the conversation reads negative: ${JSON.stringify(summary)}`);
      assert.ok(summary.sentiment < 0, `its trend is negative: ${summary.sentiment}`);
      assert.deepEqual([summary.intent.name, summary.intent.source], ['shipping_status', 'model']);
      await expectText(r.getByTestId('conv-row-negative'), L.upset);
      const tag = r.getByTestId('conv-row-intent');
      await expectText(tag, '物流查询');
      assert.equal(await tag.getAttribute('data-intent'), 'shipping_status');
      if (phone) await fitsWidth(page, 'the list');
      await shot(page, '3-list');
    });

    test('the angry message has its mark, the header the flag and the intent with its confidence', async () => {
      await tapOrClick(row(ids.first), phone);
      await expectHash(page, `#/inbox/${ids.first}`);
      const detail = await conversation(ids.first);
      const angry = detail.messages.find((m) => m.body === ANGRY);
      assert.ok(angry.sentiment, `the message has a sentiment: ${JSON.stringify(angry)}`);
      assert.equal(angry.sentiment.label, 'negative');
      assert.ok(angry.sentiment.score < 0);

      const msg = page.locator(`[data-testid="msg-contact"][data-message-id="${angry.id}"]`);
      const mark = msg.getByTestId('msg-sentiment');
      await mark.waitFor();
      assert.equal(await mark.getAttribute('data-label'), 'negative');
      const score = angry.sentiment.score > 0 ? `+${angry.sentiment.score.toFixed(1)}` : angry.sentiment.score.toFixed(1);
      const said = await mark.getAttribute('aria-label');
      assert.ok(said.includes(`${L.negative} · ${score}`), `the mark says what it means: ${said}`);
      assert.equal(await mark.getAttribute('role'), 'img');
      const box = await mark.boundingBox();
      assert.ok(box.width <= 12 && box.height <= 12, `a small dot: ${JSON.stringify(box)}`);

      await expectText(page.getByTestId('conv-negative'), L.upset);
      const chip = page.getByTestId('conv-intent');
      await chip.waitFor();
      const pct = Math.round(detail.conversation.intent.confidence * 100);
      assert.equal(await chip.getAttribute('data-intent'), 'shipping_status');
      assert.equal(await chip.getAttribute('data-source'), 'model');
      await expectText(chip, '物流查询');
      await expectText(chip, `${pct}%`);
      assert.ok(await chip.isVisible());

      // The timeline says how kefu routed it and when the customer turned upset.
      const event = (kind) => page.locator(`[data-testid="timeline-event"][data-kind="${kind}"]`);
      await expectText(event('routed'), L.routed('物流查询', pct));
      const upset = detail.events.find((e) => e.kind === 'negative');
      assert.ok(upset && upset.detail.cues.length, `a negative event with its cues: ${JSON.stringify(detail.events)}`);
      await expectText(event('negative'), L.upsetLine(upset.detail.cues.join(', ')));
      if (phone) await fitsWidth(page, 'the conversation');
      await shot(page, '4-conversation');
    });

    test('the agent changes the intent in the dialog; the server says an agent set it', async () => {
      // The chip on the desktop, the "more" menu on the phone.
      if (phone) {
        await page.getByTestId('conv-more').tap();
        await page.getByTestId('conv-menu').waitFor();
        await page.getByTestId('choice-intent').tap();
      } else {
        await page.getByTestId('conv-intent').click();
      }
      const dialog = page.getByTestId('intent-dialog');
      await dialog.waitFor();
      const choices = dialog.locator('[data-testid^="choice-intent-"]');
      assert.deepEqual((await choices.evaluateAll((els) => els.map((el) => el.dataset.testid))).sort(),
        ['choice-intent-refund', 'choice-intent-shipping_status'], 'the shop\'s intents');
      assert.equal(await dialog.getByTestId('choice-intent-shipping_status').getAttribute('aria-current'), 'true');
      if (phone) await fitsWidth(page, 'the intent dialog');
      await shot(page, '5-intent-dialog');
      await tapOrClick(dialog.getByTestId('choice-intent-refund'), phone);
      await dialog.waitFor({ state: 'detached' });

      const chip = page.getByTestId('conv-intent');
      await eventually(async () => (await chip.getAttribute('data-intent')) === 'refund', 'the chip to change');
      assert.equal(await chip.getAttribute('data-source'), 'agent');
      await expectText(chip, '退款');
      assert.ok((await chip.getAttribute('title')).includes(L.agentSet));
      const now = (await conversation(ids.first)).conversation;
      assert.deepEqual([now.intent.name, now.intent.label, now.intent.source], ['refund', '退款', 'agent']);
      const line = page.locator('[data-testid="timeline-event"][data-kind="intent"]').last();
      await expectText(line, L.changed('物流查询', '退款'));
      // The list follows.
      if (!phone) await expectText(row(ids.first).getByTestId('conv-row-intent'), '退款');
      await shot(page, '6-intent-changed');
    });

    test('resolving the first chat hands the second to the owner and the queue line goes', async () => {
      if (phone) {
        await page.getByTestId('conv-more').tap();
        await page.getByTestId('conv-menu').waitFor();
        await page.getByTestId('choice-resolve').tap();
      } else {
        await page.getByTestId('conv-resolve').click();
      }
      await eventually(async () => (await conversation(ids.first)).conversation.status === 'resolved', 'resolved');
      await eventually(async () => (await conversation(ids.second)).conversation.assignee_id === me.id,
        'the second conversation to go to the owner', 15_000);
      const second = (await conversation(ids.second)).conversation;
      assert.equal(second.status, 'open');
      assert.equal(second.queue_position, null);
      await queueEl().waitFor({ state: 'detached', timeout: 15_000 });
      await expectText(chat.getByTestId('widget-banner'), L.joined(OWNER.name));
      assert.equal(second.negative, false, 'a calm customer is not flagged');
      await shot(shopPage, '7-widget-helped');
    });

    test('the pages logged no errors', () => {
      const real = errors.filter((e) => !/Failed to load resource/.test(e));
      assert.deepEqual(real, []);
    });
  });
}
