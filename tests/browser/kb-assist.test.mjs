// Suggested articles in a conversation, in Debian's chromium against the real
// server: a customer writes through the widget's HTTP API, the agent sees the
// knowledge base article that answers it over the reply box (open on the
// desktop, one line on the phone until tapped), Insert puts its plain text and
// its public link in the reply box without sending, the agent edits and sends;
// a new message on another topic brings other suggestions live, and a message
// nothing matches, or a picture alone, hides them. Desktop in English, the
// phone in Chinese; what is sent is checked on the server.
//
//   cargo build && cd tests/browser && KEFU_BIN=../../target/debug/kefu node --test kb-assist.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  apiGet, apiOk, eventually, expectHash, expectText, screenshotsDir, sharedBrowser, startServer, stopServer,
  tapOrClick, VIEWPORTS,
} from './harness.mjs';

const SHOTS = screenshotsDir('kefu-kb-assist-screens');
const OWNER = { shop_name: '小王的店', name: '王小明', email: 'wang@example.com', password: 'green-tea-and-rice-cakes-7' };
const REFUND = {
  title: '退款多久到账',
  body: '退款会在**三个工作日**内原路退回。\n\n- 微信支付：退回零钱\n- 银行卡：以银行为准',
  questions: ['退款多久能到账', '钱什么时候退回来'],
};
const SHIPPING = {
  title: '下单后多久发货', body: '付款后 **48 小时**内发货，节假日顺延。', questions: ['什么时候发货', '多久能发货'],
};
const ASK_REFUND = '退款多久能到账';
const ASK_SHIPPING = '你好，请问什么时候发货？';
const ASK_NOTHING = '今天天气怎么样';
const TEXT = {
  'en-US': { one: '1 suggested article', insert: 'Insert' },
  'zh-CN': { one: '1 篇推荐文章', insert: '插入' },
};
// A 1×1 PNG: a message that is only a picture.
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/** The customer's side: the widget's HTTP API, no browser. */
async function visitor(base, method, apiPath, token, body, type = 'application/json') {
  const headers = { 'Content-Type': type, ...(token ? { 'X-Kefu-Visitor': token } : {}) };
  const data = body === undefined || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const res = await fetch(`${base}${apiPath}`, { method, headers, body: data });
  const text = await res.text();
  assert.ok(res.status < 300, `${method} ${apiPath}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const browser = sharedBrowser(SHOTS);

for (const vp of VIEWPORTS) {
  describe(`suggested articles on ${vp.name}`, () => {
    const phone = vp.name === 'phone';
    const L = TEXT[vp.locale];
    let srv;
    let context;
    let page;
    let visitorToken;
    let convId;
    let sent = 0;
    const ids = {};
    const errors = [];
    const shot = (name) => page.screenshot({ path: path.join(SHOTS, `kb-assist-${vp.name}-${name}.png`) });
    const tap = (locator) => tapOrClick(locator, phone);
    const strip = () => page.getByTestId('kb-assist');
    const reply = () => page.getByTestId('reply-input');
    const shownIds = () => page.getByTestId('kb-assist-hit').evaluateAll((els) => els.map((e) => Number(e.dataset.articleId)));
    /** The customer writes; resolves once the agent's thread shows it. */
    const customerWrites = async (body, attachmentId) => {
      sent += 1;
      const payload = { client_id: `c-${sent}`, body };
      if (attachmentId) payload.attachment_id = attachmentId;
      const r = await visitor(srv.base, 'POST', '/api/widget/messages', visitorToken, payload);
      convId = r.conversation.id;
      return r.message.id;
    };
    const waitForMessage = (id) => page.locator(`[data-testid="msg-contact"][data-message-id="${id}"]`).waitFor();
    /** What Insert should put in the reply box for article `id`. */
    const insertText = async (id) => {
      const a = await apiGet(page, `/api/kb/articles/${id}`);
      return `${a.body_text.trim()}\n\n${srv.base}/help/${a.locale}/articles/${id}`;
    };
    /** The strip answers message `messageId`; on the phone, opened. Resolves to the article ids shown. */
    const suggestionsFor = async (messageId) => {
      await page.locator(`[data-testid="kb-assist"][data-message-id="${messageId}"]`).waitFor();
      if (phone && (await page.getByTestId('kb-assist-toggle').getAttribute('aria-expanded')) !== 'true') {
        await tap(page.getByTestId('kb-assist-toggle'));
      }
      await page.getByTestId('kb-assist-list').waitFor();
      return shownIds();
    };
    const noHorizontalScroll = async (where) => {
      const w = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(w <= 375, `horizontal scroll on ${where}: scrollWidth ${w} > 375`);
    };

    before(async () => {
      srv = await startServer();
      context = await browser().newContext({ ...vp.options, baseURL: srv.base, locale: vp.locale });
      page = await context.newPage();
      page.setDefaultTimeout(10_000);
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (err) => errors.push(String(err)));
    });
    after(async () => {
      if (context) await context.close();
      await stopServer(srv);
    });

    test('setup: the owner, a web inbox, two published articles and a draft', async () => {
      const setup = await page.request.post('/api/setup', { data: OWNER });
      assert.equal(setup.status(), 201, await setup.text());
      await page.goto('/');
      await expectHash(page, '#/inbox');
      const inbox = (await apiOk(page, 'POST', '/api/inboxes', { name: '小王的店 · 网站' })).inbox;
      const article = async (a, status = 'published') => (await apiOk(page, 'POST', '/api/kb/articles', {
        category_id: null, locale: 'zh-CN', external_id: null, keywords: [], inbox_ids: null, status, ...a })).id;
      ids.refund = await article(REFUND);
      ids.shipping = await article(SHIPPING);
      ids.draft = await article({ title: '退款草稿', body: '还没写好', questions: [ASK_REFUND] }, 'draft');
      // What the strip relies on, as the server sees it.
      const top = async (q) => (await apiGet(page, `/api/kb/search?q=${encodeURIComponent(q)}&locale=zh-CN&limit=3`)).hits
        .filter((h) => h.confidence >= 0.4).map((h) => h.article_id);
      assert.equal((await top(ASK_REFUND))[0], ids.refund);
      assert.equal((await top(ASK_SHIPPING))[0], ids.shipping);
      assert.deepEqual(await top(ASK_NOTHING), [], `nothing matches “${ASK_NOTHING}”`);

      const s = await visitor(srv.base, 'POST', '/api/widget/session', null, { inbox: inbox.public_token, locale: 'zh-CN' });
      visitorToken = s.visitor_token;
    });

    test('a customer asks about a refund: the agent sees the article over the reply box', async () => {
      const first = await customerWrites(ASK_REFUND);
      await page.evaluate((id) => { location.hash = `#/inbox/${id}`; }, convId);
      await expectHash(page, `#/inbox/${convId}`);
      await page.locator('[data-testid="inbox"][data-live="on"]').waitFor();
      await waitForMessage(first);
      await page.locator(`[data-testid="kb-assist"][data-message-id="${first}"]`).waitFor();
      await expectText(page.getByTestId('kb-assist-label'), L.one);
      if (phone) {
        // One line, closed: the reply box keeps its room.
        assert.equal(await page.getByTestId('kb-assist-toggle').getAttribute('aria-expanded'), 'false');
        assert.ok(await page.getByTestId('kb-assist-list').isHidden(), 'closed on the phone');
        const box = await strip().boundingBox();
        assert.ok(box.height <= 48, `one line on the phone: ${box.height}px`);
        const input = await reply().boundingBox();
        assert.ok(input.y + input.height <= 667 && input.y > box.y, 'the reply box is still under it, on screen');
        await noHorizontalScroll('the conversation with its suggestion');
        await shot('1-closed');
      } else {
        assert.equal(await page.getByTestId('kb-assist-toggle').getAttribute('aria-expanded'), 'true', 'open on the desktop');
      }
      assert.deepEqual(await suggestionsFor(first), [ids.refund], 'the published article, not the draft');
      const hit = page.getByTestId('kb-assist-hit').first();
      await expectText(hit.getByTestId('kb-assist-title'), REFUND.title);
      await expectText(hit.getByTestId('kb-assist-snippet'), '三个工作日');
      assert.equal(await hit.getByTestId('kb-assist-title').getAttribute('href'), `#/kb/articles/${ids.refund}`);
      assert.equal(await hit.getByTestId('kb-assist-title').getAttribute('target'), '_blank', 'the conversation stays');
      // The snippet is one line, cut with an ellipsis.
      const snippet = await hit.getByTestId('kb-assist-snippet').evaluate((el) => {
        const cs = getComputedStyle(el);
        return { wrap: cs.whiteSpace, cut: cs.textOverflow, h: el.getBoundingClientRect().height };
      });
      assert.deepEqual([snippet.wrap, snippet.cut], ['nowrap', 'ellipsis']);
      assert.ok(snippet.h < 24, `one line: ${snippet.h}px`);
      if (phone) await noHorizontalScroll('the open suggestions');
      await shot('2-open');
    });

    test('Insert puts the answer and its link in the reply box, nothing is sent; the agent edits and sends', async () => {
      const expected = await insertText(ids.refund);
      assert.ok(!expected.includes('**'), 'plain text, no Markdown');
      await reply().fill('您好，');
      const hit = page.getByTestId('kb-assist-hit').first();
      await expectText(hit.getByTestId('kb-assist-insert'), L.insert);
      await tap(hit.getByTestId('kb-assist-insert'));
      await eventually(async () => (await reply().inputValue()) === `您好，\n\n${expected}`,
        'the answer after what was typed, a blank line between');
      assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.dataset.testid),
        'reply-input', 'the reply box has the focus');
      const detail = await apiGet(page, `/api/conversations/${convId}`);
      assert.ok(!detail.messages.some((m) => m.sender === 'agent'), 'nothing was sent');
      const link = await page.request.get(`${srv.base}/help/zh-CN/articles/${ids.refund}`);
      assert.equal(link.status(), 200, 'the link is the public page');
      if (phone) {
        assert.ok(await page.getByTestId('kb-assist-list').isHidden(), 'closed again for the keyboard');
        await noHorizontalScroll('the reply box with an article');
      }
      await shot('3-inserted');

      // The caret is at the end: the agent adds a line and sends.
      await page.keyboard.insertText('\n祝您购物愉快！');
      const body = `您好，\n\n${expected}\n祝您购物愉快！`;
      if (phone) await tap(page.getByTestId('reply-send'));
      else await reply().press('Enter');
      await page.getByTestId('msg-agent').filter({ hasText: '祝您购物愉快' }).waitFor();
      const seen = await visitor(srv.base, 'GET', '/api/widget/messages?after=0', visitorToken);
      assert.deepEqual(seen.messages.filter((m) => m.sender === 'agent').map((m) => m.body), [body],
        'the customer got the edited answer, once');
      assert.equal(await reply().inputValue(), '');
    });

    test('a message on another topic brings other suggestions, live', async () => {
      const second = await customerWrites(ASK_SHIPPING);
      await waitForMessage(second);
      const shown = await suggestionsFor(second);
      assert.equal(shown[0], ids.shipping, `the shipping article first: ${shown}`);
      assert.ok(!shown.includes(ids.refund), 'the refund article is gone');
      const expected = await insertText(ids.shipping);
      await tap(page.getByTestId('kb-assist-hit').first().getByTestId('kb-assist-insert'));
      await eventually(async () => (await reply().inputValue()) === expected, 'an empty reply box gets the answer alone');
      await reply().fill('');
      await shot('4-other-topic');
    });

    test('a message nothing matches, or a picture alone, hides the suggestions', async () => {
      const third = await customerWrites(ASK_NOTHING);
      await waitForMessage(third);
      await strip().waitFor({ state: 'hidden' });

      await suggestionsFor(await customerWrites(ASK_SHIPPING));
      const image = await visitor(srv.base, 'POST', '/api/widget/attachments', visitorToken, PIXEL, 'image/png');
      const picture = await customerWrites('', image.id);
      await waitForMessage(picture);
      await strip().waitFor({ state: 'hidden' });
      await shot('5-hidden');
    });

    test('the page logged no errors', () => {
      assert.deepEqual(errors, []);
    });
  });
}
