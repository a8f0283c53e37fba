// The bot in the chat widget, in Debian's chromium against the real server.
// The owner publishes a few articles and turns the inbox's bot on (over the
// API). A customer asks a clear question: the bot answers with the article and
// its link, with 解决了 / 没解决，转人工 under it; 解决了 (by keyboard, after a
// failed try offline) leaves a muted line and resolves the conversation. A
// second customer, on a 360 px phone, asks something vague: the bot offers
// articles, tapping one brings its answer, 没解决 brings the bot's handoff and
// queues the conversation for a person with the bot's private summary. A
// customer known to the shop with an order is greeted with 查进度, which sends
// 我的订单到哪了？ like a typed message.
//
//   cargo build && cd tests/browser && KEFU_BIN=../../target/debug/kefu node --test widget-bot.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import { eventually, expectText, sharedBrowser, startServer, stopServer } from './harness.mjs';
import {
  Agent, ensureOpen, frameHandle, frameOf, INBOX, messageState, noHorizontalScroll, openPanel, ownMessages, send, SHOTS,
  startShop,
} from './widget-kit.mjs';

const ARTICLES = {
  refund: { title: '退款多久到账', body: '退款会在**三个工作日**内原路退回。', text: '退款会在三个工作日内原路退回', questions: ['退款多久能到账', '钱什么时候退回来'] },
  shipping: { title: '下单后多久发货', body: '付款后 48 小时内发货，节假日顺延。', text: '付款后 48 小时内发货', questions: ['什么时候发货', '多久能发货'] },
  address: { title: '怎么修改收货地址', body: '发货前可以在订单页修改地址；已发货的请联系快递改派。', text: '发货前可以在订单页修改地址', questions: ['地址填错了怎么办', '能改收货地址吗'] },
  carrier: { title: '发什么快递', body: '默认发顺丰，偏远地区发邮政。', text: '默认发顺丰', questions: ['用的哪家快递', '能发顺丰吗'] },
  invoice: { title: '怎么开发票', body: '在订单页申请电子发票，三天内发到邮箱。', text: '在订单页申请电子发票', questions: ['能开发票吗', '发票怎么申请'] },
};
const ASK_CLEAR = '请问退款多久能到账？';
const ASK_VAGUE = '订单怎么弄';
const MUTED_RGB = 'rgb(93, 105, 116)'; // --muted in frame.css
const NETWORK_ERROR = '网络未连接，请检查网络后重试。';
const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

const browser = sharedBrowser(SHOTS);

describe('the bot in the widget', () => {
  let srv;
  let shop;
  let agent;
  let inbox;
  const ids = {};
  const errors = [];
  const contexts = [];

  /** A new customer: a browser context of its own on the shop's page. */
  async function customer(options, query = '') {
    const context = await browser().newContext({ ...options, locale: 'zh-CN' });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (err) => errors.push(String(err)));
    await page.goto(`${shop.base}/?inbox=${inbox.public_token}${query}`);
    return { context, page };
  }

  const shot = (page, name) => page.screenshot({ path: path.join(SHOTS, `widget-bot-${name}.png`) });
  const botMessages = (page) => frameOf(page).locator('[data-testid="widget-msg"][data-sender="bot"]');
  const detail = (id) => agent.must('GET', `/api/conversations/${id}`);
  /** The one bot message (agent's view) of `kind` in conversation `id`. */
  const botMessage = async (id, kind) => (await detail(id)).messages.find((m) => m.bot && m.bot.kind === kind);
  /** The data-testid of what has the keyboard focus in the chat. */
  const testid = (page) => frameHandle(page).evaluate(() => document.activeElement && document.activeElement.dataset.testid);

  /** Real buttons, inside the phone's width, their text not cut. */
  async function fits(page, locator, what) {
    const n = await locator.count();
    assert.ok(n > 0, `${what}: none shown`);
    for (let i = 0; i < n; i += 1) {
      const b = locator.nth(i);
      assert.ok(await b.isVisible(), `${what} ${i} is visible`);
      const look = await b.evaluate((el) => ({
        tag: el.tagName, type: el.type, sw: el.scrollWidth, cw: el.clientWidth, right: el.getBoundingClientRect().right,
        height: el.getBoundingClientRect().height, vw: document.documentElement.clientWidth,
      }));
      assert.deepEqual([look.tag, look.type], ['BUTTON', 'button'], `${what} ${i} is a <button type=button>`);
      assert.ok(look.sw <= look.cw + 1, `${what} ${i}: its text overflows (${look.sw} > ${look.cw})`);
      assert.ok(look.right <= look.vw, `${what} ${i} ends at ${look.right}, past the ${look.vw} px frame`);
      assert.ok(look.height >= 36, `${what} ${i} is ${look.height} px high: too small to tap`);
    }
    await noHorizontalScroll(page, what, 360);
  }

  before(async () => {
    srv = await startServer();
    agent = new Agent(srv.base);
    await agent.setup();
    inbox = (await agent.must('POST', '/api/inboxes', INBOX, 201)).inbox;
    const on = await agent.must('PATCH', `/api/inboxes/${inbox.id}`, { bot_enabled: true });
    assert.equal((on.inbox || on).bot_enabled, true, 'the bot is on');
    const cfg = await agent.must('GET', `/api/widget/config?inbox=${inbox.public_token}`);
    assert.equal(cfg.inbox.bot_enabled, true, 'the widget is told');
    for (const [name, a] of Object.entries(ARTICLES)) {
      ids[name] = (await agent.must('POST', '/api/kb/articles', {
        category_id: null, locale: 'zh-CN', external_id: null, keywords: [], inbox_ids: null, status: 'published',
        title: a.title, body: a.body, questions: a.questions,
      })).id;
    }
    // The questions do what the test needs of them, as the bot decides.
    const clear = await agent.must('POST', '/api/bot/answer', { text: ASK_CLEAR, locale: 'zh-CN', inbox_id: inbox.id });
    assert.deepEqual([clear.decision, clear.articles[0].article_id], ['answer', ids.refund], JSON.stringify(clear));
    const vague = await agent.must('POST', '/api/bot/answer', { text: ASK_VAGUE, locale: 'zh-CN', inbox_id: inbox.id });
    assert.equal(vague.decision, 'suggest', JSON.stringify(vague));
    assert.ok(vague.articles.length >= 2, `more than one offer: ${JSON.stringify(vague)}`);
    shop = await startShop(srv.base);
  });

  after(async () => {
    for (const c of contexts) await c.close();
    if (shop) shop.server.close();
    await stopServer(srv);
  });

  test('a clear question: the article and its link, 解决了 resolves the conversation', async () => {
    const { context, page } = await customer({ viewport: { width: 1280, height: 800 } });
    const f = frameOf(page);
    await openPanel(page, false);
    await send(page, ASK_CLEAR, false);
    const answer = botMessages(page).filter({ hasText: ARTICLES.refund.text });
    await answer.waitFor();
    await expectText(answer, '智能助手');
    const text = await answer.locator('.bubble').innerText();
    assert.ok(!text.includes('**'), `plain text, no Markdown: ${text}`);

    const conv = await agent.conversationWith(ASK_CLEAR);
    const stored = await botMessage(conv.id, 'answer');
    assert.ok(stored, 'the server has the answer');
    assert.equal(stored.bot.feedback, null);
    assert.equal(stored.bot.articles[0].article_id, ids.refund);
    assert.match(stored.bot.articles[0].url, new RegExp(`/help/zh-CN/articles/${ids.refund}$`));
    assert.equal(await answer.locator('a').getAttribute('href'), stored.bot.articles[0].url, 'the link is clickable');

    const solved = answer.getByTestId('widget-bot-solved');
    const unsolved = answer.getByTestId('widget-bot-unsolved');
    await expectText(solved, '解决了');
    await expectText(unsolved, '没解决，转人工');
    assert.equal(await botMessages(page).count(), 1, 'one bot message so far');
    await shot(page, '1-answer');

    // Offline, the tap fails and says so like any other failure; the buttons stay.
    await context.setOffline(true);
    await solved.click();
    const banner = f.getByTestId('widget-banner');
    await expectText(banner, NETWORK_ERROR);
    assert.match(await banner.getAttribute('class'), /\bbad\b/);
    await solved.waitFor();
    assert.notEqual((await detail(conv.id)).conversation.status, 'resolved', 'nothing changed');
    assert.equal((await botMessage(conv.id, 'answer')).bot.feedback, null, 'no feedback recorded');
    await context.setOffline(false);

    // By keyboard: Tab goes from one button to the other, Enter presses.
    await solved.focus();
    await page.keyboard.press('Tab');
    assert.equal(await testid(page), 'widget-bot-unsolved');
    await page.keyboard.press('Shift+Tab');
    assert.equal(await testid(page), 'widget-bot-solved');
    await page.keyboard.press('Enter');

    const note = answer.getByTestId('widget-bot-solved-note');
    await expectText(note, '已解决');
    assert.equal(await note.evaluate((el) => getComputedStyle(el).color), MUTED_RGB, 'a muted line');
    assert.equal(await f.getByTestId('widget-bot-feedback').count(), 0, 'no buttons any more');
    assert.doesNotMatch(await banner.getAttribute('class'), /\bbad\b/, 'the error went with the success');
    await eventually(async () => (await testid(page)) === 'widget-input', 'the focus to go on in the composer');

    const now = await detail(conv.id);
    assert.equal(now.conversation.status, 'resolved');
    const answered = now.messages.find((m) => m.id === stored.id);
    assert.equal(answered.bot.feedback, 'solved');
    const resolved = now.messages.find((m) => m.bot && m.bot.kind === 'resolved');
    assert.ok(resolved && !resolved.private, `the bot says it is resolved: ${JSON.stringify(now.messages)}`);
    await botMessages(page).filter({ hasText: resolved.body.split('\n')[0] }).waitFor();
    await shot(page, '2-solved');

    // As kefu has it: after a reload, still answered, still no buttons.
    await page.reload();
    await ensureOpen(page, false);
    await botMessages(page).filter({ hasText: ARTICLES.refund.text }).getByTestId('widget-bot-solved-note').waitFor();
    assert.equal(await f.getByTestId('widget-bot-solved').count(), 0);
  });

  test('a vague question on a 360 px phone: offers, a pick, its answer, 没解决 brings a person', async () => {
    const { page } = await customer(PHONE);
    const f = frameOf(page);
    await openPanel(page, true);
    await send(page, ASK_VAGUE, true);
    const offers = f.getByTestId('widget-bot-offer');
    await offers.first().waitFor();
    const conv = await agent.conversationWith(ASK_VAGUE);
    const suggest = await botMessage(conv.id, 'suggest');
    assert.ok(suggest, 'the server has the offer');
    assert.equal(suggest.bot.picked, null);
    assert.deepEqual(await offers.allInnerTexts(), suggest.bot.articles.map((a) => a.title), 'one button per article');
    const offerIds = await offers.evaluateAll((els) => els.map((el) => Number(el.dataset.articleId)));
    assert.deepEqual(offerIds, suggest.bot.articles.map((a) => a.article_id));
    await fits(page, offers, 'the offers');
    await shot(page, '3-offers');

    const chosen = suggest.bot.articles[0];
    const name = Object.keys(ids).find((k) => ids[k] === chosen.article_id);
    await offers.first().tap();
    await expectText(f.getByTestId('widget-bot-picked'), chosen.title);
    assert.equal(await f.getByTestId('widget-bot-picked').evaluate((el) => getComputedStyle(el).color), MUTED_RGB);
    assert.equal(await offers.count(), 0, 'no offers once one is picked');
    const answer = botMessages(page).filter({ hasText: ARTICLES[name].text });
    await answer.waitFor();
    assert.equal((await botMessage(conv.id, 'suggest')).bot.picked, chosen.article_id);
    const buttons = answer.locator('[data-testid="widget-bot-solved"], [data-testid="widget-bot-unsolved"]');
    await buttons.nth(1).waitFor();
    await fits(page, buttons, 'solved / not solved');
    await shot(page, '4-picked-answer');

    const shownBefore = await botMessages(page).count();
    await answer.getByTestId('widget-bot-unsolved').tap();
    await eventually(async () => (await botMessages(page).count()) > shownBefore, 'the bot to hand over');
    assert.equal(await f.getByTestId('widget-bot-feedback').count(), 0, 'no buttons any more');
    assert.equal(await answer.getByTestId('widget-bot-solved-note').count(), 0, 'no "solved" line');

    const now = await eventually(async () => {
      const d = await detail(conv.id);
      return d.messages.some((m) => m.bot && m.bot.kind === 'summary') ? d : null;
    }, 'the bot\'s summary for the agents');
    assert.equal(now.conversation.status, 'queued');
    const handoff = now.messages.find((m) => m.bot && m.bot.kind === 'handoff');
    assert.ok(handoff && !handoff.private, 'the handoff is said to the customer');
    const summary = now.messages.find((m) => m.bot && m.bot.kind === 'summary');
    assert.equal(summary.private, true, 'the summary is a private note');
    assert.equal(now.messages.find((m) => m.bot && m.bot.kind === 'answer').bot.feedback, 'unsolved');
    await botMessages(page).filter({ hasText: handoff.body.split('\n')[0] }).waitFor();
    const shown = await f.getByTestId('widget-messages').innerText();
    assert.ok(!shown.includes(summary.body.split('\n')[0]), 'the customer never sees the summary');
    await noHorizontalScroll(page, 'the handoff', 360);
    await shot(page, '5-handoff');
  });

  test('a customer known to the shop, with an order: the greeting\'s 查进度 sends 我的订单到哪了？', async () => {
    const email = 'lilei@example.com';
    const secret = inbox.secret || (await agent.must('GET', `/api/inboxes/${inbox.id}`)).inbox.secret;
    const id = '10042';
    const user = { id, name: '李雷', email, hash: crypto.createHmac('sha256', secret).update(id).digest('hex') };
    // The customer has chatted before (on another device), then ordered.
    await agent.must('POST', '/api/widget/session', { inbox: inbox.public_token, user, locale: 'zh-CN' });
    await agent.must('POST', '/api/orders', {
      external_id: 'o-1234', contact: { email, name: '李雷' }, number: '1234', status: '已发货',
      items: [{ name: '明前龙井 250g', quantity: 1 }], carrier: '顺丰', tracking_number: 'SF1234567890',
    });
    const { page } = await customer(PHONE, `&user=${encodeURIComponent(JSON.stringify(user))}`);
    const f = frameOf(page);
    await openPanel(page, true);
    const greeting = f.getByTestId('widget-bot-greeting');
    await expectText(greeting, '1234');
    await expectText(greeting, '智能助手');
    const track = greeting.getByTestId('widget-bot-track');
    await expectText(track, '查进度');
    await fits(page, track, 'track it');
    await shot(page, '6-greeting');

    await track.tap();
    const mine = ownMessages(page, '我的订单到哪了？');
    await mine.waitFor();
    await eventually(async () => ['sent', 'delivered', 'read'].includes(await messageState(page, '我的订单到哪了？')),
      'the message to be acknowledged');
    assert.equal(await track.count(), 0, 'the button goes once used');
    assert.ok(await greeting.isVisible(), 'the greeting stays');
    const conv = await agent.conversationWith('我的订单到哪了？');
    const bodies = await agent.bodies(conv.id);
    assert.equal(bodies.filter((b) => b === '我的订单到哪了？').length, 1, 'sent once, as typed');
    const said = await greeting.locator('.bubble').innerText();
    assert.ok(!bodies.includes(said), 'the greeting is not stored');
  });

  test('the pages logged no errors', () => {
    // Failed requests while offline show as resource errors; anything else is a bug.
    assert.deepEqual(errors.filter((e) => !/Failed to load resource|ERR_INTERNET_DISCONNECTED|WebSocket connection/.test(e)), []);
  });
});
