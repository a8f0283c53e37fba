// The email inbox in the console, in Debian's chromium against the real server:
// Settings → Email → the IMAP form (refused when incomplete, saved against a
// closed port: the status line and "Test connection" then say why, translated,
// with the server's words; the password never shown again), the incoming mail
// log (each outcome translated, paged with "Load more", a row's ticket link
// opening the ticket), an emailed reply in a ticket's timeline (the quoted text
// folded away, an automatic reply tagged, a PDF as a download, a late SLA target
// saying when it was due) and "Stop reading". Desktop in English, the phone in
// Chinese. Fetched mail, email events and the SLA clock are put into the
// database with the sqlite3 command-line tool.
//
//   cargo build --bin kefu && cd tests/browser && KEFU_BIN=../../target/debug/kefu node --test inbox-mail.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import {
  apiGet, apiOk, eventually, expectHash, expectText, freePort, screenshotsDir, sharedBrowser,
  startServer, stopServer, tapOrClick, VIEWPORTS,
} from './harness.mjs';

const SHOTS = screenshotsDir('kefu-inbox-mail-screens');
const OWNER = { shop_name: '小鹿茶铺', name: 'Lin Mei', email: 'owner@example.com', password: 'tea-leaves-and-honey-42' };
const CUSTOMER = { name: '李雷', email: 'lilei@example.com', phone: null };
const TEXT = {
  'en-US': {
    off: 'No mailbox is set up', explain: 'never marks mail as read', hostRequired: 'IMAP server is required.',
    invalidHost: "Enter the mail server's host name", saved: 'Inbox settings saved', passwordSet: 'A password is set',
    unchanged: 'unchanged', connect: 'Could not reach the mail server', stopped: 'kefu no longer reads this mailbox',
    outcome: { new_ticket: 'New ticket', ticket_reply: 'Reply to a ticket', ignored: 'Out-of-office — ignored',
      too_large: 'Too large (over 25 MB) — not fetched', duplicate: 'Duplicate' },
    show: 'Show quoted text', hide: 'Hide quoted text', automatic: 'Automatic reply', download: 'Download attachment',
    missed: (at) => `missed — was due ${at} (took 1 h 30 min)`,
  },
  'zh-CN': {
    off: '尚未设置收件邮箱', explain: '从不把邮件标为已读', hostRequired: '请填写IMAP 服务器。',
    invalidHost: '请填写邮件服务器的主机名', saved: '收件设置已保存', passwordSet: '已设置密码',
    unchanged: '不修改', connect: '无法连接邮件服务器', stopped: 'kefu 已停止读取这个邮箱',
    outcome: { new_ticket: '新工单', ticket_reply: '工单回复', ignored: '自动回复（如休假）：已忽略',
      too_large: '太大（超过 25 MB）：未收取', duplicate: '重复邮件' },
    show: '显示引用的内容', hide: '隐藏引用的内容', automatic: '自动回复', download: '下载附件',
    missed: (at) => `未达标：应于 ${at} 前完成（用时 1 小时 30 分钟）`,
  },
};




async function noHorizontalScroll(page, where) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= 375, `horizontal scroll on ${where}: scrollWidth ${w} > 375`);
}

const browser = sharedBrowser(SHOTS);

for (const vp of VIEWPORTS) {
  describe(`email inbox on ${vp.name}`, () => {
    const phone = vp.name === 'phone';
    const L = TEXT[vp.locale];
    let srv;
    let context;
    let page;
    let closedPort;
    let ticket;
    const errors = [];
    const shot = (name) => page.screenshot({ path: path.join(SHOTS, `inbox-mail-${vp.name}-${name}.png`), fullPage: true });
    const fit = async (where) => { if (phone) await noHorizontalScroll(page, where); };
    const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(srv.dataDir, 'kefu.db'), q]);
    const imapView = () => apiGet(page, '/api/settings/imap');
    const formError = () => page.getByTestId('imap-form').getByTestId('form-error');
    const save = () => tapOrClick(page.getByTestId('imap-form-submit'), phone);
    const openEmail = async () => {
      await tapOrClick(page.getByTestId('nav-settings'), phone);
      await tapOrClick(page.getByTestId('settings-tab-email'), phone);
      await expectHash(page, '#/settings/email');
      await page.getByTestId('imap-form').waitFor();
    };

    before(async () => {
      [srv, closedPort] = await Promise.all([startServer(), freePort()]);
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

    test('the IMAP form: refused when incomplete, saved against a closed port, the error shown', async () => {
      const setup = await page.request.post('/api/setup', { data: OWNER });
      assert.equal(setup.status(), 201, await setup.text());
      await page.goto('/');
      await expectHash(page, '#/inbox');
      await openEmail();
      await expectText(page.getByTestId('imap-explain'), L.explain);
      await expectText(page.getByTestId('imap-status'), L.off);
      assert.equal(await page.getByTestId('imap-status').getAttribute('data-state'), 'off');
      assert.equal(await page.getByTestId('imap-stop').count(), 0, 'nothing to stop');
      assert.equal(await page.getByTestId('imap-test').count(), 0, 'nothing to test');

      // The port follows the encryption until one is typed.
      assert.equal(await page.getByTestId('imap-port').inputValue(), '993');
      await page.getByTestId('imap-tls').selectOption('starttls');
      assert.equal(await page.getByTestId('imap-port').inputValue(), '143');
      await page.getByTestId('imap-tls').selectOption('tls');
      assert.equal(await page.getByTestId('imap-port').inputValue(), '993');
      assert.equal(await page.getByTestId('imap-folder').inputValue(), 'INBOX');

      // No host: refused here; a host with a space: refused by the server, translated.
      await page.getByTestId('imap-username').fill('service@shop.example');
      await page.getByTestId('imap-password').fill('imap-secret-42');
      await save();
      await expectText(formError(), L.hostRequired);
      assert.equal(await page.getByTestId('imap-host').getAttribute('aria-invalid'), 'true');
      await page.getByTestId('imap-host').fill('imap shop');
      await save();
      await expectText(formError(), L.invalidHost);
      assert.equal((await imapView()).configured, false, 'nothing saved');

      await page.getByTestId('imap-host').fill('127.0.0.1');
      await page.getByTestId('imap-tls').selectOption('none');
      await page.getByTestId('imap-port').fill(String(closedPort));
      await page.getByTestId('imap-poll').fill('30');
      await save();
      await expectText(page.getByTestId('toast').last(), L.saved);
      await page.getByTestId('imap-stop').waitFor();
      assert.equal(await page.getByTestId('imap-password').inputValue(), '', 'the password field is empty');
      assert.equal(await page.getByTestId('imap-password').getAttribute('placeholder'), L.unchanged);
      await expectText(page.getByTestId('imap-password-state'), L.passwordSet);
      const view = await imapView();
      assert.deepEqual({ ...view, status: undefined }, {
        configured: true, host: '127.0.0.1', port: closedPort, tls: 'none', username: 'service@shop.example',
        password_set: true, folder: 'INBOX', poll_secs: 30, new_threads: 'ticket', status: undefined });
      assert.ok(!JSON.stringify(view).includes('imap-secret'), 'the password never comes back');

      // The reader tries at once and fails: the status line says so, within seconds.
      const status = page.locator('[data-testid="imap-status"][data-state="error"]');
      await status.waitFor({ timeout: 8000 });
      await expectText(status.getByTestId('imap-status-error'), L.connect);
      assert.match(await status.innerText(), /refused|connect/i, 'the server\'s words');
      assert.equal((await imapView()).status.error_code, 'imap_connect_failed');

      await tapOrClick(page.getByTestId('imap-test'), phone);
      const result = page.locator('[data-testid="imap-test-result"][data-state="error"]');
      await expectText(result, L.connect);
      assert.match(await result.innerText(), /refused|connect/i);
      assert.equal(await result.getAttribute('role'), 'alert');
      await fit('Settings → Email, inbox error');
      await shot('1-imap-error');
    });

    test('the incoming mail log: outcomes translated, "Load more", a ticket link that opens the ticket', async () => {
      ticket = (await apiOk(page, 'POST', '/api/tickets', { subject: '茶叶罐子破了', request: '收到的罐子是破的。',
        contact: CUSTOMER, notify_customer: false })).ticket;
      const now = Date.now();
      // 51 older duplicates push the four that matter onto the first page and one duplicate onto the second.
      sql(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 51)
        INSERT INTO inbound_mail (uid_validity, uid, from_email, subject, size, raw, outcome, received_at)
        SELECT 1, i, 'lilei@example.com', 'Re: again ' || i, 800, X'00', 'duplicate', ${now - 100_000} + i FROM n;
        INSERT INTO inbound_mail (uid_validity, uid, message_id, from_email, subject, size, raw, outcome, reason,
          ticket_id, received_at) VALUES
        (1, 100, '<a@mail>', 'lilei@example.com', '茶叶罐子破了', 1200, X'00', 'new_ticket', NULL, ${ticket.id}, ${now - 4000}),
        (1, 101, '<b@mail>', 'lilei@example.com', 'Re: 茶叶罐子破了', 900, X'00', 'ticket_reply', NULL, ${ticket.id}, ${now - 3000}),
        (1, 102, '<c@mail>', 'robot@example.com', 'Out of office', 500, X'00', 'ignored', 'auto_reply', NULL, ${now - 2000}),
        (1, 103, NULL, 'big@example.com', '视频 <b>big</b>', 31457280, NULL, 'too_large', NULL, NULL, ${now - 1000});`);

      await tapOrClick(page.getByTestId('mail-log-show-received'), phone);
      assert.equal(await page.getByTestId('mail-log').isVisible(), false, 'the sent log is put away');
      const log = page.getByTestId('inbound-log');
      const rows = log.getByTestId('inbound-row');
      await eventually(async () => (await rows.count()) === 50, 'the first page of 50');
      const row = (outcome) => log.locator(`[data-testid="inbound-row"][data-outcome="${outcome}"]`);
      for (const outcome of ['new_ticket', 'ticket_reply', 'ignored', 'too_large']) {
        await expectText(row(outcome).getByTestId('inbound-outcome'), L.outcome[outcome]);
      }
      await expectText(row('duplicate').first().getByTestId('inbound-outcome'), L.outcome.duplicate);
      assert.equal(await rows.first().getAttribute('data-outcome'), 'too_large', 'newest first');
      assert.equal(await row('too_large').getByTestId('inbound-subject').innerText(), '视频 <b>big</b>', 'text, not HTML');
      await expectText(row('too_large').getByTestId('inbound-size'), '30 MB');
      await expectText(row('ignored').getByTestId('inbound-from'), 'robot@example.com');
      assert.equal(await row('ignored').getByTestId('inbound-ticket').count(), 0, 'no ticket for an ignored mail');
      assert.equal(await row('new_ticket').getByTestId('inbound-ticket').getAttribute('href'), `#/tickets/${ticket.id}`);

      await tapOrClick(log.getByTestId('inbound-more'), phone);
      await eventually(async () => (await rows.count()) === 55, 'all 55 after "Load more"');
      await log.getByTestId('inbound-more').waitFor({ state: 'hidden' });
      await fit('incoming mail log');
      await shot('2-inbound-log');

      await tapOrClick(row('ticket_reply').getByTestId('inbound-ticket'), phone);
      await expectHash(page, `#/tickets/${ticket.id}`);
      await page.locator(`[data-testid="ticket-detail"][data-ticket-id="${ticket.id}"] [data-testid="ticket-number"]`)
        .waitFor();
      await expectText(page.getByTestId('ticket-number'), `#${ticket.number}`);
    });

    test('an emailed reply: quoted text behind a toggle, a robot\'s reply tagged, a PDF as a download', async () => {
      const now = Date.now();
      const due = now - 60_000;
      sql(`INSERT INTO attachments (token, sha256, mime, size, contact_id, created_at, filename)
          VALUES ('pdf-${vp.name}-token-0123456789abcdef', '${'0'.repeat(64)}', 'application/pdf', 20480,
          ${ticket.contact.id}, ${now}, '发票.pdf');
        INSERT INTO ticket_events (ticket_id, kind, public, author_kind, body, data, created_at) VALUES
        (${ticket.id}, 'customer_reply', 1, 'contact', '好的，谢谢！<i>不是HTML</i>',
          '{"email":{"quoted":"> 原文\\n> 第二行","automatic":null}}', ${now - 2000}),
        (${ticket.id}, 'customer_reply', 1, 'contact', 'I am out of the office.',
          '{"email":{"quoted":null,"automatic":"auto_reply"}}', ${now - 1000});
        INSERT INTO ticket_events (ticket_id, kind, public, author_kind, body, data, attachment_id, created_at)
        SELECT ${ticket.id}, 'customer_reply', 1, 'contact', '', '{}', id, ${now} FROM attachments
        WHERE token = 'pdf-${vp.name}-token-0123456789abcdef';
        INSERT INTO sla_clocks (ticket_id, metric, target_ms, business_hours, warn_percent, state, used_ms, warn_at,
          due_at, warned_at, breached_at, done_at)
        VALUES (${ticket.id}, 'first_response', 3600000, 0, 80, 'met', 5400000, ${due - 720_000}, ${due},
          ${due - 720_000}, ${due}, ${now});`);
      const events = (await apiGet(page, `/api/tickets/${ticket.id}`)).events.filter((e) => e.kind === 'customer_reply');
      assert.equal(events.length, 3);
      await page.reload();
      const reply = page.locator(`[data-testid="ticket-customer-reply"][data-event-id="${events[0].id}"]`);
      await expectText(reply.getByTestId('ticket-msg-body'), '好的，谢谢！<i>不是HTML</i>');
      const quoted = reply.getByTestId('ticket-quoted');
      const toggle = reply.getByTestId('ticket-quoted-toggle');
      assert.equal(await quoted.isVisible(), false, 'the quoted text is folded away');
      await expectText(toggle, L.show);
      assert.equal(await reply.getByTestId('ticket-automatic').count(), 0, 'a person wrote this one');
      await tapOrClick(toggle, phone);
      await expectText(quoted, '> 原文');
      assert.equal(await quoted.innerText(), '> 原文\n> 第二行', 'plain text, line breaks kept');
      assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
      await expectText(toggle, L.hide);

      const robot = page.locator(`[data-testid="ticket-customer-reply"][data-event-id="${events[1].id}"]`);
      await expectText(robot.getByTestId('ticket-automatic'), L.automatic);
      assert.equal(await robot.getByTestId('ticket-quoted-toggle').count(), 0, 'nothing quoted');

      const file = page.locator(`[data-testid="ticket-customer-reply"][data-event-id="${events[2].id}"]`);
      await expectText(file.getByTestId('ticket-file'), L.download);
      assert.equal(await file.getByTestId('ticket-file').getAttribute('href'), events[2].attachment.url);
      assert.equal(await file.locator('img').count(), 0, 'a PDF is not drawn as an image');
      // A target met late says when it was due (finished clocks keep their deadline).
      const clock = page.locator('[data-testid="ticket-sla-clock"][data-metric="first_response"]')
        .getByTestId('ticket-sla-state');
      await clock.waitFor({ state: 'attached' });
      assert.equal(await clock.getAttribute('data-state'), 'missed');
      const at = await page.evaluate((ms) => new Intl.DateTimeFormat(document.documentElement.lang,
        { hour: 'numeric', minute: '2-digit' }).format(new Date(ms)), due);
      assert.equal(await clock.textContent(), L.missed(at));
      await fit('ticket with an emailed reply');
      await shot('3-timeline');
    });

    test('"Stop reading" (with a confirmation)', async () => {
      // On the phone an open ticket covers the navigation: go by address.
      await page.goto('/#/settings/email');
      await page.getByTestId('imap-form').waitFor();
      await tapOrClick(page.getByTestId('imap-stop'), phone);
      await tapOrClick(page.getByTestId('confirm-cancel'), phone);
      assert.equal((await imapView()).configured, true, 'cancel keeps reading');
      await tapOrClick(page.getByTestId('imap-stop'), phone);
      await tapOrClick(page.getByTestId('confirm-ok'), phone);
      await expectText(page.getByTestId('toast').last(), L.stopped);
      await expectText(page.getByTestId('imap-status'), L.off);
      const view = await imapView();
      assert.equal(view.configured, false);
      assert.equal(view.password_set, false);
      assert.equal(await page.getByTestId('imap-host').inputValue(), '');
      assert.equal(await page.getByTestId('imap-stop').count(), 0);
      await shot('4-stopped');
      // The refused saves and the failed test are 400s the browser logs; nothing else may show.
      assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), [], 'no errors in the browser console');
    });
  });
}
