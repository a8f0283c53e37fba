// Conversations by email in the console, in Debian's chromium against the real
// server: an agent's reply to a customer who has left the chat goes out by
// email and says so under the bubble (queued, failed with the reason and
// Retry, sent), a customer's answer by email is tagged, "Email transcript"
// sends a copy of the chat (and says why not when the customer has no
// address), the email inbox setting "New mail threads become" saves, and the
// email inbox itself: an envelope in Settings → Inboxes (name and team only),
// on its conversations in the list and the header, a PDF from a mail as a
// download in the console and in the customer's chat, and received mail that
// became a conversation linking to it. Desktop in English, the phone in
// Chinese. What only mail from outside can make (a message that came by email,
// the email inbox, the received mail log) is put into the database with the
// sqlite3 command-line tool.
//
//   cargo build --bin kefu && cd tests/browser && KEFU_BIN=../../target/debug/kefu node --test email-chat.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import {
  apiGet, apiOk, eventually, expectHash, expectText, freePort, screenshotsDir, sharedBrowser,
  startServer, stopServer, tapOrClick, VIEWPORTS,
} from './harness.mjs';

const SHOTS = screenshotsDir('kefu-email-chat-screens');
const OWNER = { shop_name: '小鹿茶铺', name: 'Lin Mei', email: 'owner@example.com', password: 'tea-leaves-and-honey-42' };
const WITH_EMAIL = { name: '李雷', email: 'lilei@example.com' };
const WITHOUT_EMAIL = { name: '韩梅梅' };
const REPLY = '您的茶叶今天发货。';
const SMTP_ERROR = '550 5.1.1 <lilei@example.com>: mailbox unavailable';
const TEXT = {
  'en-US': {
    queued: 'Emailing to lilei@example.com', sent: 'Emailed to lilei@example.com',
    failed: `Email failed: ${SMTP_ERROR}`, retry: 'Try again', via: 'by email',
    transcriptQueued: (to) => `Transcript queued for ${to}`, transcriptEvent: 'Lin Mei emailed the transcript',
    noEmail: 'This customer has no email address. Enter one.', invalid: 'Enter a valid email address.',
    ticket: 'Tickets', conversation: 'Conversations (chats in the inbox)', saved: 'Inbox settings saved',
    emailHint: 'Receives the mail read by the email inbox', newConversation: 'New conversation',
    conversationReply: 'Reply to a conversation', file: '发票.pdf', size: '20 KB',
  },
  'zh-CN': {
    queued: '正在通过邮件发送至 lilei@example.com', sent: '已通过邮件发送至 lilei@example.com',
    failed: `邮件发送失败：${SMTP_ERROR}`, retry: '重试', via: '邮件',
    transcriptQueued: (to) => `聊天记录已排队发送至 ${to}`, transcriptEvent: 'Lin Mei 通过邮件发送了聊天记录',
    noEmail: '该客户没有邮箱地址，请填写一个。', invalid: '请输入有效的邮箱地址',
    ticket: '工单', conversation: '会话（与聊天一起出现在会话列表中）', saved: '收件设置已保存',
    emailHint: '接收由收件邮箱', newConversation: '新会话', conversationReply: '会话回复', file: '发票.pdf',
    size: '20 KB',
  },
};

/** The customer's side: the widget's HTTP API, no browser. */
async function visitor(base, method, apiPath, token, body) {
  const headers = { 'Content-Type': 'application/json', ...(token ? { 'X-Kefu-Visitor': token } : {}) };
  const res = await fetch(`${base}${apiPath}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** A customer who writes `text` through the widget's API (prechat name and email); ids and token. */
async function customerWrites(base, inbox, who, text, clientId) {
  const s = await visitor(base, 'POST', '/api/widget/session', null, { inbox, locale: 'zh-CN', prechat: who });
  assert.equal(s.status, 200, JSON.stringify(s.body));
  const sent = await visitor(base, 'POST', '/api/widget/messages', s.body.visitor_token, { client_id: clientId, body: text });
  assert.equal(sent.status, 201, JSON.stringify(sent.body));
  return { token: s.body.visitor_token, convId: sent.body.conversation.id };
}

async function noHorizontalScroll(page, where) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= 375, `horizontal scroll on ${where}: scrollWidth ${w} > 375`);
}

const browser = sharedBrowser(SHOTS);

for (const vp of VIEWPORTS) {
  describe(`conversations by email on ${vp.name}`, () => {
    const phone = vp.name === 'phone';
    const L = TEXT[vp.locale];
    let srv;
    let context;
    let page;
    let inbox;
    let lilei;
    let meimei;
    let replyId;
    let emailInboxId;
    const errors = [];
    const shot = (name) => page.screenshot({ path: path.join(SHOTS, `email-chat-${vp.name}-${name}.png`) });
    const fit = async (where) => { if (phone) await noHorizontalScroll(page, where); };
    const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(srv.dataDir, 'kefu.db'), q]).toString();
    const conv = (id) => page.locator(`[data-testid="conversation"][data-conversation-id="${id}"]`);
    const openConversation = async (id) => {
      await page.evaluate((h) => { location.hash = h; }, `#/inbox/${id}`);
      await conv(id).getByTestId('thread').waitFor();
    };
    const reloadConversation = async (id) => {
      await page.reload();
      await conv(id).getByTestId('thread').waitFor();
    };
    /** "Email transcript": a button in the header on wide screens, the "more" menu on phones. */
    const openTranscript = async (id) => {
      if (phone) {
        await conv(id).getByTestId('conv-more').tap();
        await page.getByTestId('choice-transcript').tap();
      } else {
        await conv(id).getByTestId('conv-transcript').click();
      }
      const dialog = page.getByTestId('transcript-dialog');
      await dialog.waitFor();
      return dialog;
    };
    const replyMail = () => conv(lilei.convId).locator(`[data-testid="msg-agent"][data-message-id="${replyId}"]`)
      .getByTestId('msg-mail');

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

    test('setup: an inbox that asks for an email, one customer who left one and one who did not', async () => {
      const setup = await page.request.post('/api/setup', { data: OWNER });
      assert.equal(setup.status(), 201, await setup.text());
      await page.goto('/');
      await expectHash(page, '#/inbox');
      await apiOk(page, 'PUT', '/api/me/availability', { availability: 'online' });
      inbox = (await apiOk(page, 'POST', '/api/inboxes', { name: '小鹿茶铺 · 网站',
        prechat: { name: 'optional', email: 'optional', phone: 'off' } })).inbox;
      lilei = await customerWrites(srv.base, inbox.public_token, WITH_EMAIL, '我的茶叶什么时候发货？', 'c-1');
      meimei = await customerWrites(srv.base, inbox.public_token, WITHOUT_EMAIL, '可以开发票吗？', 'c-2');
      const d = await apiGet(page, `/api/conversations/${lilei.convId}`);
      assert.equal(d.contact.email, WITH_EMAIL.email);
    });

    test('a reply to a customer who left the chat is emailed: queued, failed with Retry, sent', async () => {
      await openConversation(lilei.convId);
      await page.getByTestId('reply-input').fill(REPLY);
      if (phone) await page.getByTestId('reply-send').tap();
      else await page.getByTestId('reply-input').press('Enter');
      const stored = await eventually(async () => (await apiGet(page, `/api/conversations/${lilei.convId}`)).messages
        .find((m) => m.sender === 'agent' && m.body === REPLY), 'the reply stored');
      replyId = stored.id;
      assert.equal(stored.mail && stored.mail.status, 'queued', `the reply is emailed: ${JSON.stringify(stored.mail)}`);
      assert.equal(stored.mail.to_email, WITH_EMAIL.email);
      const line = replyMail();
      await expectText(line, L.queued);
      assert.equal(await line.getAttribute('data-status'), 'queued');
      assert.equal(await line.getByTestId('msg-mail-retry').count(), 0, 'nothing to retry yet');
      const mail = (await apiGet(page, '/api/mail')).mails.find((m) => m.to_email === WITH_EMAIL.email);
      assert.ok(mail, 'the email is in the outbox');

      // The SMTP server refused it: the line says why and offers Retry.
      sql(`UPDATE outbox SET status = 'failed', attempts = 5, last_error = '${SMTP_ERROR}'
        WHERE about = 'message:${replyId}'`);
      await reloadConversation(lilei.convId);
      await expectText(replyMail(), L.failed);
      assert.equal(await replyMail().getAttribute('data-status'), 'failed');
      await fit('a reply whose email failed');
      await shot('1-failed');
      const retry = replyMail().getByTestId('msg-mail-retry');
      if (stored.mail.id !== undefined) {
        await expectText(retry, L.retry);
        await tapOrClick(retry, phone);
        await expectText(replyMail(), L.queued);
        const again = (await apiGet(page, '/api/mail')).mails.find((m) => m.id === stored.mail.id);
        assert.equal(again.status, 'queued', 'queued again on the server');
      } else {
        assert.equal(await retry.count(), 0, 'no Retry without the outbox id');
      }

      sql(`UPDATE outbox SET status = 'sent', last_error = NULL, sent_at = ${Date.now()} WHERE about = 'message:${replyId}'`);
      await reloadConversation(lilei.convId);
      await expectText(replyMail(), L.sent);
      assert.equal(await replyMail().getAttribute('data-status'), 'sent');
    });

    test('a customer\'s answer by email is tagged', async () => {
      sql(`INSERT INTO messages (conversation_id, inbox_id, sender_kind, body, via, created_at)
        VALUES (${lilei.convId}, ${inbox.id}, 'contact', '收到了，谢谢！<b>不是HTML</b>', 'email', ${Date.now()})`);
      await reloadConversation(lilei.convId);
      const answer = conv(lilei.convId).getByTestId('msg-contact').filter({ hasText: '收到了，谢谢！' });
      await expectText(answer.getByTestId('msg-via'), L.via);
      assert.equal(await answer.getByTestId('msg-body').innerText(), '收到了，谢谢！<b>不是HTML</b>', 'text, not HTML');
      const chat = conv(lilei.convId).getByTestId('msg-contact').filter({ hasText: '我的茶叶什么时候发货？' });
      assert.equal(await chat.getByTestId('msg-via').count(), 0, 'a message from the chat is not tagged');
      await shot('2-by-email');
    });

    test('"Email transcript": to the customer\'s address, to another, refused without one', async () => {
      let dialog = await openTranscript(lilei.convId);
      const to = dialog.getByTestId('transcript-to');
      assert.equal(await to.inputValue(), WITH_EMAIL.email, 'the customer\'s address filled in');
      await fit('the transcript dialog');
      await shot('3-transcript-dialog');
      await tapOrClick(dialog.getByTestId('transcript-form-submit'), phone);
      await dialog.waitFor({ state: 'detached' });
      await expectText(page.getByTestId('toast').last(), L.transcriptQueued(WITH_EMAIL.email));
      const sentTo = async (addr) => (await apiGet(page, '/api/mail')).mails
        .filter((m) => m.template === 'conversation_transcript' && m.to_email === addr);
      await eventually(async () => (await sentTo(WITH_EMAIL.email)).length === 1, 'the transcript in the mail log');
      await expectText(conv(lilei.convId).locator('[data-testid="timeline-event"][data-kind="transcript_sent"]'),
        L.transcriptEvent);

      // Another address; a wrong one is refused in the dialog.
      dialog = await openTranscript(lilei.convId);
      await dialog.getByTestId('transcript-to').fill('not an address');
      await tapOrClick(dialog.getByTestId('transcript-form-submit'), phone);
      await expectText(dialog.getByTestId('form-error'), L.invalid);
      assert.equal(await dialog.getByTestId('transcript-to').getAttribute('aria-invalid'), 'true');
      await dialog.getByTestId('transcript-to').fill('boss@example.com');
      await tapOrClick(dialog.getByTestId('transcript-form-submit'), phone);
      await dialog.waitFor({ state: 'detached' });
      await expectText(page.getByTestId('toast').last(), L.transcriptQueued('boss@example.com'));
      await eventually(async () => (await sentTo('boss@example.com')).length === 1, 'the copy to another address');

      // No address on file and none typed: the server's reason, in the dialog.
      await openConversation(meimei.convId);
      dialog = await openTranscript(meimei.convId);
      assert.equal(await dialog.getByTestId('transcript-to').inputValue(), '');
      await tapOrClick(dialog.getByTestId('transcript-form-submit'), phone);
      await expectText(dialog.getByTestId('form-error'), L.noEmail);
      assert.equal(await dialog.getByTestId('transcript-to').getAttribute('aria-invalid'), 'true');
      await fit('the transcript dialog with an error');
      await shot('4-transcript-no-email');
      await tapOrClick(dialog.getByTestId('transcript-cancel'), phone);
      await dialog.waitFor({ state: 'detached' });
    });

    test('the email inbox: "New mail threads become" saves and comes back', async () => {
      const closedPort = await freePort();
      await page.goto('/#/settings/email');
      const select = page.getByTestId('imap-new-threads');
      await select.waitFor();
      assert.equal(await select.inputValue(), 'ticket', 'tickets by default');
      const options = await select.locator('option').allInnerTexts();
      assert.deepEqual(options, [L.ticket, L.conversation]);
      await page.getByTestId('imap-host').fill('127.0.0.1');
      await page.getByTestId('imap-tls').selectOption('none');
      await page.getByTestId('imap-port').fill(String(closedPort));
      await page.getByTestId('imap-username').fill('service@shop.example');
      await page.getByTestId('imap-password').fill('imap-secret-42');
      await select.selectOption('conversation');
      await tapOrClick(page.getByTestId('imap-form-submit'), phone);
      await expectText(page.getByTestId('toast').last(), L.saved);
      assert.equal((await apiGet(page, '/api/settings/imap')).new_threads, 'conversation');
      await page.reload();
      await page.getByTestId('imap-new-threads').waitFor();
      assert.equal(await page.getByTestId('imap-new-threads').inputValue(), 'conversation');
      await fit('Settings → Email');
      await shot('5-new-threads');
      await tapOrClick(page.getByTestId('imap-stop'), phone);
      await tapOrClick(page.getByTestId('confirm-ok'), phone);
      await page.locator('[data-testid="imap-status"][data-state="off"]').waitFor();
    });

    test('the email inbox in Settings → Inboxes: an envelope, name and team only', async () => {
      const now = Date.now();
      sql(`INSERT INTO inboxes (kind, name, public_token, secret, created_at, updated_at)
        VALUES ('email', 'Email', 'email-${vp.name}-token-0123456789', 'secret-${vp.name}', ${now}, ${now})`);
      emailInboxId = Number(sql("SELECT id FROM inboxes WHERE kind = 'email'").trim());
      // Meimei's conversation becomes one the email inbox holds.
      sql(`UPDATE conversations SET inbox_id = ${emailInboxId} WHERE id = ${meimei.convId};
        UPDATE messages SET inbox_id = ${emailInboxId} WHERE conversation_id = ${meimei.convId};`);
      const team = await apiOk(page, 'POST', '/api/teams', { name: '售后' });

      await page.goto('/#/settings/inboxes');
      const row = page.locator(`[data-testid="inbox-row"][data-inbox-id="${emailInboxId}"]`);
      await row.waitFor();
      assert.equal(await row.getAttribute('data-kind'), 'email');
      await row.getByTestId('inbox-mail-mark').waitFor();
      await expectText(row.getByTestId('inbox-email-hint'), L.emailHint);
      for (const widgetOnly of ['inbox-snippet', 'inbox-secret']) {
        assert.equal(await row.getByTestId(widgetOnly).count(), 0, `no ${widgetOnly} for the email inbox`);
      }
      const web = page.locator(`[data-testid="inbox-row"][data-inbox-id="${inbox.id}"]`);
      await web.getByTestId('inbox-snippet').waitFor();

      await tapOrClick(row.getByTestId('inbox-edit'), phone);
      const dialog = page.getByTestId('inbox-dialog');
      await dialog.waitFor();
      for (const widgetOnly of ['inbox-greeting-input', 'inbox-color-input', 'inbox-origins-input',
        'inbox-prechat-email', 'inbox-offline-input']) {
        assert.equal(await dialog.getByTestId(widgetOnly).count(), 0, `no ${widgetOnly} for the email inbox`);
      }
      await dialog.getByTestId('inbox-name-input').fill('邮件 · Email');
      await dialog.getByTestId('inbox-team-input').selectOption(String(team.team.id));
      await fit('the email inbox dialog');
      await shot('6-email-inbox-dialog');
      await tapOrClick(dialog.getByTestId('inbox-form-submit'), phone);
      await dialog.waitFor({ state: 'detached' });
      await expectText(row.getByTestId('inbox-name'), '邮件 · Email');
      await expectText(row.getByTestId('inbox-team'), '售后');
      const stored = (await apiGet(page, '/api/inboxes')).inboxes.find((i) => i.id === emailInboxId);
      assert.equal(stored.name, '邮件 · Email');
      assert.equal(stored.default_team_id, team.team.id);
      assert.equal(stored.kind, 'email');
      await fit('Settings → Inboxes');
      await shot('7-inboxes');
    });

    test('an envelope on the email inbox\'s conversations, a PDF as a download, the received mail linked', async () => {
      const now = Date.now();
      sql(`INSERT INTO attachments (token, sha256, mime, size, contact_id, created_at, filename)
          VALUES ('pdf-${vp.name}-token-0123456789abcdef', '${'0'.repeat(64)}', 'application/pdf', 20480,
          (SELECT contact_id FROM conversations WHERE id = ${lilei.convId}), ${now}, '${L.file}');
        INSERT INTO messages (conversation_id, inbox_id, sender_kind, body, via, attachment_id, created_at)
          SELECT ${lilei.convId}, ${inbox.id}, 'contact', '', 'email', id, ${now} FROM attachments
          WHERE token = 'pdf-${vp.name}-token-0123456789abcdef';
        INSERT INTO inbound_mail (uid_validity, uid, message_id, from_email, subject, size, raw, outcome, reason,
          received_at, conversation_id) VALUES
          (1, 200, '<n@mail>', 'meimei@example.com', '发票', 1200, X'00', 'new_conversation', NULL, ${now - 2000}, ${meimei.convId}),
          (1, 201, '<r@mail>', 'lilei@example.com', 'Re: 发货', 900, X'00', 'conversation_reply', NULL, ${now - 1000}, ${lilei.convId});`);

      // The list and the header: an envelope on Meimei's conversation only.
      await page.goto('/#/inbox');
      await tapOrClick(page.getByTestId('inbox-tab-all'), phone);
      const rowOf = (id) => page.locator(`[data-testid="conv-row"][data-conversation-id="${id}"]`);
      await rowOf(meimei.convId).getByTestId('conv-mail-mark').waitFor();
      assert.equal(await rowOf(lilei.convId).getByTestId('conv-mail-mark').count(), 0, 'a web chat has none');
      await openConversation(meimei.convId);
      await conv(meimei.convId).getByTestId('conv-head-name').getByTestId('conv-mail-mark').waitFor();
      await shot('8-email-conversation');

      // The PDF: a link that downloads it, with its name and size, not an image.
      await openConversation(lilei.convId);
      const file = conv(lilei.convId).getByTestId('msg-contact').getByTestId('msg-file');
      await expectText(file.getByTestId('msg-file-name'), L.file);
      await expectText(file.getByTestId('msg-file-size'), L.size);
      const served = (await apiGet(page, `/api/conversations/${lilei.convId}`)).messages.find((m) => m.attachment
        && m.attachment.mime === 'application/pdf');
      assert.equal(await file.getAttribute('href'), served.attachment.url);
      assert.equal(await file.getAttribute('download'), L.file);
      assert.equal(await conv(lilei.convId).getByTestId('msg-contact').locator('img').count(), 0, 'no <img> for a PDF');
      assert.equal(await conv(lilei.convId).getByTestId('conv-head-name').getByTestId('conv-mail-mark').count(), 0);
      await fit('a conversation with a PDF');
      await shot('9-pdf');

      // The received mail log: both outcomes named, each linking to its conversation.
      await page.goto('/#/settings/email');
      await tapOrClick(page.getByTestId('mail-log-show-received'), phone);
      const log = page.getByTestId('inbound-log');
      const row = (outcome) => log.locator(`[data-testid="inbound-row"][data-outcome="${outcome}"]`);
      await expectText(row('new_conversation').getByTestId('inbound-outcome'), L.newConversation);
      await expectText(row('conversation_reply').getByTestId('inbound-outcome'), L.conversationReply);
      assert.equal(await row('new_conversation').getByTestId('inbound-ticket').count(), 0, 'no ticket');
      assert.equal(await row('conversation_reply').getByTestId('inbound-conversation').getAttribute('href'),
        `#/inbox/${lilei.convId}`);
      await fit('received mail log');
      await shot('10-inbound');
      await tapOrClick(row('new_conversation').getByTestId('inbound-conversation'), phone);
      await expectHash(page, `#/inbox/${meimei.convId}`);
      await conv(meimei.convId).getByTestId('thread').waitFor();
    });

    test('the customer\'s chat shows the PDF as a download too', async () => {
      const chat = await context.newPage();
      await chat.addInitScript(([key, token]) => localStorage.setItem(key, token),
        [`kefu.visitor.${inbox.public_token}`, lilei.token]);
      await chat.goto(`/widget/frame?inbox=${encodeURIComponent(inbox.public_token)}`);
      const file = chat.getByTestId('widget-file');
      await file.waitFor();
      await expectText(file.getByTestId('widget-file-name'), L.file);
      await expectText(file.getByTestId('widget-file-size'), L.size);
      assert.equal(await file.getAttribute('download'), L.file);
      assert.match(await file.getAttribute('href'), /^\/api\/attachments\//);
      await chat.screenshot({ path: path.join(SHOTS, `email-chat-${vp.name}-11-widget.png`) });
      await chat.close();
      // The refused transcripts and the closed IMAP port are 400s and failures the browser logs; nothing else may show.
      assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), [], 'no errors in the browser console');
    });
  });
}
