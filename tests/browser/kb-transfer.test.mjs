// Knowledge base import, export and inbox choice in the console, in Debian's
// chromium against the real server: a CSV with one bad row is refused with its
// line and imports nothing; a file of another kind is not sent; a good CSV adds
// and updates articles (the list shows them); a bad JSON file is refused too;
// export downloads JSON and CSV (all languages, or one); an article limited to
// one inbox and back to all. Desktop in English, the phone in Chinese; every
// change is checked on the server.
//
//   cargo build && cd tests/browser && KEFU_BIN=../../target/debug/kefu node --test kb-transfer.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  apiGet, apiOk, eventually, expectHash, expectText, screenshotsDir, sharedBrowser,
  startServer, stopServer, tapOrClick, VIEWPORTS,
} from './harness.mjs';

const SHOTS = screenshotsDir('kefu-kb-transfer-screens');
const OWNER = { shop_name: '小王的店', name: '王小明', email: 'wang@example.com', password: 'green-tea-and-rice-cakes-7' };
const ZH_TITLE = '退款多久到账';
const HEADER = 'question,answer,category,alternates';
const TRACK = 'How do I track my parcel?,Use the tracking link in your shipping email.,Shipping,where is my parcel|track order';
const BAD_CSV = [HEADER, TRACK, 'Do you ship abroad?,,Shipping,', ''].join('\n');
const GOOD_CSV = [HEADER, TRACK,
  'Do you ship abroad?,"Yes, to Hong Kong, Macau and Taiwan.",Shipping,international shipping',
  `${ZH_TITLE},退款**三个工作日**内原路退回。,售后,钱什么时候退回来|退款要等几天`, ''].join('\n');
const BAD_JSON = '[\n  {"locale": "en", "title": "Fine", "body": "Yes."},\n  {"locale": "fr", "title": "Non", "body": "Oui."}\n]\n';
const L = {
  en: { done: 'Created: 2 · updated: 1 · new categories: 1' },
  'zh-CN': { done: '新建 2 篇 · 更新 1 篇 · 新分类 1 个' },
};

async function noHorizontalScroll(page, where) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= 375, `horizontal scroll on ${where}: scrollWidth ${w} > 375`);
}

const browser = sharedBrowser(SHOTS);

for (const vp of VIEWPORTS) {
  describe(`knowledge base import and export on ${vp.name}`, () => {
    const phone = vp.name === 'phone';
    const T = L[vp.locale === 'zh-CN' ? 'zh-CN' : 'en'];
    let srv;
    let context;
    let page;
    let zhId;
    let inboxId;
    const errors = [];
    const shot = (name) => page.screenshot({ path: path.join(SHOTS, `kb-transfer-${vp.name}-${name}.png`) });
    const tap = (locator) => tapOrClick(locator, phone);
    /** The editor's save has finished (answer shown, nothing pending). */
    const saveDone = () => eventually(async () => (await page.getByTestId('kb-form').getAttribute('aria-busy')) === null,
      'the save finished');
    const articles = async () => (await apiGet(page, '/api/kb/articles')).articles;
    const dialog = () => page.getByTestId('kb-import-dialog');
    const choose = (name, text, mimeType) => dialog().getByTestId('kb-import-file')
      .setInputFiles({ name, mimeType, buffer: Buffer.from(text, 'utf8') });
    /** Click a download link; the file's name and text. */
    const download = async (testid) => {
      const [dl] = await Promise.all([page.waitForEvent('download'), tap(page.getByTestId(testid))]);
      const file = path.join(srv.dataDir, `dl-${Date.now()}-${dl.suggestedFilename()}`);
      await dl.saveAs(file);
      return { name: dl.suggestedFilename(), text: fs.readFileSync(file, 'utf8') };
    };

    before(async () => {
      srv = await startServer();
      context = await browser().newContext({ ...vp.options, baseURL: srv.base, locale: vp.locale, acceptDownloads: true });
      page = await context.newPage();
      page.setDefaultTimeout(10_000);
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (err) => errors.push(String(err)));
    });
    after(async () => {
      if (context) await context.close();
      await stopServer(srv);
    });

    test('setup: the owner, an inbox, a category and one article', async () => {
      const setup = await page.request.post('/api/setup', { data: OWNER });
      assert.equal(setup.status(), 201, await setup.text());
      await page.goto('/');
      await expectHash(page, '#/inbox');
      inboxId = (await apiOk(page, 'POST', '/api/inboxes', { name: '小王的店 · 网站' })).inbox.id;
      const cat = await apiOk(page, 'POST', '/api/kb/categories', { locale: 'zh-CN', name: '售后' });
      zhId = (await apiOk(page, 'POST', '/api/kb/articles', {
        category_id: cat.id, locale: 'zh-CN', external_id: null, title: ZH_TITLE, body: '退款三个工作日到账。',
        questions: ['钱什么时候退回来'], keywords: [], status: 'published', inbox_ids: null })).id;
      await tapOrClick(page.getByTestId('nav-kb'), phone);
      await expectHash(page, '#/kb');
      await page.locator(`[data-testid="kb-row"][data-article-id="${zhId}"]`).waitFor();
    });

    test('import: a bad row refuses the whole file and names its line; nothing is imported', async () => {
      await tap(page.getByTestId('kb-open-import'));
      await choose('faq.csv', BAD_CSV, 'text/csv');
      await tap(dialog().getByTestId('kb-import-submit'));
      const refused = dialog().getByTestId('kb-import-refused');
      await refused.waitFor();
      assert.deepEqual(await refused.getByTestId('kb-import-lines').locator('li').allInnerTexts(), ['3']);
      await expectText(refused.getByTestId('kb-import-message'), '3');
      assert.equal((await articles()).length, 1, 'nothing was imported');
      assert.ok(!(await apiGet(page, '/api/kb/categories')).categories.some((c) => c.name === 'Shipping'),
        'not even the category of the good row');
      if (phone) await noHorizontalScroll(page, 'the refused import');
      await shot('1-refused');

      // Not a .csv or .json: not sent at all.
      await choose('notes.txt', 'hello', 'text/plain');
      await dialog().getByTestId('kb-import-error').waitFor();
      assert.ok(await dialog().getByTestId('kb-import-submit').isDisabled());

      // A JSON file with a bad item: refused at that item's line.
      await choose('faq.json', BAD_JSON, 'application/json');
      await tap(dialog().getByTestId('kb-import-submit'));
      await dialog().getByTestId('kb-import-refused').waitFor();
      assert.deepEqual(await dialog().getByTestId('kb-import-lines').locator('li').allInnerTexts(), ['3']);
      assert.equal((await articles()).length, 1, 'still nothing imported');
    });

    test('import: a good CSV adds two articles and a category, updates one; the list shows them', async () => {
      await choose('faq.csv', GOOD_CSV, 'text/csv');
      await tap(dialog().getByTestId('kb-import-submit'));
      await expectText(dialog().getByTestId('kb-import-done'), T.done);
      const list = await articles();
      assert.equal(list.length, 3);
      const titles = list.map((a) => a.title);
      assert.ok(titles.includes('How do I track my parcel?') && titles.includes('Do you ship abroad?'), titles.join());
      const zh = await apiGet(page, `/api/kb/articles/${zhId}`);
      assert.deepEqual(zh.questions, ['钱什么时候退回来', '退款要等几天'], 'the Chinese article was updated');
      assert.ok(zh.body.includes('原路退回'));
      const ship = (await apiGet(page, '/api/kb/categories')).categories.find((c) => c.name === 'Shipping');
      assert.equal(ship && ship.locale, 'en', 'a new English category');
      await shot('2-imported');

      await tap(dialog().getByTestId('kb-import-close'));
      for (const a of list) {
        await expectText(page.locator(`[data-testid="kb-row"][data-article-id="${a.id}"]`), a.title);
      }
      const abroad = list.find((a) => a.title === 'Do you ship abroad?');
      await expectText(page.locator(`[data-testid="kb-row"][data-article-id="${abroad.id}"]`), 'Shipping');
    });

    test('export: JSON of every article, CSV of one language', async () => {
      await tap(page.getByTestId('kb-open-export'));
      const json = await download('kb-export-json');
      assert.match(json.name, /\.json$/);
      const items = JSON.parse(json.text);
      assert.equal(items.length, 3);
      const zh = items.find((a) => a.title === ZH_TITLE);
      assert.equal(zh.locale, 'zh-CN');
      assert.deepEqual(zh.questions, ['钱什么时候退回来', '退款要等几天']);

      await page.getByTestId('kb-export-locale').selectOption('en');
      const csv = await download('kb-export-csv');
      assert.match(csv.name, /\.csv$/);
      assert.ok(csv.text.startsWith(HEADER), csv.text.slice(0, 80));
      assert.ok(csv.text.includes('How do I track my parcel?'), csv.text);
      assert.ok(!csv.text.includes(ZH_TITLE), 'only English articles');
      await shot('3-export');
      await page.keyboard.press('Escape');
      await page.getByTestId('kb-export-dialog').waitFor({ state: 'detached' });
    });

    test('editor: an article limited to one inbox, then back to all', async () => {
      await tap(page.locator(`[data-testid="kb-row"][data-article-id="${zhId}"] a`));
      await expectHash(page, `#/kb/articles/${zhId}`);
      const list = page.getByTestId('kb-inbox-list');
      await page.getByTestId('kb-inboxes-all').waitFor({ state: 'attached' });
      assert.ok(await page.getByTestId('kb-inboxes-all').isChecked());
      assert.ok(await list.isHidden(), 'no inbox list while "all inboxes"');
      await page.getByTestId('kb-inboxes-some').check();
      await list.waitFor();
      await page.getByTestId(`kb-inbox-${inboxId}`).check();
      await tap(page.getByTestId('kb-form-submit'));
      await eventually(async () => {
        const a = await apiGet(page, `/api/kb/articles/${zhId}`);
        return JSON.stringify(a.inbox_ids) === JSON.stringify([inboxId]);
      }, 'limited to the inbox');
      await saveDone();
      if (phone) await noHorizontalScroll(page, 'the editor');
      await shot('4-inboxes');

      await page.getByTestId('kb-inboxes-all').check();
      await tap(page.getByTestId('kb-form-submit'));
      await eventually(async () => (await apiGet(page, `/api/kb/articles/${zhId}`)).inbox_ids === null, 'all inboxes');
    });

    test('the page logged no errors', () => {
      assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
    });
  });
}
