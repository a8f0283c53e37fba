// The public help center (/help/<lang>/…) and the widget's help view, in
// Debian's chromium against the real server binary. The owner writes a small
// knowledge base over the API (two languages sharing external ids, and a
// draft); the reader browses it without logging in: the redirect to their
// language, the front page, an article's Markdown (and a <script> in it that
// must not survive), the language switch, a category, instant search, the
// search page without JavaScript, and the 404 page. Then the same articles in
// the chat widget on a shop's page, and the chat still working afterwards.
// The desktop reads in English, the phone in Chinese.
//
//   cargo build && cd tests/browser && KEFU_BIN=../../target/debug/kefu node --test help.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { eventually, expectText, screenshotsDir, sharedBrowser, startServer, stopServer, tapOrClick, VIEWPORTS } from './harness.mjs';
import { Agent, INBOX, frameHandle, frameOf, noHorizontalScroll, openPanel, OWNER, ownMessages, send, startShop } from './widget-kit.mjs';

const SHOTS = screenshotsDir('kefu-help-screens');
const browser = sharedBrowser(SHOTS);

const WIDE_TABLE = '| 方式 Method | 到账时间 Time | 说明 Notes |\n|---|---|---|\n'
  + `| 支付宝 Alipay | 1–3 天 days | ${'原路退回 back to the original account '.repeat(4)}|\n`
  + '| 订单号 Order | KF2024061100000000000000000000000000000042 | https://shop.example/orders/KF20240611000000000042 |\n';

// What the owner writes, per language; `refund` and `ship` exist in both.
const KB = {
  en: {
    category: 'Orders and refunds',
    refund: {
      title: 'How do I get a refund?',
      body: 'Refunds reach you within **three working days**.\n\n- Open your order\n- Tap *Refund*\n\n'
        + '<script>window.__kefuXss = 1</script>\n\n' + WIDE_TABLE,
    },
    ship: { title: 'When will my order ship?', body: 'Orders ship within 24 hours of payment.' },
    draft: { title: 'Secret winter sale', body: 'Not announced yet.' },
    instant: 'refund',
    bold: 'three working days',
  },
  'zh-CN': {
    category: '订单与退款',
    refund: {
      title: '如何申请退款？',
      body: '退款会在**三个工作日**内原路退回。\n\n- 打开订单\n- 点击“退款”\n\n'
        + '<script>window.__kefuXss = 1</script>\n\n' + WIDE_TABLE,
    },
    ship: { title: '订单什么时候发货？', body: '付款后24小时内发货。' },
    instant: '退款',
    bold: '三个工作日',
  },
};
const other = (lang) => (lang === 'en' ? 'zh-CN' : 'en');

let srv;
let agent;
let shop;
let inbox;
const ids = { en: {}, 'zh-CN': {} };
const categories = {};

before(async () => {
  srv = await startServer();
  agent = new Agent(srv.base);
  await agent.setup();
  await agent.availability('online');
  inbox = (await agent.must('POST', '/api/inboxes', INBOX, 201)).inbox;
  shop = await startShop(srv.base);
  for (const [locale, kb] of Object.entries(KB)) {
    const cat = await agent.must('POST', '/api/kb/categories', { locale, name: kb.category }, 201);
    categories[locale] = cat.id;
    for (const key of ['refund', 'ship', 'draft']) {
      if (!kb[key]) continue;
      const created = await agent.must('POST', '/api/kb/articles', {
        category_id: cat.id, locale, external_id: key === 'draft' ? null : key, title: kb[key].title,
        body: kb[key].body, questions: [], keywords: [], status: key === 'draft' ? 'draft' : 'published',
      }, 201);
      ids[locale][key] = created.id;
    }
  }
});

after(async () => {
  if (shop) shop.server.close();
  await stopServer(srv);
});

/** No sideways scrolling: everything fits the phone's width. */
async function fits(page, where) {
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= inner, `horizontal scroll (${where}): ${scroll} > ${inner}`);
}

for (const vp of VIEWPORTS) {
  describe(`help center on ${vp.name}`, () => {
    const phone = vp.name === 'phone';
    const lang = vp.locale === 'zh-CN' ? 'zh-CN' : 'en';
    const kb = KB[lang];
    let context;
    let page;
    const pageErrors = [];

    before(async () => {
      context = await browser().newContext({ ...vp.options, locale: vp.locale });
      page = await context.newPage();
      page.setDefaultTimeout(10_000);
      page.on('console', (msg) => {
        // The 404 page's own status is expected; anything else (a CSP refusal…) is not.
        if (msg.type() === 'error' && !/status of 404/.test(msg.text())) pageErrors.push(msg.text());
      });
      page.on('pageerror', (err) => pageErrors.push(String(err)));
    });

    after(async () => {
      if (context) await context.close();
    });

    const shot = (name, p = page) => p.screenshot({ path: path.join(SHOTS, `help-${vp.name}-${name}.png`), fullPage: true });
    const url = () => new URL(page.url()).pathname;

    test('/help goes to the reader\'s language; the front page lists what is published', async () => {
      await page.goto(`${srv.base}/help`);
      assert.equal(url(), `/help/${lang}`);
      assert.equal(await page.locator('html').getAttribute('lang'), lang);
      await expectText(page.locator('.top'), OWNER.shop_name);
      const section = page.getByTestId('help-section');
      await expectText(section, kb.category);
      const text = await page.locator('main').innerText();
      assert.ok(text.includes(kb.refund.title) && text.includes(kb.ship.title), text);
      assert.ok(!text.includes(KB.en.draft.title), 'the draft is not listed');
      assert.ok(!text.includes(KB[other(lang)].refund.title), 'the other language is not listed');
      if (phone) await fits(page, 'front page');
      await shot('1-home');
    });

    test('an article shows its Markdown, without the script, and links to its translation', async () => {
      await tapOrClick(page.getByRole('link', { name: kb.refund.title }), phone);
      await page.waitForURL(`**/help/${lang}/articles/${ids[lang].refund}`);
      await expectText(page.getByTestId('help-title'), kb.refund.title);
      const body = page.getByTestId('help-body');
      assert.equal(await body.locator('strong').innerText(), kb.bold);
      assert.equal(await body.locator('li').count(), 2);
      assert.equal(await body.locator('table').count(), 1);
      assert.equal(await page.locator('script:not([src])').count(), 0, 'no inline script at all');
      assert.ok(!(await page.content()).includes('__kefuXss'), 'the script is gone from the page');
      assert.equal(await page.evaluate(() => window.__kefuXss), undefined);
      assert.equal(await page.title(), `${kb.refund.title} · ${OWNER.shop_name}`);
      const translation = `/help/${other(lang)}/articles/${ids[other(lang)].refund}`;
      assert.equal(await page.locator(`link[rel="alternate"][hreflang="${other(lang)}"]`).getAttribute('href'), translation);
      const related = page.locator('.related');
      await expectText(related, kb.ship.title);
      if (phone) await fits(page, 'article with a wide table');
      await shot('2-article');

      await tapOrClick(page.getByTestId('help-lang'), phone);
      await page.waitForURL(`**${translation}`);
      await expectText(page.getByTestId('help-title'), KB[other(lang)].refund.title);
      assert.equal(await page.locator('html').getAttribute('lang'), other(lang));
      await page.goBack();
      await expectText(page.getByTestId('help-title'), kb.refund.title);
    });

    test('the breadcrumb leads to the category page, which lists its articles', async () => {
      await tapOrClick(page.locator('.crumbs').getByRole('link', { name: kb.category }), phone);
      await page.waitForURL(`**/help/${lang}/categories/${categories[lang]}`);
      await expectText(page.locator('h1'), kb.category);
      const list = page.getByTestId('help-category');
      await expectText(list, kb.refund.title);
      await expectText(list, kb.ship.title);
      assert.equal(await list.locator('li').count(), 2, 'no draft');
      if (phone) await fits(page, 'category');
    });

    test('instant search: a two-character Chinese query, an English word, then open a result', async () => {
      await page.goto(`${srv.base}/help/${lang}`);
      const box = page.getByTestId('help-search');
      const hits = page.getByTestId('help-instant-hit');
      await box.fill('退款');
      await expectText(hits.first(), kb.refund.title);
      await box.fill('xyzzy qwerty');
      await expectText(page.getByTestId('help-instant'), phone ? '没有找到相关文章' : 'No articles match');
      assert.equal(await hits.count(), 0);
      await box.fill('refund');
      await expectText(hits.first(), kb.refund.title);
      assert.equal(await box.getAttribute('aria-expanded'), 'true');
      if (phone) await fits(page, 'instant results');
      await shot('3-instant');
      if (phone) {
        await hits.first().tap();
      } else {
        // The keyboard: down to the first result, Enter opens it.
        await box.press('ArrowDown');
        assert.equal(await box.getAttribute('aria-activedescendant'), 'hc-opt-0');
        await box.press('Enter');
      }
      await page.waitForURL(`**/help/${lang}/articles/${ids[lang].refund}`);
      await expectText(page.getByTestId('help-title'), kb.refund.title);
    });

    test('the search page works without JavaScript', async () => {
      const plain = await browser().newContext({ ...vp.options, locale: vp.locale, javaScriptEnabled: false });
      try {
        const p = await plain.newPage();
        await p.goto(`${srv.base}/help/${lang}`);
        await p.getByTestId('help-search').fill(kb.instant);
        await p.getByTestId('help-search').press('Enter');
        await p.waitForURL(`**/help/${lang}/search?q=${encodeURIComponent(kb.instant)}`);
        await expectText(p.getByTestId('help-results'), kb.refund.title);
        await p.goto(`${srv.base}/help/en/search?q=refund`);
        await expectText(p.getByTestId('help-results'), KB.en.refund.title);
        assert.equal(await p.getByTestId('help-search').inputValue(), 'refund', 'the box keeps the question');
        await p.goto(`${srv.base}/help/en/search?q=xyzzy`);
        await p.getByTestId('help-no-results').waitFor();
        if (phone) await fits(p, 'search page');
        await shot('4-search', p);
      } finally {
        await plain.close();
      }
    });

    test('unknown articles and drafts are a 404 page', async () => {
      for (const id of [999999, ids.en.draft]) {
        const res = await page.goto(`${srv.base}/help/${lang}/articles/${id}`);
        assert.equal(res.status(), 404, `article ${id}`);
        await page.getByTestId('help-missing').waitFor();
        assert.ok(!(await page.content()).includes(KB.en.draft.body), 'nothing of the draft');
      }
      if (phone) await fits(page, '404');
      await shot('5-missing');
      // An unknown language answers in the reader's own.
      assert.equal((await page.goto(`${srv.base}/help/fr`)).status(), 404);
      await tapOrClick(page.getByTestId('help-missing').getByRole('link'), phone);
      await page.waitForURL(`**/help/${lang}`);
      assert.deepEqual(pageErrors, [], 'no errors in the console (CSP included)');
    });
  });

  describe(`widget help view on ${vp.name}`, () => {
    const phone = vp.name === 'phone';
    const width = vp.options.viewport.width;
    const lang = vp.locale === 'zh-CN' ? 'zh-CN' : 'en';
    const kb = KB[lang];
    let context;
    let page;
    const pageErrors = [];

    before(async () => {
      context = await browser().newContext({ ...vp.options, locale: vp.locale });
      page = await context.newPage();
      page.setDefaultTimeout(10_000);
      // The shop's missing favicon is its own business; kefu's answers must all be fine.
      page.on('console', (msg) => {
        if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) pageErrors.push(msg.text());
      });
      page.on('response', (res) => {
        if (res.status() >= 400 && res.url().startsWith(srv.base)) pageErrors.push(`${res.status()} ${res.url()}`);
      });
      page.on('pageerror', (err) => pageErrors.push(String(err)));
    });

    after(async () => {
      if (context) await context.close();
    });

    const shot = (name) => page.screenshot({ path: path.join(SHOTS, `help-widget-${vp.name}-${name}.png`) });

    test('search, read an article, go back, and chat on with the draft intact', async () => {
      await page.goto(`${shop.base}/?inbox=${inbox.public_token}`);
      await openPanel(page, phone);
      const f = frameOf(page);
      const draft = phone ? '我的退款还没到' : 'My refund has not arrived';
      await f.getByTestId('widget-input').fill(draft);

      const open = f.getByTestId('widget-help-open');
      assert.equal(await open.getAttribute('aria-label'), phone ? '帮助文章' : 'Help articles');
      await tapOrClick(open, phone);
      await f.getByTestId('widget-help').waitFor();
      assert.equal(await f.getByTestId('widget-input').isVisible(), false, 'the chat is covered');
      const search = f.getByTestId('widget-help-search');
      await search.fill('xyzzy qwerty');
      await expectText(f.getByTestId('widget-help-status'), phone ? '没有找到相关文章' : 'No articles found');
      await search.fill(kb.instant);
      const hit = f.getByTestId('widget-help-hit').first();
      await expectText(hit, kb.refund.title);
      await shot('1-results');

      await tapOrClick(hit, phone);
      const article = f.getByTestId('widget-help-article');
      await expectText(f.getByTestId('widget-help-title'), kb.refund.title);
      const body = f.getByTestId('widget-help-body');
      assert.equal(await body.locator('strong').innerText(), kb.bold);
      assert.equal(await body.locator('li').count(), 2);
      assert.equal(await body.locator('script').count(), 0);
      assert.equal(await frameHandle(page).evaluate(() => window.__kefuXss), undefined);
      assert.equal(await f.getByTestId('widget-help-newtab').getAttribute('href'),
        `${srv.base}/help/${lang}/articles/${ids[lang].refund}`);
      await expectText(article, kb.ship.title); // related
      if (phone) await noHorizontalScroll(page, 'help article', width);
      await shot('2-article');

      await tapOrClick(f.getByTestId('widget-help-back'), phone);
      await article.waitFor({ state: 'hidden' });
      await expectText(f.getByTestId('widget-help-hit').first(), kb.refund.title);
      assert.equal(await search.inputValue(), kb.instant, 'the search is still there');

      await tapOrClick(f.getByTestId('widget-help-chat'), phone);
      await f.getByTestId('widget-help').waitFor({ state: 'hidden' });
      assert.equal(await f.getByTestId('widget-input').inputValue(), draft, 'the draft survived');
      await send(page, draft, phone);
      await ownMessages(page, draft).waitFor();
      const conv = await agent.conversationWith(draft);
      assert.ok(conv.id, 'the agent has the message');

      // The help view is one tap away at any time; a reply that comes while
      // the customer reads is announced on the way back, and read only there.
      await tapOrClick(open, phone);
      await expectText(f.getByTestId('widget-help-hit').first(), kb.refund.title);
      const reply = phone ? '已经在处理了' : 'We are on it';
      await agent.must('POST', `/api/conversations/${conv.id}/messages`, { body: reply }, 201);
      await expectText(f.getByTestId('widget-help-unread'), '1');
      const delivery = async () => (await agent.must('GET', `/api/conversations/${conv.id}`))
        .messages.find((m) => m.body === reply).delivery;
      assert.notEqual(await delivery(), 'read', 'not read while the help view covers it');
      await shot('3-reply-while-reading');
      await tapOrClick(open, phone);
      await expectText(f.locator('[data-testid="widget-msg"][data-sender="agent"]', { hasText: reply }), reply);
      assert.equal(await ownMessages(page, draft).count(), 1);
      await eventually(async () => (await delivery()) === 'read', 'kefu to learn the reply was read');
      assert.deepEqual(pageErrors, [], 'no errors in the console (CSP included)');
    });
  });
}
