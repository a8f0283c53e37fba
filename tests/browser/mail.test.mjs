// Mail in the console, in Debian's chromium against the real server and a real
// SMTP server (Python's aiosmtpd keeping every mail in a Maildir): Settings →
// Email (save the SMTP server, the password never shown again, a test email
// that arrives, a test that fails with the server's words), an invitation that
// is emailed and shows in the mail log, and "Forgot password?" on the login
// page. Desktop runs in English, the phone (375 px) in Chinese.
//
//   cargo build --bin kefu && cd tests/browser && KEFU_BIN=../../target/debug/kefu node --test mail.test.mjs
//
// Env: KEFU_TEST_PYTHON (a Python with aiosmtpd, default /usr/bin/python3).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  eventually, expectText, freePort, screenshotsDir, sharedBrowser, sleep, startServer, stopServer, VIEWPORTS,
} from './harness.mjs';

const SHOTS = screenshotsDir('kefu-mail-screens');
const PYTHON = process.env.KEFU_TEST_PYTHON || '/usr/bin/python3';
const OWNER = { shop_name: '小鹿茶铺', name: 'Lin Mei', email: 'owner@example.com', password: 'tea-leaves-and-honey-42' };
const COLLEAGUE = 'zhou.jie@example.com';
const FILE_SMTP = { host: 'mail.little-deer.example', from_email: 'hello@little-deer.example' };

const TEXT = {
  'en-US': {
    sourceNone: 'No mail server is set up yet', sourceConsole: 'saved here in the console',
    sourceFile: 'These settings come from kefu.toml', passwordFile: 'saving here does not copy it',
    passwordSet: 'A password is set', unchanged: 'unchanged', saved: 'Email settings saved',
    testOk: 'Sent to', testFailed: 'The test email was not sent', emailed: `Emailed to ${COLLEAGUE}`,
    invite: 'Agent invitation', sent: 'Sent', detail: { queued: 'Last error:', failed: 'Not sent:' },
    retried: `The email to ${COLLEAGUE} is queued again`, forgot: 'Forgot password?',
    forgotSent: 'If an account uses this address, we have sent a link to reset the password. It works for 24 hours.',
    logEmpty: 'No emails yet', reset: 'Password reset',
  },
  'zh-CN': {
    sourceNone: '尚未设置邮件服务器', sourceConsole: '在控制台中保存的',
    sourceFile: '当前设置来自 kefu.toml', passwordFile: '在这里保存不会复制它',
    passwordSet: '已设置密码', unchanged: '不修改', saved: '邮件设置已保存',
    testOk: '已发送至', testFailed: '测试邮件未能发出', emailed: `已发送邮件至 ${COLLEAGUE}`,
    invite: '客服邀请', sent: '已发送', detail: { queued: '上次错误：', failed: '未发出：' },
    retried: `发往 ${COLLEAGUE} 的邮件已重新排队`, forgot: '忘记密码？',
    forgotSent: '如果有账号使用这个地址，我们已发送重置密码的链接，24 小时内有效。',
    logEmpty: '还没有邮件', reset: '密码重置',
  },
};

const expectHash = (page, hash) => page.waitForURL((u) => new URL(u).hash === hash, { timeout: 10_000 });
const tapOrClick = (locator, phone) => (phone ? locator.tap() : locator.click());

async function apiGet(page, apiPath) {
  const res = await page.request.get(apiPath);
  return { status: res.status(), body: await res.json().catch(() => null) };
}

async function noHorizontalScroll(page, where) {
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= 375, `horizontal scroll on ${where}: scrollWidth ${scrollWidth} > 375`);
}

function portOpen(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    sock.once('connect', () => { sock.destroy(); resolve(true); });
    sock.once('error', () => resolve(false));
  });
}

/** aiosmtpd on a free port, storing mail in `<dir>/maildir` (new mail lands in maildir/new). */
async function startSmtp() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-browser-smtp-'));
  const maildir = path.join(dir, 'maildir');
  const port = await freePort();
  const child = spawn(PYTHON, ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`,
    '-c', 'aiosmtpd.handlers.Mailbox', maildir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });
  const deadline = Date.now() + 15_000;
  while (!(await portOpen(port))) {
    if (exited) throw new Error(`aiosmtpd exited (${JSON.stringify(exited)}); is it installed for ${PYTHON}?\n${log}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`aiosmtpd did not listen on ${port} within 15 s:\n${log}`);
    }
    await sleep(100);
  }
  const files = () => {
    try {
      return fs.readdirSync(path.join(maildir, 'new')).map((f) => fs.readFileSync(path.join(maildir, 'new', f), 'utf8'));
    } catch {
      return [];
    }
  };
  const stop = async () => {
    if (!exited) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { port, files, stop };
}

const browser = sharedBrowser(SHOTS);

for (const vp of VIEWPORTS) {
  describe(`mail on ${vp.name}`, () => {
    const phone = vp.name === 'phone';
    const L = TEXT[vp.locale];
    // The desktop's server starts with an [smtp] section (from KEFU_SMTP_*) and
    // retries a mail it could not send (it waits, queued). The phone's starts
    // with no mail server and gives up at the first failure, so its mail fails
    // and is sent again with Retry.
    const fromFile = !phone;
    const waits = phone ? 'failed' : 'queued';
    const serverEnv = fromFile
      ? { KEFU_SMTP_HOST: FILE_SMTP.host, KEFU_SMTP_USERNAME: 'shop', KEFU_SMTP_PASSWORD: 'from-the-file',
        KEFU_SMTP_FROM: `Little Deer <${FILE_SMTP.from_email}>` }
      : { KEFU_OUTBOX_GIVE_UP_HOURS: '0' };
    let srv;
    let smtp;
    let closedPort;
    let context;
    let page;
    const consoleErrors = [];
    const shot = (p, name) => p.screenshot({ path: path.join(SHOTS, `mail-${vp.name}-${name}.png`), fullPage: true });
    const smtpView = async () => (await apiGet(page, '/api/settings/smtp')).body;
    const openEmail = async () => {
      await tapOrClick(page.getByTestId('nav-settings'), phone);
      await tapOrClick(page.getByTestId('settings-tab-email'), phone);
      await expectHash(page, '#/settings/email');
      await page.getByTestId('smtp-form').waitFor();
    };
    /** Save the SMTP form with `port` (the rest as typed before). */
    const savePort = async (port) => {
      await page.getByTestId('smtp-port').fill(String(port));
      await tapOrClick(page.getByTestId('smtp-form-submit'), phone);
      await eventually(async () => (await smtpView()).port === port, `port ${port} saved`);
      await expectText(page.getByTestId('smtp-source'), L.sourceConsole);
    };
    const sendTest = async () => {
      await tapOrClick(page.getByTestId('smtp-test-submit'), phone);
      await page.locator('[data-testid="smtp-test-result"]:not([hidden])').waitFor();
      return page.getByTestId('smtp-test-result');
    };
    /** The mail log row of `template`, after pressing Refresh until `pred(row)` holds. */
    const logRow = async (template, status) => {
      const row = page.locator(`[data-testid="mail-row"][data-status="${status}"]`)
        .filter({ has: page.getByTestId('mail-template').getByText(template, { exact: true }) });
      await eventually(async () => {
        if (await row.count()) return true;
        await tapOrClick(page.getByTestId('mail-refresh'), phone);
        await sleep(300);
        return false;
      }, `a ${status} "${template}" row in the mail log`, 15_000);
      return row.first();
    };

    before(async () => {
      // startServer passes this process's environment on to kefu.
      Object.assign(process.env, serverEnv);
      try {
        [srv, smtp, closedPort] = await Promise.all([startServer(), startSmtp(), freePort()]);
      } finally {
        for (const name of Object.keys(serverEnv)) delete process.env[name];
      }
      context = await browser().newContext({ ...vp.options, baseURL: srv.base, locale: vp.locale });
      page = await context.newPage();
      page.setDefaultTimeout(10_000);
      page.on('console', (msg) => { if (msg.type() === 'error') consoleErrors.push(msg.text()); });
      page.on('pageerror', (err) => consoleErrors.push(String(err)));
    });
    after(async () => {
      if (context) await context.close();
      await stopServer(srv);
      if (smtp) await smtp.stop();
    });

    test(`Settings → Email before anything is saved (${fromFile ? 'kefu.toml' : 'no mail server'})`, async () => {
      const setup = await page.request.post('/api/setup', { data: OWNER });
      assert.equal(setup.status(), 201, await setup.text());
      await page.goto('/');
      await expectHash(page, '#/inbox');
      await openEmail();
      if (fromFile) {
        await expectText(page.getByTestId('smtp-source'), L.sourceFile);
        assert.equal(await page.getByTestId('smtp-source').getAttribute('data-source'), 'config_file');
        assert.equal(await page.getByTestId('smtp-host').inputValue(), FILE_SMTP.host);
        assert.equal(await page.getByTestId('smtp-from-email').inputValue(), FILE_SMTP.from_email);
        assert.equal(await page.getByTestId('smtp-from-name').inputValue(), 'Little Deer');
        // Saving here would not keep kefu.toml's password: no "unchanged" promise.
        await expectText(page.getByTestId('smtp-password-state'), L.passwordFile);
        assert.equal(await page.getByTestId('smtp-password').getAttribute('placeholder'), null);
      } else {
        await expectText(page.getByTestId('smtp-source'), L.sourceNone);
        assert.equal(await page.getByTestId('smtp-source').getAttribute('data-source'), 'none');
      }
      assert.equal(await page.getByTestId('smtp-remove').count(), 0, 'nothing saved in the console to remove');
      assert.equal(await page.getByTestId('smtp-test-to').inputValue(), OWNER.email, 'the test goes to me by default');
      await expectText(page.getByTestId('mail-list-empty'), L.logEmpty);
      if (phone) await noHorizontalScroll(page, 'Settings → Email');
      await shot(page, '1-email-empty');
    });

    test('save the SMTP server: the port follows the encryption, the password is never shown', async () => {
      await page.getByTestId('smtp-host').fill('127.0.0.1');
      assert.equal(await page.getByTestId('smtp-port').inputValue(), '587');
      await page.getByTestId('smtp-tls').selectOption('none');
      assert.equal(await page.getByTestId('smtp-port').inputValue(), '25', 'a default port follows the choice');
      await page.getByTestId('smtp-port').fill(String(smtp.port));
      await page.getByTestId('smtp-tls').selectOption('tls');
      assert.equal(await page.getByTestId('smtp-port').inputValue(), String(smtp.port), 'a typed port stays');
      await page.getByTestId('smtp-tls').selectOption('none');
      await page.getByTestId('smtp-username').fill('');
      await page.getByTestId('smtp-password').fill('s3cret pass');
      await page.getByTestId('smtp-from-name').fill(OWNER.shop_name);
      await page.getByTestId('smtp-from-email').fill('service@shop.example');
      await tapOrClick(page.getByTestId('smtp-plus'), phone);
      await tapOrClick(page.getByTestId('smtp-form-submit'), phone);

      await expectText(page.getByTestId('smtp-source'), L.sourceConsole);
      await expectText(page.getByTestId('toast').last(), L.saved);
      assert.equal(await page.getByTestId('smtp-password').inputValue(), '', 'the password field is empty');
      assert.equal(await page.getByTestId('smtp-password').getAttribute('placeholder'), L.unchanged);
      await expectText(page.getByTestId('smtp-password-state'), L.passwordSet);
      assert.equal(await page.getByTestId('smtp-port').inputValue(), String(smtp.port));
      assert.equal(await page.getByTestId('smtp-plus').isChecked(), true);
      await page.getByTestId('smtp-remove').waitFor();
      const view = await smtpView();
      assert.deepEqual(view, {
        source: 'console', host: '127.0.0.1', port: smtp.port, tls: 'none', username: '', password_set: true,
        from_name: OWNER.shop_name, from_email: 'service@shop.example', plus_addressing: true,
      });
      assert.ok(!JSON.stringify(view).includes('s3cret'), 'the password never comes back');

      // Saving again without typing a password keeps it.
      await page.getByTestId('smtp-from-name').fill(`${OWNER.shop_name} 客服`);
      await tapOrClick(page.getByTestId('smtp-form-submit'), phone);
      await eventually(async () => (await smtpView()).from_name === `${OWNER.shop_name} 客服`, 'the new name saved');
      assert.equal((await smtpView()).password_set, true, 'the stored password is kept');
      if (phone) await noHorizontalScroll(page, 'Settings → Email, saved');
    });

    test('a test email arrives and the server\'s answer is shown', async () => {
      const result = await sendTest();
      assert.equal(await result.getAttribute('data-state'), 'ok');
      await expectText(result, `${L.testOk} ${OWNER.email}`);
      const reply = await page.getByTestId('smtp-test-reply').innerText();
      assert.match(reply, /250/, `the SMTP reply is shown: ${reply}`);
      const mails = await eventually(() => (smtp.files().length === 1 ? smtp.files() : null), 'the test mail in the Maildir');
      assert.match(mails[0], new RegExp(`X-RcptTo: ${OWNER.email}`), 'sent to the owner');
      if (phone) await noHorizontalScroll(page, 'test email sent');
      await shot(page, '2-test-sent');
    });

    test('a test through a closed port shows why it failed, in the test box', async () => {
      await savePort(closedPort);
      const result = await sendTest();
      assert.equal(await result.getAttribute('data-state'), 'error');
      assert.equal(await result.getAttribute('role'), 'alert');
      await expectText(result, L.testFailed);
      assert.match(await result.innerText(), /refused|connect/i, 'the connection error is in the server\'s words');
      assert.equal(smtp.files().length, 1, 'nothing more arrived');
      if (phone) await noHorizontalScroll(page, 'test email failed');
      await shot(page, '3-test-failed');
    });

    test(`an invitation is emailed; the mail log shows it ${waits}, then sent`, async () => {
      await tapOrClick(page.getByTestId('settings-tab-agents'), phone);
      await expectHash(page, '#/settings/agents');
      await tapOrClick(page.getByTestId('invite-open'), phone);
      const dlg = page.getByTestId('invite-dialog');
      await dlg.getByTestId('invite-email-input').fill(COLLEAGUE);
      await tapOrClick(dlg.getByTestId('invite-create-submit'), phone);
      await expectText(dlg.getByTestId('invite-emailed'), L.emailed);
      const link = await dlg.getByTestId('secret-value').inputValue();
      assert.match(link, /#\/invite\//, 'the link can still be copied');
      await shot(page, '4-invite-emailed');
      await tapOrClick(dlg.getByTestId('dialog-done'), phone);

      // The SMTP server still points at a closed port: the mail waits (or, on the
      // phone, has failed) and says why.
      await tapOrClick(page.getByTestId('settings-tab-email'), phone);
      await page.getByTestId('smtp-form').waitFor();
      const row = await logRow(L.invite, waits);
      await eventually(async () => {
        if ((await row.getByTestId('mail-detail').innerText()).includes(L.detail[waits])) return true;
        await tapOrClick(page.getByTestId('mail-refresh'), phone);
        await sleep(300);
        return false;
      }, `the error on the ${waits} invitation`, 15_000);
      assert.match(await row.getByTestId('mail-detail').innerText(), /refused|connect/i);
      await expectText(row.getByTestId('mail-to'), COLLEAGUE);
      const other = waits === 'queued' ? 'failed' : 'queued';
      await tapOrClick(page.getByTestId(`mail-filter-${other}`), phone);
      await page.getByTestId('mail-list-empty').waitFor();
      await tapOrClick(page.getByTestId(`mail-filter-${waits}`), phone);
      await page.getByTestId('mail-row').first().waitFor();
      assert.equal(await page.getByTestId(`mail-filter-${waits}`).getAttribute('aria-pressed'), 'true');
      if (phone) await noHorizontalScroll(page, `mail log, ${waits}`);
      await shot(page, `5-log-${waits}`);

      // Back to the working port: saving sends what waited; a failed mail needs Retry.
      await savePort(smtp.port);
      if (waits === 'failed') {
        const failed = await logRow(L.invite, 'failed');
        await tapOrClick(failed.getByTestId('mail-retry'), phone);
        await expectText(page.getByTestId('toast').last(), L.retried);
      }
      await tapOrClick(page.getByTestId('mail-filter-all'), phone);
      const sent = await logRow(L.invite, 'sent');
      await expectText(sent.getByTestId('mail-status'), L.sent);
      await expectText(sent.getByTestId('mail-to'), COLLEAGUE);
      assert.equal(await sent.getByTestId('mail-retry').count(), 0, 'nothing to retry');
      const mails = await eventually(() => (smtp.files().length === 2 ? smtp.files() : null), 'the invitation mail');
      assert.ok(mails.some((m) => m.includes(`X-RcptTo: ${COLLEAGUE}`)), 'the invitation went to the colleague');
      if (phone) await noHorizontalScroll(page, 'mail log, sent');
      await shot(page, '6-log-sent');
    });

    test('"Forgot password?" on the login page sends a reset link', async () => {
      const guest = await browser().newContext({ ...vp.options, baseURL: srv.base, locale: vp.locale });
      try {
        const p = await guest.newPage();
        p.setDefaultTimeout(10_000);
        await p.goto('/');
        await expectHash(p, '#/login');
        await expectText(p.getByTestId('login-forgot'), L.forgot);
        await p.getByTestId('login-email').fill(OWNER.email);
        await tapOrClick(p.getByTestId('login-forgot'), phone);
        await expectHash(p, '#/forgot');
        assert.equal(await p.getByTestId('forgot-email').inputValue(), OWNER.email, 'the address typed at login');
        if (phone) await noHorizontalScroll(p, 'forgot password');
        await shot(p, '7-forgot');
        await tapOrClick(p.getByTestId('forgot-form-submit'), phone);
        await expectText(p.getByTestId('forgot-sent'), L.forgotSent);
        await shot(p, '8-forgot-sent');
        const mails = await eventually(() => (smtp.files().length === 3 ? smtp.files() : null), 'the reset mail');
        assert.equal(mails.filter((m) => m.includes(`X-RcptTo: ${OWNER.email}`)).length, 2,
          'the test email and now the reset link went to the owner');

        // An unknown address gets the same answer.
        await tapOrClick(p.getByTestId('forgot-back'), phone);
        await expectHash(p, '#/login');
        await tapOrClick(p.getByTestId('login-forgot'), phone);
        await p.getByTestId('forgot-email').fill('nobody@example.com');
        await tapOrClick(p.getByTestId('forgot-form-submit'), phone);
        await expectText(p.getByTestId('forgot-sent'), L.forgotSent);
        await tapOrClick(p.getByTestId('forgot-back'), phone);
        await p.getByTestId('login-form').waitFor();
      } finally {
        await guest.close();
      }
      await sleep(500);
      assert.equal(smtp.files().length, 3, 'no mail for an unknown address');
      await logRow(L.reset, 'sent');
    });

    test('remove the console\'s settings (with a confirmation)', async () => {
      await tapOrClick(page.getByTestId('smtp-remove'), phone);
      await tapOrClick(page.getByTestId('confirm-cancel'), phone);
      assert.equal((await smtpView()).source, 'console', 'cancel keeps them');
      await tapOrClick(page.getByTestId('smtp-remove'), phone);
      await tapOrClick(page.getByTestId('confirm-ok'), phone);
      // kefu.toml's [smtp] applies again, if there is one.
      await expectText(page.getByTestId('smtp-source'), fromFile ? L.sourceFile : L.sourceNone);
      const view = await smtpView();
      assert.equal(view.source, fromFile ? 'config_file' : 'none');
      assert.equal(await page.getByTestId('smtp-host').inputValue(), fromFile ? FILE_SMTP.host : '');
      assert.equal(await page.getByTestId('smtp-remove').count(), 0);
      // The failed test email is a 400 the browser logs as a failed resource; nothing else may show.
      const real = consoleErrors.filter((e) => !/Failed to load resource/.test(e));
      assert.deepEqual(real, [], 'no errors in the browser console');
    });
  });
}
