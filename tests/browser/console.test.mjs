// Drives the kefu console in Debian's chromium against the real server binary.
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

const SHOTS = screenshotsDir('kefu-screens');

const OWNER = { shop: '小鹿茶铺 Little Deer Tea', name: 'Lin Mei', email: 'owner@example.com', password: 'tea-leaves-and-honey-42' };
const TEAM = { name: '售后', description: '退款、换货和物流问题 — refunds, exchanges, delivery' };


const hashOf = (page) => new URL(page.url()).hash;

async function expectHash(page, hash) {
  await page.waitForURL((u) => new URL(u).hash === hash, { timeout: 10_000 });
  assert.equal(hashOf(page), hash);
}
/** GET a JSON API with the browser's cookies. */
async function apiGet(page, apiPath) {
  const res = await page.request.get(apiPath);
  return { status: res.status(), body: res.status() === 204 ? null : await res.json().catch(() => null) };
}

async function noHorizontalScroll(page, where) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  assert.ok(scrollWidth <= 375, `horizontal scroll on ${where}: scrollWidth ${scrollWidth} > 375 (client ${clientWidth})`);
}

async function tapOrClick(page, locator, phone) {
  if (phone) await locator.tap();
  else await locator.click();
}

const browser = sharedBrowser(SHOTS);

for (const vp of VIEWPORTS) {
  describe(`console on ${vp.name}`, () => {
    const phone = vp.name === 'phone';
    let srv;
    let context;
    let page;
    const consoleErrors = [];

    before(async () => {
      srv = await startServer();
      context = await browser().newContext({ ...vp.options, baseURL: srv.base, locale: 'en-US' });
      page = await context.newPage();
      page.setDefaultTimeout(10_000);
      page.on('console', (msg) => { if (msg.type() === 'error') consoleErrors.push(msg.text()); });
      page.on('pageerror', (err) => consoleErrors.push(String(err)));
    });

    after(async () => {
      if (context) await context.close();
      await stopServer(srv);
    });

    const shot = (name) => page.screenshot({ path: path.join(SHOTS, `${vp.name}-${name}.png`), fullPage: false });

    test('first visit shows the setup page', async () => {
      await page.goto('/');
      await expectHash(page, '#/setup');
      await expectText(page.getByTestId('auth-title'), 'Set up kefu');
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
      const setup = await apiGet(page, '/api/setup');
      assert.equal(setup.body.needed, true);
      if (phone) await noHorizontalScroll(page, 'setup');
      await shot('1-setup');
    });

    test('setup with an empty field shows an inline error and sends nothing', async () => {
      await page.getByTestId('setup-form-submit').click();
      await expectText(page.getByTestId('form-error'), 'Shop name');
      assert.equal((await apiGet(page, '/api/setup')).body.needed, true);
    });

    test('setup creates the owner and lands in the console, logged in', async () => {
      await page.getByTestId('setup-shop').fill(OWNER.shop);
      await page.getByTestId('setup-name').fill(OWNER.name);
      await page.getByTestId('setup-email').fill(OWNER.email);
      await page.getByTestId('setup-password').fill(OWNER.password);
      await page.getByTestId('setup-form-submit').click();
      await expectHash(page, '#/inbox');
      await expectText(page.getByTestId('page-title'), 'Inbox');
      await page.getByTestId('empty-inbox').waitFor();
      const me = await apiGet(page, '/api/me');
      assert.equal(me.status, 200);
      assert.equal(me.body.agent.email, OWNER.email);
      assert.equal(me.body.agent.role, 'owner');
      assert.equal(me.body.shop_name, OWNER.shop);
      assert.equal((await apiGet(page, '/api/setup')).body.needed, false);
      if (phone) await noHorizontalScroll(page, 'inbox');
      await shot('2-inbox');
    });

    test('navigation is laid out for the screen and reachable', async () => {
      const nav = page.getByTestId('nav');
      await nav.waitFor();
      const inbox = await page.getByTestId('nav-inbox').boundingBox();
      const settings = await page.getByTestId('nav-settings').boundingBox();
      const size = page.viewportSize();
      for (const box of [inbox, settings]) {
        assert.ok(box.x >= 0 && box.x + box.width <= size.width, 'nav item inside the viewport horizontally');
        assert.ok(box.y >= 0 && box.y + box.height <= size.height, 'nav item inside the viewport vertically');
        assert.ok(box.height >= 44, `nav touch target is ${box.height}px tall`);
      }
      if (phone) {
        // Bottom tab bar: items side by side, at the bottom of the screen.
        assert.equal(Math.round(inbox.y), Math.round(settings.y));
        assert.ok(settings.y > size.height / 2, 'tab bar at the bottom');
        assert.ok(settings.x > inbox.x);
      } else {
        // Sidebar: items stacked, on the left.
        assert.ok(settings.y > inbox.y);
        assert.equal(Math.round(inbox.x), Math.round(settings.x));
        assert.ok(settings.x < 300, 'sidebar on the left');
      }
      await tapOrClick(page, page.getByTestId('nav-tickets'), phone);
      await expectHash(page, '#/tickets');
      await page.getByTestId('empty-tickets').waitFor();
      await expectText(page.getByTestId('page-title'), 'Tickets');
    });

    test('log out, then a wrong password is refused, then log in again', async () => {
      await tapOrClick(page, page.getByTestId('nav-profile'), phone);
      await expectHash(page, '#/profile');
      await expectText(page.getByTestId('profile-email'), OWNER.email);
      if (phone) await noHorizontalScroll(page, 'profile');
      await shot('3-profile');
      await page.getByTestId('logout').click();
      await expectHash(page, '#/login');
      await page.getByTestId('login-form').waitFor();
      assert.equal((await apiGet(page, '/api/me')).status, 401);

      await page.getByTestId('login-email').fill(OWNER.email);
      await page.getByTestId('login-password').fill('not-the-password');
      await page.getByTestId('login-form-submit').click();
      const error = page.getByTestId('form-error');
      await error.waitFor({ state: 'visible' });
      assert.ok((await error.innerText()).trim().length > 0, 'the server message is shown');
      assert.equal(hashOf(page), '#/login');
      assert.equal((await apiGet(page, '/api/me')).status, 401);
      if (phone) await noHorizontalScroll(page, 'login');
      await shot('4-login-error');

      await page.getByTestId('login-password').fill(OWNER.password);
      await page.getByTestId('login-form-submit').click();
      await expectHash(page, '#/inbox');
      const me = await apiGet(page, '/api/me');
      assert.equal(me.status, 200);
      assert.equal(me.body.agent.email, OWNER.email);
    });

    test('Settings → Teams: create a team with a description and a member', async () => {
      await tapOrClick(page, page.getByTestId('nav-settings'), phone);
      await expectHash(page, '#/settings/agents');
      await expectText(page.getByTestId('agent-list'), OWNER.name);
      await tapOrClick(page, page.getByTestId('settings-tab-teams'), phone);
      await expectHash(page, '#/settings/teams');
      await page.getByTestId('team-list-empty').waitFor();

      await page.getByTestId('team-new').click();
      const dialog = page.getByTestId('team-dialog');
      await dialog.waitFor();
      if (phone) await noHorizontalScroll(page, 'team dialog');
      await dialog.getByTestId('team-name-input').fill(TEAM.name);
      await dialog.getByTestId('team-description-input').fill(TEAM.description);
      const me = (await apiGet(page, '/api/me')).body.agent;
      await dialog.getByTestId(`member-${me.id}`).check();
      await shot('5-team-dialog');
      await dialog.getByTestId('team-form-submit').click();
      await dialog.waitFor({ state: 'detached' });

      const row = page.getByTestId('team-row').filter({ hasText: TEAM.name });
      await row.waitFor();
      await expectText(row.getByTestId('team-name'), TEAM.name);
      await expectText(row.getByTestId('team-description'), TEAM.description);
      await expectText(row, OWNER.name);

      const { body } = await apiGet(page, '/api/teams');
      const team = body.teams.find((tm) => tm.name === TEAM.name);
      assert.ok(team, 'the team exists on the server');
      assert.equal(team.description, TEAM.description);
      assert.deepEqual(team.member_ids, [me.id]);
      if (phone) await noHorizontalScroll(page, 'teams');
      await shot('6-teams');
    });

    test('switching to 中文 translates the console and survives a reload', async () => {
      await page.getByTestId('lang-select').selectOption('zh-CN');
      await expectText(page.getByTestId('nav-settings'), '设置');
      await expectText(page.getByTestId('nav-inbox'), '会话');
      await expectText(page.getByTestId('settings-tab-teams'), '团队');
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
      await eventually(async () => (await apiGet(page, '/api/me')).body.agent.locale === 'zh-CN',
        'the locale saved on the agent');
      const cookies = await context.cookies();
      assert.equal(cookies.find((c) => c.name === 'kefu_lang')?.value, 'zh-CN');
      if (phone) await noHorizontalScroll(page, 'teams in Chinese');
      await shot('7-teams-zh');

      await page.reload();
      await expectHash(page, '#/settings/teams');
      await expectText(page.getByTestId('nav-settings'), '设置');
      await expectText(page.getByTestId('page-title'), '设置');
      await expectText(page.getByTestId('team-row').first(), TEAM.name);
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');

      await page.getByTestId('lang-select').selectOption('en');
      await expectText(page.getByTestId('nav-settings'), 'Settings');
      await eventually(async () => (await apiGet(page, '/api/me')).body.agent.locale === 'en',
        'the locale saved back to English');
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    });

    test('a visitor whose browser prefers Chinese gets the login page in Chinese', async () => {
      const zh = await browser().newContext({ ...vp.options, baseURL: srv.base, locale: 'zh-CN' });
      try {
        const p = await zh.newPage();
        await p.goto('/');
        await expectHash(p, '#/login');
        await expectText(p.getByTestId('auth-title'), '登录');
        await expectText(p.getByTestId('login-form-submit'), '登录');
        assert.equal(await p.evaluate(() => document.documentElement.lang), 'zh-CN');
        const cookies = await zh.cookies();
        assert.equal(cookies.find((c) => c.name === 'kefu_lang')?.value, 'zh-CN');
        if (phone) await noHorizontalScroll(p, 'login in Chinese');
        await p.screenshot({ path: path.join(SHOTS, `${vp.name}-8-login-zh.png`) });
      } finally {
        await zh.close();
      }
    });

    test('the page logged no errors', () => {
      // A failed API call shows in the console as a resource error; anything else is a bug.
      const real = consoleErrors.filter((e) => !/Failed to load resource/.test(e));
      assert.deepEqual(real, []);
    });
  });
}
