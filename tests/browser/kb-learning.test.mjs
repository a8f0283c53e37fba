// The bot in the chat learns, in Debian's chromium against the real server: the
// owner switches the bot on for a web inbox in Settings (a handoff word that is too
// long is refused beside the field), a customer asks over the widget's HTTP API a
// question no article answers, twice, and the bot hands over with a summary for
// the agents (tagged in the thread); the agent answers in the console. The
// knowledge base then shows the question among the top unanswered (with how many
// times it was asked, and a link that opens a prefilled new article), the question
// and the answer as a suggestion that becomes a new article (after which the search
// and the bot find it), and the bot outcomes (one handed off, 100 %). An agent who
// is not an admin sees the suggestions without the buttons. Desktop in English
// (driven from the keyboard where it matters), a 390 px phone in Chinese; every
// change is checked on the server.
//
//   cargo build --bin kefu && cd tests/browser && KEFU_BIN=../../target/debug/kefu node --test kb-learning.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  apiGet, apiOk, eventually, expectHash, expectText, screenshotsDir, sharedBrowser, startServer, stopServer,
  tapOrClick,
} from './harness.mjs';

const SHOTS = screenshotsDir('kefu-kb-learning-screens');
const OWNER = { shop_name: '小王的店', name: '王小明', email: 'wang@example.com', password: 'green-tea-and-rice-cakes-7' };
const AGENT = { email: 'li@example.com', name: '李娜', password: 'oolong-and-jasmine-42' };
const SHIPPING = {
  title: '下单后多久发货', body: '付款后 **48 小时**内发货，节假日顺延。', questions: ['什么时候发货', '多久能发货'],
};
// Nothing in the knowledge base is about invoices.
const QUESTION = '可以开增值税专用发票吗';
const ANSWER = '可以的，下单时在备注里写上公司抬头和税号，我们会随货寄出专用发票。';
const WORDS_TYPED = '找真人，人工客服\n找店长';
const WORDS = ['找真人', '人工客服', '找店长'];
const TOO_LONG = '请'.repeat(41);
const VIEWPORTS = [
  { name: 'desktop', locale: 'en-US', width: 1280, options: { viewport: { width: 1280, height: 800 } } },
  { name: 'phone', locale: 'zh-CN', width: 390,
    options: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } },
];
const TEXT = {
  'en-US': { summary: 'Bot summary', explain: 'add up to 100 %', readonly: 'Admins add suggestions' },
  'zh-CN': { summary: '机器人摘要', explain: '加起来是 100%', readonly: '建议由管理员' },
};

/** The customer's side: the widget's HTTP API, no browser. */
async function visitor(base, method, apiPath, token, body) {
  const headers = { 'Content-Type': 'application/json', ...(token ? { 'X-Kefu-Visitor': token } : {}) };
  const res = await fetch(`${base}${apiPath}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  assert.ok(res.status < 300, `${method} ${apiPath}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const browser = sharedBrowser(SHOTS);

for (const vp of VIEWPORTS) {
  describe(`the bot learns, on ${vp.name}`, () => {
    const phone = vp.name === 'phone';
    const L = TEXT[vp.locale];
    let srv;
    let context;
    let page;
    let inbox;
    let visitorToken;
    let convId;
    let articleId;
    const errors = [];
    const shot = (p, name) => p.screenshot({ path: path.join(SHOTS, `kb-learning-${vp.name}-${name}.png`), fullPage: true });
    const tap = (locator) => tapOrClick(locator, phone);
    const watch = (p) => {
      p.setDefaultTimeout(10_000);
      p.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      p.on('pageerror', (err) => errors.push(String(err)));
    };
    const fits = async (p, where) => {
      const w = await p.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(w <= vp.width, `horizontal scroll on ${where}: scrollWidth ${w} > ${vp.width}`);
    };
    const botKinds = async () => (await visitor(srv.base, 'GET', '/api/widget/messages?after=0', visitorToken)).messages
      .filter((m) => m.sender === 'bot').map((m) => m.bot && m.bot.kind);
    const openKbTab = async (key, hash) => {
      if (!(await page.getByTestId('kb-tabs').isVisible().catch(() => false))) {
        // A phone shows no tab bar inside a conversation.
        if (await page.getByTestId('nav-kb').isVisible()) await tap(page.getByTestId('nav-kb'));
        else await page.evaluate(() => { location.hash = '#/kb'; });
        await expectHash(page, '#/kb');
      }
      await tap(page.getByTestId(`kb-tab-${key}`));
      await expectHash(page, hash);
      await page.locator(`[data-testid="kb-tab-${key}"][aria-current="page"]`).waitFor();
    };

    before(async () => {
      srv = await startServer();
      context = await browser().newContext({ ...vp.options, baseURL: srv.base, locale: vp.locale });
      page = await context.newPage();
      watch(page);
    });
    after(async () => {
      if (context) await context.close();
      await stopServer(srv);
    });

    test('setup: the owner, a web inbox and one article about shipping', async () => {
      const setup = await page.request.post('/api/setup', { data: OWNER });
      assert.equal(setup.status(), 201, await setup.text());
      await page.goto('/');
      await expectHash(page, '#/inbox');
      inbox = (await apiOk(page, 'POST', '/api/inboxes', { name: '小王的店 · 网站' })).inbox;
      assert.equal(inbox.bot_enabled, false, 'a new inbox starts without the bot');
      await apiOk(page, 'POST', '/api/kb/articles', { category_id: null, locale: 'zh-CN', external_id: null, keywords: [],
        inbox_ids: null, status: 'published', ...SHIPPING });
      const r = await apiOk(page, 'POST', '/api/bot/answer', { text: QUESTION, locale: 'zh-CN' });
      assert.equal(r.decision, 'handoff', `no article answers “${QUESTION}”: ${JSON.stringify(r)}`);
    });

    test('Settings → Inboxes: the bot is switched on, a bad handoff word is refused beside the field', async () => {
      await tap(page.getByTestId('nav-settings'));
      await tap(page.getByTestId('settings-tab-inboxes'));
      await expectHash(page, '#/settings/inboxes');
      const card = page.locator(`[data-testid="inbox-row"][data-inbox-id="${inbox.id}"]`);
      assert.equal(await card.getByTestId('inbox-bot-state').getAttribute('data-on'), 'false');
      await tap(card.getByTestId('inbox-edit'));
      const dialog = page.getByTestId('inbox-dialog');
      await dialog.waitFor();
      const enabled = dialog.getByTestId('inbox-bot-enabled');
      assert.equal(await enabled.isChecked(), false);
      if (phone) {
        await enabled.tap();
      } else {
        // From the keyboard: the switch takes the focus and Space flips it.
        await enabled.focus();
        await page.keyboard.press('Space');
      }
      assert.equal(await enabled.isChecked(), true);
      const words = dialog.getByTestId('inbox-handoff-words');
      await words.fill(`${WORDS_TYPED}\n${TOO_LONG}`);
      await tap(dialog.getByTestId('inbox-form-submit'));
      await dialog.getByTestId('inbox-handoff-words-error').waitFor();
      assert.equal(await words.getAttribute('aria-invalid'), 'true');
      await dialog.getByTestId('form-error').waitFor();
      if (phone) await fits(page, 'the inbox dialog with the bot block');
      await shot(page, '1-refused');
      let saved = (await apiGet(page, `/api/inboxes/${inbox.id}`)).inbox;
      assert.equal(saved.bot_enabled, false, 'nothing was saved');

      await words.fill(WORDS_TYPED);
      assert.equal(await words.getAttribute('aria-invalid'), null, 'typing clears the mark');
      await tap(dialog.getByTestId('inbox-form-submit'));
      await dialog.waitFor({ state: 'detached' });
      saved = (await apiGet(page, `/api/inboxes/${inbox.id}`)).inbox;
      assert.equal(saved.bot_enabled, true);
      assert.deepEqual(saved.handoff_words, WORDS);
      await eventually(async () => (await card.getByTestId('inbox-bot-state').getAttribute('data-on')) === 'true',
        'the card says the bot is on');

      // Opened again, the block shows what was saved.
      await tap(card.getByTestId('inbox-edit'));
      await dialog.waitFor();
      assert.equal(await dialog.getByTestId('inbox-bot-enabled').isChecked(), true);
      assert.equal(await dialog.getByTestId('inbox-handoff-words').inputValue(), WORDS.join('\n'));
      await tap(dialog.getByTestId('dialog-close'));
      await dialog.waitFor({ state: 'detached' });
    });

    test('a customer asks twice what no article answers: the bot hands over with a summary', async () => {
      const s = await visitor(srv.base, 'POST', '/api/widget/session', null, { inbox: inbox.public_token, locale: 'zh-CN' });
      visitorToken = s.visitor_token;
      const first = await visitor(srv.base, 'POST', '/api/widget/messages', visitorToken, { client_id: 'q-1', body: QUESTION });
      convId = first.conversation.id;
      await eventually(async () => (await botKinds()).length >= 1, 'the bot answers the first message');
      assert.deepEqual(await botKinds(), ['retry'], 'unanswered once: the bot asks to put it another way');
      await visitor(srv.base, 'POST', '/api/widget/messages', visitorToken, { client_id: 'q-2', body: QUESTION });
      await eventually(async () => (await botKinds()).includes('handoff'), 'the bot hands over');
      assert.deepEqual(await botKinds(), ['retry', 'handoff']);
      const seen = await visitor(srv.base, 'GET', '/api/widget/messages?after=0', visitorToken);
      assert.ok(!seen.messages.some((m) => m.private || (m.bot && m.bot.kind === 'summary')), 'the customer never sees the summary');

      const detail = await apiGet(page, `/api/conversations/${convId}`);
      const summary = detail.messages.find((m) => m.bot && m.bot.kind === 'summary');
      assert.ok(summary, 'the agents get a summary');
      assert.equal(summary.private, true);
      assert.equal(detail.conversation.status, 'queued', 'a person takes over');
    });

    test('the agent sees the tagged summary and answers in the console', async () => {
      await page.evaluate((id) => { location.hash = `#/inbox/${id}`; }, convId);
      await expectHash(page, `#/inbox/${convId}`);
      await page.locator('[data-testid="inbox"][data-live="on"]').waitFor();
      const note = page.getByTestId('msg-note').filter({ has: page.getByTestId('msg-bot-summary') });
      await expectText(note.getByTestId('msg-bot-summary'), L.summary);
      assert.equal(await page.getByTestId('msg-bot-summary').count(), 1, 'only the summary is tagged');
      await eventually(async () => (await page.getByTestId('msg-contact').filter({ hasText: QUESTION }).count()) === 2,
        'both questions in the thread');
      const reply = page.getByTestId('reply-input');
      await reply.fill(ANSWER);
      if (phone) await tap(page.getByTestId('reply-send'));
      else await reply.press('Enter');
      await page.getByTestId('msg-agent').filter({ hasText: ANSWER }).waitFor();
      const seen = await visitor(srv.base, 'GET', '/api/widget/messages?after=0', visitorToken);
      assert.deepEqual(seen.messages.filter((m) => m.sender === 'agent').map((m) => m.body), [ANSWER]);
      if (phone) await fits(page, 'the conversation');
      await shot(page, '2-thread');
    });

    test('Top unanswered lists the question with its count; its link opens a prefilled article', async () => {
      await openKbTab('unanswered', '#/kb/unanswered');
      const api = await apiGet(page, '/api/kb/unanswered?days=30');
      const mine = api.groups.find((g) => g.question === QUESTION);
      assert.ok(mine, `the question is among the unanswered: ${JSON.stringify(api.groups)}`);
      assert.equal(mine.count, 2, 'asked twice, unanswered twice');
      const group = page.getByTestId('kb-unanswered-group').filter({ hasText: QUESTION });
      await expectText(group.getByTestId('kb-unanswered-question'), QUESTION);
      assert.equal(await group.getAttribute('data-count'), '2');
      await expectText(group.getByTestId('kb-unanswered-count'), '2');
      assert.equal(await page.getByTestId('kb-unanswered').getAttribute('data-days'), '30');

      // Another period asks the server again.
      await tap(page.getByTestId('kb-unanswered-days-7'));
      await page.locator('[data-testid="kb-unanswered"][data-days="7"]:not([aria-busy])').waitFor();
      assert.equal(await page.getByTestId('kb-unanswered-days-7').getAttribute('aria-pressed'), 'true');
      await group.waitFor();
      if (phone) await fits(page, 'top unanswered');
      await shot(page, '3-unanswered');

      await tap(group.getByTestId('kb-unanswered-write'));
      await page.waitForURL((u) => new URL(u).hash.startsWith('#/kb/articles/new?'));
      await page.getByTestId('kb-form').waitFor();
      assert.equal(await page.getByTestId('kb-title').inputValue(), QUESTION);
      assert.equal(await page.locator('[data-testid="kb-locale-zh-CN"] input').isChecked(), true);
      if (phone) await fits(page, 'the prefilled article');
      // Nothing typed yet: leaving does not ask.
      await tap(page.getByTestId('kb-cancel'));
      await expectHash(page, '#/kb');
      assert.equal((await apiGet(page, '/api/kb/articles')).articles.length, 1, 'no article was made');
    });

    test('the suggestion becomes a new article, and the question now finds it', async () => {
      await openKbTab('suggestions', '#/kb/suggestions');
      const pending = (await apiGet(page, '/api/kb/suggestions?status=pending')).suggestions;
      assert.equal(pending.length, 1, JSON.stringify(pending));
      assert.deepEqual([pending[0].question, pending[0].answer, pending[0].conversation_id], [QUESTION, ANSWER, convId]);
      await expectText(page.getByTestId('kb-tab-suggestions-count'), '1');
      const card = page.locator(`[data-testid="kb-suggestion"][data-suggestion-id="${pending[0].id}"]`);
      await expectText(card.getByTestId('kb-suggestion-question'), QUESTION);
      await expectText(card.getByTestId('kb-suggestion-answer'), ANSWER);
      if (phone) await fits(page, 'the suggestions');
      await shot(page, '4-suggestion');

      await tap(card.getByTestId('kb-suggestion-new-article'));
      const dialog = page.getByTestId('kb-approve-article-dialog');
      await dialog.waitFor();
      assert.equal(await dialog.getByTestId('kb-title').inputValue(), QUESTION);
      assert.equal(await dialog.getByTestId('kb-body').inputValue(), ANSWER);
      assert.equal(await dialog.getByTestId('kb-questions').inputValue(), QUESTION);
      assert.equal(await dialog.locator('[data-testid="kb-locale-zh-CN"] input').isChecked(), true);
      assert.equal(await dialog.getByTestId('kb-published').isChecked(), true);
      const title = '可以开专用发票吗';
      await dialog.getByTestId('kb-title').fill(title);
      if (phone) await fits(page, 'the new-article dialog');
      await shot(page, '5-approve');
      await tap(dialog.getByTestId('kb-approve-article-submit'));
      await dialog.waitFor({ state: 'detached' });
      await page.getByTestId('kb-suggestions-empty').waitFor();

      const approved = (await apiGet(page, '/api/kb/suggestions?status=approved')).suggestions;
      assert.equal(approved.length, 1);
      articleId = approved[0].article_id;
      assert.ok(articleId, 'the suggestion names its article');
      const article = await apiGet(page, `/api/kb/articles/${articleId}`);
      assert.deepEqual([article.title, article.status, article.locale], [title, 'published', 'zh-CN']);
      assert.deepEqual(article.questions, [QUESTION]);
      assert.ok(article.body.includes('专用发票'), article.body);
      const hits = (await apiGet(page, `/api/kb/search?q=${encodeURIComponent(QUESTION)}&locale=zh-CN`)).hits;
      assert.equal(hits[0] && hits[0].article_id, articleId, `the search finds it first: ${JSON.stringify(hits)}`);
      const bot = await apiOk(page, 'POST', '/api/bot/answer', { text: QUESTION, locale: 'zh-CN' });
      assert.equal(bot.decision, 'answer', `the bot now answers: ${JSON.stringify(bot)}`);
      assert.equal(bot.articles[0].article_id, articleId);

      // The approved one, with its article.
      await tap(page.getByTestId('kb-suggestions-filter-approved'));
      await page.locator('[data-testid="kb-suggestions"][data-status="approved"]').waitFor();
      const done = page.locator(`[data-testid="kb-suggestion"][data-suggestion-id="${pending[0].id}"]`);
      assert.equal(await done.getAttribute('data-status'), 'approved');
      assert.equal(await done.getByTestId('kb-suggestion-article').getAttribute('href'), `#/kb/articles/${articleId}`);
      assert.equal(await done.getByTestId('kb-suggestion-new-article').count(), 0, 'decided: no buttons');
      await eventually(async () => (await page.getByTestId('kb-tab-suggestions-count').innerText()) === '',
        'nothing waits any more');
      await tap(page.getByTestId('kb-suggestions-filter-pending'));
    });

    test('Bot outcomes: one conversation, handed off', async () => {
      await openKbTab('outcomes', '#/kb/outcomes');
      const api = await apiGet(page, '/api/bot/outcomes?days=30');
      // The period chosen on Top unanswered (7 days) holds here too.
      await page.locator('[data-testid="kb-outcomes"][data-days="7"]:not([aria-busy])').waitFor();
      assert.equal(await page.getByTestId('kb-outcomes-days-7').getAttribute('aria-pressed'), 'true');
      await tap(page.getByTestId('kb-outcomes-days-30'));
      assert.deepEqual([api.conversations, api.resolved, api.handed_off, api.abandoned, api.undecided], [1, 0, 1, 0, 0]);
      assert.equal(api.handoff_rate, 1);
      const box = page.locator('[data-testid="kb-outcomes"][data-days="30"]:not([aria-busy])');
      await box.waitFor();
      assert.equal(await page.getByTestId('kb-outcome-conversations').getAttribute('data-count'), '1');
      const handed = page.getByTestId('kb-outcome-handed_off');
      assert.equal(await handed.getAttribute('data-count'), '1');
      await expectText(handed.getByTestId('kb-outcome-rate'), '100');
      await expectText(handed.getByTestId('kb-outcome-count'), '1');
      assert.equal(await page.getByTestId('kb-outcome-resolved').getAttribute('data-count'), '0');
      assert.match(await page.getByTestId('kb-outcome-resolved').getByTestId('kb-outcome-rate').innerText(), /^0\s?%$/);
      await expectText(page.getByTestId('kb-outcome-explain'), L.explain);
      // From the keyboard on the desktop: the period buttons take the focus and Enter picks one.
      if (!phone) {
        await page.getByTestId('kb-outcomes-days-90').focus();
        await page.keyboard.press('Enter');
      } else {
        await tap(page.getByTestId('kb-outcomes-days-90'));
      }
      await page.locator('[data-testid="kb-outcomes"][data-days="90"]:not([aria-busy])').waitFor();
      assert.equal(await page.getByTestId('kb-outcome-handed_off').getAttribute('data-count'), '1');
      if (phone) await fits(page, 'the bot outcomes');
      await shot(page, '6-outcomes');
    });

    test('an agent who is not an admin reads the suggestions without the buttons', async () => {
      const inv = await apiOk(page, 'POST', '/api/invites', { email: AGENT.email, role: 'agent' });
      const agentContext = await browser().newContext({ ...vp.options, baseURL: srv.base, locale: vp.locale });
      try {
        const agentPage = await agentContext.newPage();
        watch(agentPage);
        const acc = await agentPage.request.post('/api/invites/accept',
          { data: { token: inv.link.split('/').pop(), name: AGENT.name, password: AGENT.password } });
        assert.equal(acc.status(), 201, await acc.text());
        await agentPage.goto('/#/kb/suggestions');
        await expectText(agentPage.getByTestId('kb-suggestions-readonly'), L.readonly);
        await tapOrClick(agentPage.getByTestId('kb-suggestions-filter-approved'), phone);
        await agentPage.locator('[data-testid="kb-suggestions"][data-status="approved"]').waitFor();
        await expectText(agentPage.getByTestId('kb-suggestion-question'), QUESTION);
        assert.equal(await agentPage.locator('.kb-sugg-actions').count(), 0);
        await agentPage.goto('/#/kb/unanswered');
        await agentPage.getByTestId('kb-unanswered-group').first().waitFor();
        assert.equal(await agentPage.getByTestId('kb-unanswered-write').count(), 0, 'only admins write articles');
      } finally {
        await agentContext.close();
      }
    });

    test('the pages logged no errors', () => {
      // A refusal (the handoff word) logs its 400: what counts are script errors.
      assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
    });
  });
}
