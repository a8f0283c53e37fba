// The knowledge base in the console, in Debian's chromium against the real
// server: categories (added per language, renamed, reordered), the article
// editor (language and its categories, a category made on the spot, Markdown
// with a live preview that drops scripts, published, errors beside the field,
// the unsaved-changes question), the list with its badges and filters, "Try the
// bot" (answers a two-character Chinese query and an English question as the
// server decides, hands over when asked for a person or when the customer is
// upset, never uses drafts), the search words (a synonym group, then found by the
// synonym), and what an agent who is not an admin sees. Import and export: kb-transfer.test.mjs.
// Desktop in English, the phone in Chinese; every change is checked on the server.
//
//   cargo build && cd tests/browser && KEFU_BIN=../../target/debug/kefu node --test kb.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  apiGet, apiOk, apiSend, eventually, expectHash, expectText, screenshotsDir, sharedBrowser,
  startServer, stopServer, tapOrClick, VIEWPORTS,
} from './harness.mjs';

const SHOTS = screenshotsDir('kefu-kb-screens');
const OWNER = { shop_name: '小王的店', name: '王小明', email: 'wang@example.com', password: 'green-tea-and-rice-cakes-7' };
const AGENT = { email: 'li@example.com', name: '李娜', password: 'oolong-and-jasmine-42' };
const ZH_TITLE = '退款多久到账';
const EN_TITLE = 'How long does a refund take?';
const BODY = '退款**三个工作日**到账。\n\n<script>window.__kbXss = 1</script>\n\n<img src="x" onerror="window.__kbXss = 2">';
const L = {
  en: { draft: 'Draft', published: 'Published', person: 'they asked for a person', upset: 'they seem upset' },
  'zh-CN': { draft: '草稿', published: '已发布', person: '顾客要求人工服务', upset: '顾客似乎很不满' },
};

async function noHorizontalScroll(page, where) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= 375, `horizontal scroll on ${where}: scrollWidth ${w} > 375`);
}

const browser = sharedBrowser(SHOTS);

for (const vp of VIEWPORTS) {
  describe(`knowledge base on ${vp.name}`, () => {
    const phone = vp.name === 'phone';
    const T = L[vp.locale === 'zh-CN' ? 'zh-CN' : 'en'];
    let srv;
    let context;
    let page;
    let agentContext;
    let agentPage;
    const ids = {};
    const errors = [];
    const shot = (p, name) => p.screenshot({ path: path.join(SHOTS, `kb-${vp.name}-${name}.png`), fullPage: true });
    const fit = async (p, where) => { if (phone) await noHorizontalScroll(p, where); };
    const watch = (p) => {
      p.setDefaultTimeout(10_000);
      p.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      p.on('pageerror', (err) => errors.push(String(err)));
    };
    const tap = (locator) => tapOrClick(locator, phone);
    /** The editor's save has finished (answer shown, nothing pending). */
    const saveDone = () => eventually(async () => (await page.getByTestId('kb-form').getAttribute('aria-busy')) === null,
      'the save finished');
    const hashTo = (p, hash) => p.evaluate((h) => { location.hash = h; }, hash);
    const row = (id) => page.locator(`[data-testid="kb-row"][data-article-id="${id}"]`);
    const rowIds = async () => page.getByTestId('kb-row')
      .evaluateAll((els) => els.map((e) => Number(e.dataset.articleId)));
    const categories = async () => (await apiGet(page, '/api/kb/categories')).categories;
    /**
     * Asks "Try the bot" `text` from a customer writing in `locale` ('' not known)
     * and waits for the reply: { decision, reason, articles: ids in the order shown }.
     */
    const askBot = async (p, text, locale = '') => {
      await p.getByTestId('kb-try-input').fill(text);
      await p.getByTestId('kb-try-locale').selectOption(locale);
      await tapOrClick(p.getByTestId('kb-try-submit'), phone);
      // Busy from the tap until the reply is drawn.
      await p.locator('[data-testid="kb-try-results"]:not([aria-busy]) [data-testid="kb-try-decision"]').waitFor();
      const decision = p.getByTestId('kb-try-decision');
      return {
        decision: await decision.getAttribute('data-decision'),
        reason: await decision.getAttribute('data-reason'),
        articles: await p.getByTestId('kb-try-results').locator('[data-article-id]')
          .evaluateAll((els) => els.map((e) => Number(e.dataset.articleId))),
      };
    };
    /** What the server's bot says to the same message. */
    const botSays = (text, extra = {}) => apiOk(page, 'POST', '/api/bot/answer', { text, ...extra });

    before(async () => {
      srv = await startServer();
      context = await browser().newContext({ ...vp.options, baseURL: srv.base, locale: vp.locale });
      page = await context.newPage();
      watch(page);
    });
    after(async () => {
      if (agentContext) await agentContext.close();
      if (context) await context.close();
      await stopServer(srv);
    });

    test('setup: the owner, and a second agent who is not an admin', async () => {
      const setup = await page.request.post('/api/setup', { data: OWNER });
      assert.equal(setup.status(), 201, await setup.text());
      await page.goto('/');
      await expectHash(page, '#/inbox');
      const inv = await apiOk(page, 'POST', '/api/invites', { email: AGENT.email, role: 'agent' });
      agentContext = await browser().newContext({ ...vp.options, baseURL: srv.base, locale: vp.locale });
      agentPage = await agentContext.newPage();
      watch(agentPage);
      const acc = await agentPage.request.post('/api/invites/accept',
        { data: { token: inv.link.split('/').pop(), name: AGENT.name, password: AGENT.password } });
      assert.equal(acc.status(), 201, await acc.text());
    });

    test('an empty knowledge base; categories added per language, renamed and reordered', async () => {
      await tap(page.getByTestId('nav-kb'));
      await expectHash(page, '#/kb');
      await page.getByTestId('kb-empty').waitFor();
      await page.getByTestId('kb-empty-new').waitFor();
      await page.getByTestId('kb-empty-import').waitFor();
      await fit(page, 'the empty knowledge base');
      await shot(page, '1-empty');

      await tap(page.getByTestId('kb-open-categories'));
      await expectHash(page, '#/kb/categories');
      const add = async (locale, name) => {
        await page.getByTestId(`kb-category-add-${locale}`).fill(name);
        await tap(page.getByTestId(`kb-category-add-${locale}-submit`));
        await expectText(page.getByTestId(`kb-categories-${locale}`), name);
      };
      await add('zh-CN', '售后');
      await add('zh-CN', '发货');
      await add('en', 'Refunds');
      let cats = await categories();
      assert.deepEqual(cats.map((c) => [c.locale, c.name]).sort(),
        [['en', 'Refunds'], ['zh-CN', '发货'], ['zh-CN', '售后']]);

      // A name taken in the same language is refused beside the input.
      await page.getByTestId('kb-category-add-zh-CN').fill('售后');
      await tap(page.getByTestId('kb-category-add-zh-CN-submit'));
      await page.getByTestId('kb-categories-zh-CN').getByTestId('kb-category-add-error').waitFor();
      assert.equal((await categories()).length, 3, 'the duplicate was not added');

      const zhNames = () => page.getByTestId('kb-categories-zh-CN').getByTestId('kb-category-name').allInnerTexts();
      const before = await zhNames();
      assert.equal(before.length, 2);
      // The second one moves up: the order on the page and on the server swaps.
      const second = page.getByTestId('kb-categories-zh-CN').getByTestId('kb-category-row').nth(1);
      await tap(second.getByTestId('kb-category-up'));
      await eventually(async () => (await zhNames()).join() === [before[1], before[0]].join(), 'the rows swapped');
      cats = (await categories()).filter((c) => c.locale === 'zh-CN');
      assert.deepEqual(cats.map((c) => c.name), [before[1], before[0]], 'the server keeps the new order');

      const fahuo = page.locator('[data-testid="kb-category-row"]', { hasText: '发货' });
      await tap(fahuo.getByTestId('kb-category-rename'));
      const dlg = page.getByTestId('kb-category-dialog');
      await dlg.getByTestId('kb-category-name-input').fill('物流发货');
      await tap(dlg.getByTestId('kb-category-form-submit'));
      await expectText(page.getByTestId('kb-categories-zh-CN'), '物流发货');
      assert.ok((await categories()).some((c) => c.name === '物流发货'), 'renamed on the server');
      ids.shouhou = (await categories()).find((c) => c.name === '售后').id;
      ids.refunds = (await categories()).find((c) => c.name === 'Refunds').id;
      await fit(page, 'categories');
      await shot(page, '2-categories');
    });

    test('editor: Markdown preview without scripts, a category made on the spot, published, listed', async () => {
      await hashTo(page, '#/kb');
      await tap(page.getByTestId('kb-empty-new'));
      await expectHash(page, '#/kb/articles/new');
      await tap(page.getByTestId('kb-locale-en'));
      const options = () => page.getByTestId('kb-category').locator('option').allInnerTexts();
      assert.ok((await options()).includes('Refunds'), 'English categories for an English article');
      assert.ok(!(await options()).includes('售后'), 'no Chinese categories for an English article');
      await tap(page.getByTestId('kb-locale-zh-CN'));
      assert.ok((await options()).includes('售后'));
      assert.ok(!(await options()).includes('Refunds'), 'only this language\'s categories');

      // "New category…" makes one in the article's language and picks it.
      await page.getByTestId('kb-category').selectOption('__new');
      await page.getByTestId('kb-category-new-name').fill('退换货');
      await tap(page.getByTestId('kb-category-new-add'));
      const made = await eventually(async () => (await categories()).find((c) => c.name === '退换货'), 'the category');
      assert.equal(made.locale, 'zh-CN');
      await eventually(async () => (await page.getByTestId('kb-category').inputValue()) === String(made.id),
        'the new category is chosen');
      assert.ok(await page.getByTestId('kb-category-new-name').isHidden());
      ids.tuihuan = made.id;

      await page.getByTestId('kb-title').fill(ZH_TITLE);
      await page.getByTestId('kb-body').fill(BODY);
      await page.getByTestId('kb-questions').fill('钱什么时候退回来\n\n  退款要等几天  ');
      const preview = page.getByTestId('kb-preview');
      if (phone) {
        assert.equal(await preview.isVisible(), false, 'the phone shows one pane at a time');
        await tap(page.getByTestId('kb-mode-preview'));
        assert.equal(await page.getByTestId('kb-body').isVisible(), false);
      } else {
        assert.ok(await page.getByTestId('kb-body').isVisible(), 'side by side on the desktop');
      }
      await expectText(preview.locator('strong'), '三个工作日');
      await eventually(async () => (await preview.getAttribute('data-state')) === 'ready', 'the preview is ready');
      const html = await preview.innerHTML();
      assert.ok(!/<script|onerror|__kbXss/i.test(html), `no script in the preview: ${html}`);
      assert.ok(!(await preview.innerText()).includes('__kbXss'));
      assert.equal(await page.evaluate(() => window.__kbXss), undefined, 'nothing ran');
      await shot(page, '3-preview');
      if (phone) await tap(page.getByTestId('kb-mode-write'));

      await page.getByTestId('kb-published').check();
      await tap(page.getByTestId('kb-form-submit'));
      await page.waitForURL(/#\/kb\/articles\/\d+$/);
      ids.zh = Number(new URL(page.url()).hash.split('/').pop());
      const a = await apiGet(page, `/api/kb/articles/${ids.zh}`);
      assert.equal(a.title, ZH_TITLE);
      assert.equal(a.status, 'published');
      assert.equal(a.category_id, ids.tuihuan);
      assert.deepEqual(a.questions, ['钱什么时候退回来', '退款要等几天']);
      assert.equal(a.inbox_ids, null, 'all inboxes by default');
      assert.ok(!a.body_html.includes('<script'), a.body_html);
      await expectText(page.getByTestId('kb-editor-head').getByTestId('kb-live'), T.published);

      // Leaving with unsaved changes asks; "stay" keeps the change on screen.
      await page.getByTestId('kb-title').fill(`${ZH_TITLE}？`);
      await tap(page.getByTestId('kb-back'));
      await page.getByTestId('confirm-dialog').waitFor();
      await tap(page.getByTestId('confirm-cancel'));
      await expectHash(page, `#/kb/articles/${ids.zh}`);
      assert.equal(await page.getByTestId('kb-title').inputValue(), `${ZH_TITLE}？`);
      await tap(page.getByTestId('kb-back'));
      await tap(page.getByTestId('confirm-ok'));
      await expectHash(page, '#/kb');
      assert.equal((await apiGet(page, `/api/kb/articles/${ids.zh}`)).title, ZH_TITLE, 'the change was dropped');

      // The list: language badge, no draft badge, the category, the questions.
      const r = row(ids.zh);
      await expectText(r.getByTestId('kb-row-title'), ZH_TITLE);
      assert.equal(await r.getByTestId('kb-lang').getAttribute('data-locale'), 'zh-CN');
      assert.equal(await r.getByTestId('kb-draft').count(), 0);
      await expectText(r.getByTestId('kb-row-category'), '退换货');
      await expectText(r.getByTestId('kb-row-questions'), '2');
      await fit(page, 'the list');
    });

    test('the list: draft badge and the language, status, category and title filters', async () => {
      ids.en = (await apiOk(page, 'POST', '/api/kb/articles', {
        category_id: ids.refunds, locale: 'en', external_id: 'refund-time', title: EN_TITLE,
        body: 'Refunds arrive in **3 working days**.', questions: ['When do I get my money back'], keywords: [],
        status: 'published', inbox_ids: null })).id;
      ids.draft = (await apiOk(page, 'POST', '/api/kb/articles', {
        category_id: null, locale: 'en', external_id: null, title: 'Gift wrapping', body: 'We wrap for free.',
        questions: [], keywords: [], status: 'draft', inbox_ids: null })).id;
      await hashTo(page, '#/kb/categories');
      await hashTo(page, '#/kb');
      await eventually(async () => (await rowIds()).length === 3, 'three rows');
      assert.deepEqual(await rowIds(), [ids.draft, ids.en, ids.zh], 'newest first');
      await expectText(row(ids.draft).getByTestId('kb-draft'), T.draft);
      await shot(page, '4-list');

      const shows = async (want, what) => eventually(async () => (await rowIds()).join() === want.join(), what);
      await page.getByTestId('kb-filter-status').selectOption('draft');
      await shows([ids.draft], 'drafts only');
      await page.getByTestId('kb-filter-status').selectOption('');
      await page.getByTestId('kb-filter-locale').selectOption('zh-CN');
      await shows([ids.zh], 'Chinese only');
      const catOptions = await page.getByTestId('kb-filter-category_id').locator('option').allInnerTexts();
      assert.ok(!catOptions.includes('Refunds'), 'category choice follows the language');
      await page.getByTestId('kb-filter-locale').selectOption('');
      await page.getByTestId('kb-filter-category_id').selectOption(String(ids.refunds));
      await shows([ids.en], 'the Refunds category');
      await page.getByTestId('kb-filter-category_id').selectOption('');
      await page.getByTestId('kb-filter-q').fill('refund');
      await shows([ids.en], 'titles with "refund"');
      await page.getByTestId('kb-filter-q').fill('nothing like this');
      await page.getByTestId('kb-list-empty').waitFor();
      await page.getByTestId('kb-filter-q').fill('');
      await shows([ids.draft, ids.en, ids.zh], 'all again');
    });

    test('Try the bot: answers or offers as the server decides, hands over when asked or upset', async () => {
      // Admins may try it for one inbox (its articles only).
      const inbox = (await apiOk(page, 'POST', '/api/inboxes', { name: '小王的店 · 网站' })).inbox;
      await hashTo(page, '#/kb/categories');
      await hashTo(page, '#/kb');
      await page.getByTestId('kb-try-inbox').locator(`option[value="${inbox.id}"]`).waitFor({ state: 'attached' });
      await page.getByTestId('kb-try-inbox').selectOption(String(inbox.id));

      let r = await askBot(page, '退款');
      let api = await botSays('退款', { inbox_id: inbox.id });
      assert.ok(['answer', 'suggest'].includes(r.decision), `退款 is answered or offered: ${JSON.stringify(r)}`);
      assert.equal(r.decision, api.decision);
      assert.equal(r.articles[0], ids.zh, `退款 finds ${ZH_TITLE}: ${JSON.stringify(r)}`);
      await expectText(page.getByTestId('kb-try-score'), `${Math.round(api.confidence * 100)}%`);
      await expectText(page.getByTestId('kb-try-score'), `${Math.round(api.answer_threshold * 100)}%`);
      if (r.decision === 'answer') {
        // The chat bubble the customer would get: the plain text, no Markdown, nothing run.
        await expectText(page.getByTestId('kb-try-answer-text'), '三个工作日');
        assert.ok(!(await page.getByTestId('kb-try-answer-text').innerText()).includes('**'));
        assert.equal(await page.getByTestId('kb-try-article').getAttribute('href'), `#/kb/articles/${ids.zh}`);
        assert.equal(await page.getByTestId('kb-try-public').getAttribute('href'), api.articles[0].url);
        assert.match(await page.getByTestId('kb-try-decision').getAttribute('class'), /notice-ok/);
      }
      assert.equal(await page.evaluate(() => window.__kbXss), undefined, 'nothing ran');
      await shot(page, '5-try-zh');

      const question = 'when will my refund arrive';
      r = await askBot(page, question, 'en');
      api = await botSays(question, { locale: 'en', inbox_id: inbox.id });
      assert.equal(r.articles[0], ids.en, `the English article: ${JSON.stringify(r)}`);
      assert.equal(r.decision, api.decision, 'the decision is the server\'s');

      // Drafts are never used.
      r = await askBot(page, 'gift wrapping');
      assert.ok(!r.articles.includes(ids.draft), `no draft: ${JSON.stringify(r)}`);
      r = await askBot(page, '退钱');
      assert.deepEqual([r.decision, r.reason, r.articles], ['handoff', 'no_answer', []], 'nothing fits 退钱 yet');

      r = await askBot(page, '转人工');
      assert.deepEqual([r.decision, r.reason], ['handoff', 'asked_for_person']);
      await expectText(page.getByTestId('kb-try-decision'), T.person);
      assert.match(await page.getByTestId('kb-try-decision').getAttribute('class'), /notice-warn/);

      const angry = '退款到现在还没到账，你们就是骗子！';
      r = await askBot(page, angry);
      assert.deepEqual([r.decision, r.reason], ['handoff', 'upset'], 'upset: a person, not the refund article');
      await expectText(page.getByTestId('kb-try-decision'), T.upset);
      api = await botSays(angry, { inbox_id: inbox.id });
      assert.deepEqual(r.articles, api.articles.map((a) => a.article_id), 'the best matches, for the agent');
      if (r.articles.length) await page.getByTestId('kb-try-agent-sees').waitFor();
      await fit(page, 'the bot box');
      await shot(page, '5-try-upset');
      await page.getByTestId('kb-try-inbox').selectOption('');
    });

    test('editor: alternates edited; a taken external ID is shown beside its field', async () => {
      await tap(row(ids.zh).locator('a'));
      await expectHash(page, `#/kb/articles/${ids.zh}`);
      const qs = page.getByTestId('kb-questions');
      await eventually(async () => (await qs.inputValue()).includes('钱什么时候退回来'), 'the questions are loaded');
      await qs.fill('钱什么时候退回来\n几天能收到退款');
      // External IDs are unique per language (a translation shares its article's).
      const other = (await apiOk(page, 'POST', '/api/kb/articles', {
        category_id: null, locale: 'zh-CN', external_id: 'ship-time', title: '几天发货', body: '48 小时内发货。',
        questions: [], keywords: [], status: 'draft', inbox_ids: null })).id;
      await page.getByTestId('kb-external-id').fill('ship-time');
      await tap(page.getByTestId('kb-form-submit'));
      await page.getByTestId('kb-error-external_id').waitFor();
      assert.equal(await page.getByTestId('kb-external-id').getAttribute('aria-invalid'), 'true');
      await page.getByTestId('form-error').waitFor();
      assert.equal((await apiGet(page, `/api/kb/articles/${ids.zh}`)).external_id, null, 'refused: nothing saved');
      await shot(page, '6-field-error');

      await page.getByTestId('kb-external-id').fill('refund-time');
      await tap(page.getByTestId('kb-form-submit'));
      await eventually(async () => (await apiGet(page, `/api/kb/articles/${ids.zh}`)).external_id === 'refund-time',
        'saved, linked to its English translation');
      await saveDone();
      await apiOk(page, 'DELETE', `/api/kb/articles/${other}`);
      assert.ok(await page.getByTestId('kb-error-external_id').isHidden(), 'the field message is gone');
      const a = await apiGet(page, `/api/kb/articles/${ids.zh}`);
      assert.deepEqual(a.questions, ['钱什么时候退回来', '几天能收到退款']);
      // Saved: leaving asks nothing.
      await tap(page.getByTestId('kb-back'));
      await expectHash(page, '#/kb');
      assert.equal(await page.getByTestId('confirm-dialog').count(), 0);
    });

    test('search words: a synonym group is saved, then the synonym finds the article', async () => {
      await tap(page.getByTestId('kb-open-vocabulary'));
      await expectHash(page, '#/kb/vocabulary');
      const syn = page.getByTestId('kb-synonyms');
      await syn.waitFor();
      // A group of one word is refused, and the line is pointed at.
      await syn.fill('快递');
      await tap(page.getByTestId('kb-vocabulary-form-submit'));
      await page.getByTestId('form-error').waitFor();
      assert.equal(await syn.getAttribute('aria-invalid'), 'true');
      assert.deepEqual((await apiGet(page, '/api/kb/vocabulary')).synonyms, []);

      await page.getByTestId('kb-words').fill('蓝牙耳机\n小红书');
      await syn.fill('退款 = 退钱\n快递, 物流 包裹');
      await tap(page.getByTestId('kb-vocabulary-form-submit'));
      await eventually(async () => (await apiGet(page, '/api/kb/vocabulary')).synonyms.length === 2, 'saved');
      const v = await apiGet(page, '/api/kb/vocabulary');
      assert.deepEqual(v.synonyms, [['退款', '退钱'], ['快递', '物流', '包裹']]);
      assert.deepEqual([...v.words].sort(), ['小红书', '蓝牙耳机'].sort());
      await eventually(async () => (await syn.inputValue()) === '退款 = 退钱\n快递 = 物流 = 包裹', 'shown as saved');
      await fit(page, 'search words');
      await shot(page, '7-vocabulary');

      await tap(page.getByTestId('kb-back'));
      await expectHash(page, '#/kb');
      const r = await askBot(page, '退钱');
      assert.equal(r.articles[0], ids.zh, `退钱 now finds ${ZH_TITLE}: ${JSON.stringify(r)}`);
    });

    test('an agent who is not an admin reads and searches, and sees no edit controls', async () => {
      await agentPage.goto('/#/kb');
      await agentPage.getByTestId('kb-readonly').waitFor();
      await agentPage.locator(`[data-testid="kb-row"][data-article-id="${ids.zh}"]`).waitFor();
      for (const id of ['kb-tools', 'kb-new', 'kb-open-import', 'kb-open-export', 'kb-open-categories']) {
        assert.equal(await agentPage.getByTestId(id).count(), 0, `${id} is hidden`);
      }
      const r = await askBot(agentPage, '退款');
      assert.equal(r.articles[0], ids.zh, 'agents can try the bot');
      assert.equal(await agentPage.getByTestId('kb-try-inbox').count(), 0, 'no inbox choice (agents cannot list inboxes)');

      await tapOrClick(agentPage.locator(`[data-testid="kb-row"][data-article-id="${ids.zh}"] a`), phone);
      await expectHash(agentPage, `#/kb/articles/${ids.zh}`);
      await expectText(agentPage.getByTestId('kb-read-body').locator('strong'), '三个工作日');
      await expectText(agentPage.getByTestId('kb-read-questions'), '几天能收到退款');
      assert.equal(await agentPage.getByTestId('kb-form').count(), 0, 'no editor');
      assert.equal(await agentPage.getByTestId('kb-delete').count(), 0);
      await fit(agentPage, 'an article, read-only');
      await shot(agentPage, '8-agent-read');

      for (const hash of ['#/kb/articles/new', '#/kb/categories', '#/kb/vocabulary']) {
        await hashTo(agentPage, hash);
        await expectHash(agentPage, '#/kb');
      }
      const refused = await apiSend(agentPage, 'PUT', '/api/kb/vocabulary', { words: [], synonyms: [] });
      assert.equal(refused.status, 403, 'and the server refuses anyway');
    });

    test('deleting: an article after confirming; a category, its articles kept', async () => {
      await hashTo(page, `#/kb/articles/${ids.draft}`);
      await tap(page.getByTestId('kb-delete'));
      await tap(page.getByTestId('confirm-ok'));
      await expectHash(page, '#/kb');
      await eventually(async () => !(await rowIds()).includes(ids.draft) && (await rowIds()).length === 2, 'gone');
      assert.equal((await page.request.get(`/api/kb/articles/${ids.draft}`)).status(), 404);

      await tap(page.getByTestId('kb-open-categories'));
      const r = page.locator(`[data-testid="kb-category-row"][data-category-id="${ids.tuihuan}"]`);
      await tap(r.getByTestId('kb-category-delete'));
      await expectText(page.getByTestId('confirm-dialog'), '退换货');
      await tap(page.getByTestId('confirm-ok'));
      await r.waitFor({ state: 'detached' });
      assert.ok(!(await categories()).some((c) => c.id === ids.tuihuan));
      const a = await apiGet(page, `/api/kb/articles/${ids.zh}`);
      assert.equal(a.category_id, null, 'the article stays, without a category');
    });

    test('the pages logged no errors', () => {
      // The preview's <img src="x"> (its handler removed) 404s: a resource error, not a script one.
      assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
    });
  });
}
