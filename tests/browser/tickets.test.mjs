// Tickets in the console, in Debian's chromium against the real server: ticket
// types in Settings, a ticket made from a live chat (the form filled in from the
// chat), an internal note, a public reply (emailed to the customer), a transfer
// to another department with its note in the timeline, the list filtered by team
// and a bulk status change. Desktop runs in English, the phone in Chinese. Every
// change is checked on the server through the API.
//
//   cargo build && cd tests/browser && KEFU_BIN=../../target/debug/kefu node --test tickets.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { eventually, expectText, screenshotsDir, sharedBrowser, startServer, stopServer, VIEWPORTS } from './harness.mjs';

const SHOTS = screenshotsDir('kefu-tickets-screens');
const OWNER = { shop_name: '小王的店', name: '王小明', email: 'wang@example.com', password: 'green-tea-and-rice-cakes-7' };
const CUSTOMER = { name: '李雷', email: 'lilei@example.com' };
const CHAT = '你好，我买的明前龙井少了一罐，订单号 KF-1001，麻烦帮我补发。';
const NOTE = '仓库说这批货少装了，先核实库存。';
const REPLY = '您好，我们已经在核实，今天内给您答复。';
const TRANSFER_NOTE = '请物流部查一下 KF-1001 的包裹重量。';

const expectHash = (page, hash) => page.waitForURL((u) => new URL(u).hash === hash, { timeout: 10_000 });
const tapOrClick = (locator, phone) => (phone ? locator.tap() : locator.click());

async function apiGet(page, apiPath) {
  const res = await page.request.get(apiPath);
  return { status: res.status(), body: await res.json().catch(() => null) };
}

/** A write with the browser's session cookie and its CSRF token. */
async function apiSend(page, method, apiPath, data) {
  const { body: me } = await apiGet(page, '/api/me');
  const res = await page.request.fetch(apiPath, { method, data, headers: { 'X-CSRF-Token': me.csrf_token } });
  const text = await res.text();
  assert.ok(res.ok(), `${method} ${apiPath}: ${res.status()} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** The customer's side: the widget's HTTP API, no browser. */
async function visitor(base, apiPath, token, body) {
  const headers = { 'Content-Type': 'application/json', ...(token ? { 'X-Kefu-Visitor': token } : {}) };
  const res = await fetch(`${base}${apiPath}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function noHorizontalScroll(page, where) {
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= 375, `horizontal scroll on ${where}: scrollWidth ${scrollWidth} > 375`);
}

const browser = sharedBrowser(SHOTS);

for (const vp of VIEWPORTS) {
  describe(`tickets on ${vp.name}`, () => {
    const phone = vp.name === 'phone';
    let srv;
    let context;
    let page;
    let convId;
    let ticketId;
    const teams = {};
    const consoleErrors = [];
    const shot = (name) => page.screenshot({ path: path.join(SHOTS, `tickets-${vp.name}-${name}.png`) });
    const ticket = async () => (await apiGet(page, `/api/tickets/${ticketId}`)).body;
    const fit = async (where) => { if (phone) await noHorizontalScroll(page, where); };

    before(async () => {
      srv = await startServer();
      context = await browser().newContext({ ...vp.options, baseURL: srv.base, locale: vp.locale });
      page = await context.newPage();
      page.setDefaultTimeout(10_000);
      page.on('console', (msg) => { if (msg.type() === 'error') consoleErrors.push(msg.text()); });
      page.on('pageerror', (err) => consoleErrors.push(String(err)));
    });
    after(async () => {
      if (context) await context.close();
      await stopServer(srv);
    });

    test('setup: owner, two teams, a customer with an email who chats', async () => {
      const setup = await page.request.post('/api/setup', { data: OWNER });
      assert.equal(setup.status(), 201, await setup.text());
      await page.goto('/');
      await expectHash(page, '#/inbox');
      await apiSend(page, 'PUT', '/api/me/availability', { availability: 'online' });
      for (const name of ['售后', '物流']) {
        teams[name] = (await apiSend(page, 'POST', '/api/teams', { name, description: '' })).team.id;
      }
      const inbox = (await apiSend(page, 'POST', '/api/inboxes', { name: '小王的店 · 网站' })).inbox;
      const s = await visitor(srv.base, '/api/widget/session', null, {
        inbox: inbox.public_token, locale: 'zh-CN', prechat: CUSTOMER,
        page: { url: 'https://shop.example/p/longjing', title: '明前龙井' },
      });
      assert.equal(s.status, 200, JSON.stringify(s.body));
      const sent = await visitor(srv.base, '/api/widget/messages', s.body.visitor_token, { client_id: 'c-1', body: CHAT });
      assert.equal(sent.status, 201, JSON.stringify(sent.body));
      convId = sent.body.conversation.id;
      const conv = (await apiGet(page, `/api/conversations/${convId}`)).body;
      assert.equal(conv.contact.email, CUSTOMER.email);
    });

    test('Settings → Ticket types: add, rename, delete', async () => {
      await tapOrClick(page.getByTestId('nav-settings'), phone);
      await tapOrClick(page.getByTestId('settings-tab-ticket-types'), phone);
      await expectHash(page, '#/settings/ticket-types');
      await page.getByTestId('ticket-type-list-empty').waitFor();
      for (const name of ['退款换货', '物流问题']) {
        await tapOrClick(page.getByTestId('ticket-type-new'), phone);
        const dlg = page.getByTestId('ticket-type-dialog');
        await dlg.getByTestId('ticket-type-name-input').fill(name);
        await tapOrClick(dlg.getByTestId('ticket-type-form-submit'), phone);
        await dlg.waitFor({ state: 'detached' });
        await page.getByTestId('ticket-type-row').filter({ hasText: name }).waitFor();
      }
      await fit('ticket types');
      await shot('1-types');

      await tapOrClick(page.getByTestId('ticket-type-row').filter({ hasText: '退款换货' }).getByTestId('ticket-type-rename'), phone);
      const dlg = page.getByTestId('ticket-type-dialog');
      await dlg.getByTestId('ticket-type-name-input').fill('退款');
      await tapOrClick(dlg.getByTestId('ticket-type-form-submit'), phone);
      await dlg.waitFor({ state: 'detached' });
      await page.getByTestId('ticket-type-name').filter({ hasText: /^退款$/ }).waitFor();

      await tapOrClick(page.getByTestId('ticket-type-row').filter({ hasText: '物流问题' }).getByTestId('ticket-type-delete'), phone);
      await tapOrClick(page.getByTestId('confirm-ok'), phone);
      await page.getByTestId('ticket-type-row').filter({ hasText: '物流问题' }).waitFor({ state: 'detached' });
      const { types } = (await apiGet(page, '/api/ticket-types')).body;
      assert.deepEqual(types.map((ty) => ty.name), ['退款']);
    });

    test('from the chat: Create ticket opens the form filled in; saving lands on the ticket', async () => {
      await page.evaluate((h) => { location.hash = h; }, `#/inbox/${convId}`);
      await page.locator(`[data-testid="conversation"][data-conversation-id="${convId}"] [data-testid="thread"]`).waitFor();
      if (phone) {
        await page.getByTestId('conv-more').tap();
        await page.getByTestId('choice-ticket').tap();
      } else {
        await page.getByTestId('conv-ticket').click();
      }
      await expectHash(page, `#/tickets/new?conversation=${convId}`);
      const form = page.getByTestId('ticket-new-form');
      await form.waitFor();
      const draft = (await apiGet(page, `/api/conversations/${convId}/ticket-draft`)).body;
      assert.ok(draft.subject, 'the server drafts a subject');
      assert.equal(await form.getByTestId('ticket-new-subject').inputValue(), draft.subject);
      assert.ok((await form.getByTestId('ticket-new-request').inputValue()).includes('少了一罐'), 'the request has the chat');
      await expectText(page.getByTestId('ticket-new-contact'), CUSTOMER.email);
      assert.equal(await form.getByTestId('ticket-new-notify').isChecked(), true, 'confirmation email on by default');
      await form.getByTestId('ticket-new-type').selectOption({ label: '退款' });
      await form.getByTestId('ticket-new-priority').selectOption('high');
      await form.getByTestId('ticket-new-team').selectOption(String(teams['售后']));
      await fit('new ticket form');
      await shot('2-new');
      await tapOrClick(form.getByTestId('ticket-new-form-submit'), phone);

      await page.waitForURL((u) => /^#\/tickets\/\d+$/.test(new URL(u).hash), { timeout: 10_000 });
      ticketId = Number(new URL(page.url()).hash.split('/').pop());
      const { ticket: tk, events } = await ticket();
      assert.equal(tk.subject, draft.subject);
      assert.equal(tk.priority, 'high');
      assert.equal(tk.type_name, '退款');
      assert.equal(tk.team_id, teams['售后']);
      assert.equal(tk.conversation_id, convId);
      assert.equal(tk.contact.email, CUSTOMER.email);
      assert.equal(events[0].kind, 'created');
      const detail = page.locator(`[data-testid="ticket-detail"][data-ticket-id="${ticketId}"]`);
      await expectText(detail.getByTestId('ticket-number'), `#${tk.number}`);
      await expectText(detail.getByTestId('ticket-subject'), draft.subject);
      await expectText(detail.getByTestId('ticket-request'), '少了一罐');
      assert.equal(await detail.getByTestId('ticket-conversation-link').getAttribute('href'), `#/inbox/${convId}`);
      assert.equal(await detail.getByTestId('ticket-status-url').inputValue(), tk.status_url);
      await fit('ticket');
    });

    test('an internal note, then a public reply that is emailed', async () => {
      const composer = page.getByTestId('ticket-composer');
      // The customer has an email: public reply is the default, and the box says so.
      assert.equal(await composer.getByTestId('ticket-mode-public').getAttribute('aria-pressed'), 'true');
      await expectText(composer.getByTestId('ticket-composer-hint'), CUSTOMER.email);

      await tapOrClick(composer.getByTestId('ticket-mode-note'), phone);
      await composer.getByTestId('ticket-reply-input').fill(NOTE);
      await tapOrClick(composer.getByTestId('ticket-reply-send'), phone);
      await page.getByTestId('ticket-note').filter({ hasText: NOTE }).waitFor();

      await tapOrClick(composer.getByTestId('ticket-mode-public'), phone);
      await composer.getByTestId('ticket-reply-input').fill(REPLY);
      await composer.getByTestId('ticket-reply-input').press('Control+Enter');
      const reply = page.getByTestId('ticket-reply').filter({ hasText: REPLY });
      await reply.waitFor();
      await reply.getByTestId('ticket-email').waitFor();
      assert.equal(await composer.getByTestId('ticket-reply-input').inputValue(), '', 'the box is emptied');

      const { events } = await ticket();
      const note = events.find((e) => e.kind === 'note');
      assert.equal(note.body, NOTE);
      assert.equal(note.public, false);
      assert.equal(note.email, null, 'notes are not emailed');
      const pub = events.find((e) => e.kind === 'public_reply');
      assert.equal(pub.body, REPLY);
      assert.equal(pub.public, true);
      assert.ok(pub.email && ['queued', 'sent', 'failed'].includes(pub.email.status), JSON.stringify(pub.email));
      await fit('timeline');
      await shot('3-timeline');
    });

    test('transfer to the other team with a note: the timeline says so', async () => {
      await tapOrClick(page.getByTestId('ticket-transfer'), phone);
      const dlg = page.getByTestId('ticket-transfer-dialog');
      await dlg.getByTestId('ticket-transfer-team').selectOption(String(teams['物流']));
      // The note is required.
      await tapOrClick(dlg.getByTestId('ticket-transfer-form-submit'), phone);
      await dlg.getByTestId('form-error').waitFor();
      await dlg.getByTestId('ticket-transfer-note').fill(TRANSFER_NOTE);
      await fit('transfer dialog');
      await tapOrClick(dlg.getByTestId('ticket-transfer-form-submit'), phone);
      await dlg.waitFor({ state: 'detached' });

      const line = page.locator('[data-testid="ticket-event"][data-kind="team"]');
      await expectText(line, '售后');
      await expectText(line, '物流');
      await expectText(line.getByTestId('ticket-event-note'), TRANSFER_NOTE);
      await expectText(line, OWNER.name);
      const { ticket: tk, events } = await ticket();
      assert.equal(tk.team_id, teams['物流']);
      const ev = events.find((e) => e.kind === 'team');
      assert.equal(ev.data.note, TRANSFER_NOTE);
      assert.equal(ev.data.from, teams['售后']);
      assert.equal(ev.data.to, teams['物流']);
      await fit('after the transfer');
      await shot('4-transfer');
    });

    test('fields: a due date set in the panel is saved and counts down in the list', async () => {
      const fields = page.getByTestId('ticket-fields');
      const input = fields.getByTestId('ticket-field-due_at');
      // Beside the timeline on wide screens; folded away on the phone.
      if (!(await input.isVisible())) await tapOrClick(fields.getByTestId('ticket-fields-toggle'), phone);
      const due = Date.now() + 3 * 3600_000 + 30 * 60_000;
      const local = await page.evaluate((ms) => {
        const d = new Date(ms);
        const p = (n) => String(n).padStart(2, '0');
        return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
      }, due);
      await input.fill(local);
      await eventually(async () => Math.abs((await ticket()).ticket.due_at - due) < 60_000, 'the due date saved');
      await page.locator('[data-testid="ticket-event"][data-kind="fields"]').waitFor();
      await expectText(fields.getByTestId('ticket-contact-email'), CUSTOMER.email);
      await fit('fields');
      await shot('5-fields');
    });

    test('the list filtered by team shows the ticket; bulk status to pending', async () => {
      if (phone) {
        await page.getByTestId('ticket-back').tap();
        await expectHash(page, '#/tickets');
      }
      const pane = page.getByTestId('tickets-list-pane');
      const row = pane.locator(`[data-testid="ticket-row"][data-ticket-id="${ticketId}"]`);
      await row.waitFor();
      if (!(await pane.getByTestId('tickets-filter-team').isVisible())) {
        await tapOrClick(pane.getByTestId('tickets-filters-toggle'), phone);
      }
      await pane.getByTestId('tickets-filter-team').selectOption(String(teams['售后']));
      await pane.getByTestId('tickets-empty').waitFor();
      await pane.getByTestId('tickets-filter-team').selectOption(String(teams['物流']));
      await row.waitFor();
      assert.equal(await pane.getByTestId('ticket-row').count(), 1);
      await expectText(row.getByTestId('ticket-row-team'), '物流');
      await expectText(row.getByTestId('ticket-row-number'), `#${(await ticket()).ticket.number}`);
      await row.getByTestId('ticket-priority').waitFor();
      await expectText(row.getByTestId('ticket-due'), phone ? '3 小时' : '3 h');
      await fit('filtered list');

      await tapOrClick(row.getByTestId('ticket-check'), phone);
      const bulk = page.getByTestId('tickets-bulk');
      await bulk.waitFor();
      await fit('bulk bar');
      await shot('6-bulk');
      await bulk.getByTestId('tickets-bulk-status').selectOption('pending');
      await eventually(async () => (await ticket()).ticket.status === 'pending', 'the ticket is pending');
      await page.locator(`[data-testid="ticket-row"][data-ticket-id="${ticketId}"][data-status="pending"]`).waitFor();
      await bulk.waitFor({ state: 'hidden' });
      if (!phone) {
        // The open ticket beside the list follows.
        await page.locator('[data-testid="ticket-detail"] [data-testid="ticket-status"][data-status="pending"]').waitFor();
      }
      await shot('7-list');

      // Closing is final: the bulk bar asks first, and Cancel changes nothing.
      await tapOrClick(row.getByTestId('ticket-check'), phone);
      await bulk.getByTestId('tickets-bulk-status').selectOption('closed');
      await tapOrClick(page.getByTestId('confirm-cancel'), phone);
      await page.getByTestId('confirm-dialog').waitFor({ state: 'detached' });
      assert.equal((await ticket()).ticket.status, 'pending');
    });

    test('the page logged no errors', () => {
      const real = consoleErrors.filter((e) => !/Failed to load resource/.test(e));
      assert.deepEqual(real, []);
    });
  });
}
