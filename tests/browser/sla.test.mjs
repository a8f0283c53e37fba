// SLA and notifications in the console, in Debian's chromium against the real
// server: policies in Settings → SLA (created, listed with readable conditions,
// reordered, deleted; a policy without a target refused), business hours with a
// lunch break and a holiday, the SLA chip and filter on the tickets list (due,
// paused, overdue) and the targets beside a ticket, a team lead, the bell (badge,
// panel, click-through, live over the websocket) and the email switches in
// Profile. Desktop in English, the phone in Chinese; every change is checked on
// the server. "Overdue" needs a deadline in the past: the test moves it in the
// database with the sqlite3 command-line tool (those steps are skipped without it).
//
//   cargo build && cd tests/browser && KEFU_BIN=../../target/debug/kefu node --test sla.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import {
  apiGet, apiOk, apiSend, eventually, expectHash, expectText, screenshotsDir, sharedBrowser,
  startServer, stopServer, tapOrClick, VIEWPORTS,
} from './harness.mjs';

const SHOTS = screenshotsDir('kefu-sla-screens');
const NO_SQLITE = spawnSync('sqlite3', ['-version']).status === 0 ? false : 'needs the sqlite3 command-line tool';
const OWNER = { shop_name: '小王的店', name: '王小明', email: 'wang@example.com', password: 'green-tea-and-rice-cakes-7' };
const AGENT = { email: 'li@example.com', name: '李娜', password: 'oolong-and-jasmine-42' };
const L = {
  en: { cond: 'Urgent priority · Team 售后 · any type', noTarget: 'Set a first-response target', monday: 'Monday',
    overlap: 'overlap', due: /^Due in (29|30) min$/, paused: 'Paused', overdue: /^Overdue 2 h$/, left: 'left',
    clockOverdue: 'overdue 2 h', assigned: 'Assigned to you', breach: /^SLA breached: first response was due/ },
  'zh-CN': { cond: '优先级紧急 · 团队 售后 · 任意类型', noTarget: '请设置首次回复目标', monday: '星期一',
    overlap: '重叠', due: /^(29|30) 分钟后到期$/, paused: '已暂停', overdue: /^已逾期 2 小时$/, left: '还剩',
    clockOverdue: '已逾期 2 小时', assigned: '分配给你', breach: /^SLA 已违反：首次回复应于/ },
};




async function noHorizontalScroll(page, where) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= 375, `horizontal scroll on ${where}: scrollWidth ${w} > 375`);
}

const browser = sharedBrowser(SHOTS);

for (const vp of VIEWPORTS) {
  describe(`SLA and notifications on ${vp.name}`, () => {
    const phone = vp.name === 'phone';
    const T = L[vp.locale === 'zh-CN' ? 'zh-CN' : 'en'];
    let srv;
    let context;
    let page;
    let agentContext;
    let agentPage;
    let agentId;
    let teamId;
    let ticket;
    const errors = [];
    const shot = (p, name) => p.screenshot({ path: path.join(SHOTS, `sla-${vp.name}-${name}.png`) });
    const fit = async (p, where) => { if (phone) await noHorizontalScroll(p, where); };
    const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(srv.dataDir, 'kefu.db'), q]);
    const watch = (p) => {
      p.setDefaultTimeout(10_000);
      p.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      p.on('pageerror', (err) => errors.push(String(err)));
    };
    const newTicket = (subject, extra = {}) => apiOk(page, 'POST', '/api/tickets', {
      subject, request: '茶叶罐子破了。', priority: 'urgent', team_id: teamId, notify_customer: false,
      contact: { name: '李雷', email: 'lilei@example.com', phone: null }, ...extra }).then((r) => r.ticket);
    const row = (id) => page.locator(`[data-testid="ticket-row"][data-ticket-id="${id}"]`);
    /** The ticket's side panel, unfolded on the phone. */
    const openFields = async (id) => {
      await page.locator(`[data-testid="ticket-detail"][data-ticket-id="${id}"] [data-testid="ticket-fields-toggle"]`).waitFor();
      if (phone && !(await page.getByTestId('ticket-field-status').isVisible())) {
        await page.getByTestId('ticket-fields-toggle').tap();
      }
    };
    const slaFilter = async (value) => {
      const sel = page.getByTestId('tickets-filter-sla');
      if (!(await sel.isVisible())) await tapOrClick(page.getByTestId('tickets-filters-toggle'), phone);
      await sel.selectOption(value);
    };

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

    test('setup: owner, team 售后, a second agent (invited and accepted)', async () => {
      const setup = await page.request.post('/api/setup', { data: OWNER });
      assert.equal(setup.status(), 201, await setup.text());
      await page.goto('/');
      await expectHash(page, '#/inbox');
      teamId = (await apiOk(page, 'POST', '/api/teams', { name: '售后', description: '' })).team.id;
      const inv = await apiOk(page, 'POST', '/api/invites', { email: AGENT.email, role: 'agent' });
      agentContext = await browser().newContext({ ...vp.options, baseURL: srv.base, locale: vp.locale });
      agentPage = await agentContext.newPage();
      watch(agentPage);
      const acc = await agentPage.request.post('/api/invites/accept',
        { data: { token: inv.link.split('/').pop(), name: AGENT.name, password: AGENT.password } });
      assert.equal(acc.status(), 201, await acc.text());
      agentId = (await acc.json()).agent.id;
    });

    test('Settings → SLA: a policy made in the form, listed readably; no target is refused; reorder and delete', async () => {
      await tapOrClick(page.getByTestId('nav-settings'), phone);
      await tapOrClick(page.getByTestId('settings-tab-sla'), phone);
      await expectHash(page, '#/settings/sla');
      await page.getByTestId('sla-policy-empty').waitFor();
      const fill = async ({ name, priority, team, first, resolution, clock }) => {
        await tapOrClick(page.getByTestId('sla-policy-new'), phone);
        const dlg = page.getByTestId('sla-policy-dialog');
        await dlg.getByTestId('sla-name').fill(name);
        if (priority) await dlg.getByTestId('sla-priority').selectOption(priority);
        if (team) await dlg.getByTestId('sla-team').selectOption(String(team));
        if (first) {
          await dlg.getByTestId('sla-first_response-value').fill(first[0]);
          await dlg.getByTestId('sla-first_response-unit').selectOption(first[1]);
        }
        if (resolution) {
          await dlg.getByTestId('sla-resolution-value').fill(resolution[0]);
          await dlg.getByTestId('sla-resolution-unit').selectOption(resolution[1]);
        }
        if (clock) await dlg.getByTestId('sla-business-hours').uncheck();
        await tapOrClick(dlg.getByTestId('sla-policy-form-submit'), phone);
        return dlg;
      };
      // Around the clock, so the deadlines below do not depend on when the test runs.
      let dlg = await fill({ name: '紧急工单', priority: 'urgent', team: teamId, first: ['30', 'min'],
        resolution: ['4', 'h'], clock: true });
      await dlg.waitFor({ state: 'detached' });
      const urgent = page.getByTestId('sla-policy-row').filter({ hasText: '紧急工单' });
      await expectText(urgent.getByTestId('sla-policy-conditions'), T.cond);
      await expectText(urgent.getByTestId('sla-policy-first_response'), phone ? '30 分钟' : '30 min');
      await expectText(urgent.getByTestId('sla-policy-resolution'), phone ? '4 小时' : '4 h');
      let { policies } = await apiGet(page, '/api/sla-policies');
      assert.equal(policies.length, 1);
      assert.deepEqual({ ...policies[0], id: 0, position: 0 }, { id: 0, position: 0, name: '紧急工单', priority: 'urgent',
        team_id: teamId, type_id: null, first_response_mins: 30, resolution_mins: 240, business_hours: false,
        warn_percent: 80 });

      dlg = await fill({ name: '没有目标' });
      await expectText(dlg.getByTestId('form-error'), T.noTarget);
      assert.equal(await dlg.getByTestId('sla-first_response-value').getAttribute('aria-invalid'), 'true');
      await fit(page, 'policy dialog');
      await shot(page, '1-no-target');
      await tapOrClick(dlg.getByTestId('dialog-close'), phone);
      assert.equal((await apiGet(page, '/api/sla-policies')).policies.length, 1, 'nothing saved');

      await (await fill({ name: '所有工单', resolution: ['48', 'h'] })).waitFor({ state: 'detached' });
      const all = page.getByTestId('sla-policy-row').filter({ hasText: '所有工单' });
      await tapOrClick(all.getByTestId('sla-policy-up'), phone);
      await eventually(async () => (await page.getByTestId('sla-policy-name').first().innerText()) === '所有工单',
        'the moved policy first');
      ({ policies } = await apiGet(page, '/api/sla-policies'));
      assert.deepEqual(policies.map((p) => p.name), ['所有工单', '紧急工单']);
      assert.equal(policies[0].resolution_mins, 48 * 60);
      await fit(page, 'policies');
      await shot(page, '2-policies');
      await tapOrClick(all.getByTestId('sla-policy-delete'), phone);
      await tapOrClick(page.getByTestId('confirm-ok'), phone);
      await all.waitFor({ state: 'detached' });
      assert.deepEqual((await apiGet(page, '/api/sla-policies')).policies.map((p) => p.name), ['紧急工单']);
    });

    test('business hours: a lunch break and a holiday survive a reload; an overlap is refused', async () => {
      const mon = page.getByTestId('hours-day-mon');
      await mon.getByTestId('hours-end').first().fill('12:00');
      await tapOrClick(mon.getByTestId('hours-add'), phone);
      await mon.getByTestId('hours-period').nth(1).getByTestId('hours-end').fill('18:00');
      await page.getByTestId('hours-holiday-input').fill('2026-10-01');
      await tapOrClick(page.getByTestId('hours-holiday-add'), phone);
      await page.locator('[data-testid="hours-holiday"][data-date="2026-10-01"]').waitFor();
      await tapOrClick(page.getByTestId('hours-form-submit'), phone);
      await eventually(async () => (await apiGet(page, '/api/settings/business-hours')).business_hours.holidays.length,
        'the hours saved');
      const saved = (await apiGet(page, '/api/settings/business-hours')).business_hours;
      assert.deepEqual(saved.week.mon, [['09:00', '12:00'], ['13:00', '18:00']]);
      assert.deepEqual(saved.holidays, ['2026-10-01']);

      await page.reload();
      await mon.getByTestId('hours-period').nth(1).waitFor();
      const times = async (id) => mon.getByTestId(id).evaluateAll((els) => els.map((e) => e.value));
      assert.deepEqual(await times('hours-start'), ['09:00', '13:00']);
      assert.deepEqual(await times('hours-end'), ['12:00', '18:00']);
      await page.locator('[data-testid="hours-holiday"][data-date="2026-10-01"]').waitFor();
      await expectText(page.getByTestId('hours-timezone'), 'Asia/Shanghai');

      await tapOrClick(mon.getByTestId('hours-add'), phone);
      await mon.getByTestId('hours-period').nth(2).getByTestId('hours-start').fill('17:00');
      await tapOrClick(page.getByTestId('hours-form-submit'), phone);
      const error = page.getByTestId('hours-form').getByTestId('form-error');
      await expectText(error, T.monday);
      await expectText(error, T.overlap);
      await expectText(mon.getByTestId('hours-error'), T.overlap);
      assert.equal(await mon.getByTestId('hours-period').nth(2).getByTestId('hours-start').getAttribute('aria-invalid'), 'true');
      await fit(page, 'business hours');
      await shot(page, '3-hours');
      assert.deepEqual((await apiGet(page, '/api/settings/business-hours')).business_hours.week.mon, saved.week.mon);
    });

    test('Settings → Teams: the team lead is saved', async () => {
      await tapOrClick(page.getByTestId('settings-tab-teams'), phone);
      const team = page.getByTestId('team-row').filter({ hasText: '售后' });
      await tapOrClick(team.getByTestId('team-edit'), phone);
      const dlg = page.getByTestId('team-dialog');
      await dlg.getByTestId('team-lead-select').selectOption(String((await apiGet(page, '/api/me')).agent.id));
      await fit(page, 'team dialog');
      await tapOrClick(dlg.getByTestId('team-form-submit'), phone);
      await dlg.waitFor({ state: 'detached' });
      await expectText(team.getByTestId('team-lead'), OWNER.name);
      const { teams } = await apiGet(page, '/api/teams');
      assert.equal(teams.find((tm) => tm.id === teamId).lead_agent_id, (await apiGet(page, '/api/me')).agent.id);
    });

    test('tickets: the SLA chip counts down, filters, pauses; overdue in the list and beside the ticket', async (t) => {
      ticket = await newTicket('明前龙井罐子破了');
      assert.equal(ticket.sla.policy_name, '紧急工单');
      await page.evaluate(() => { location.hash = '#/tickets'; });
      const chip = row(ticket.id).getByTestId('ticket-sla');
      await chip.waitFor();
      assert.equal(await chip.getAttribute('data-state'), 'ok');
      assert.match((await chip.innerText()).trim(), T.due);
      await slaFilter('overdue');
      await page.getByTestId('tickets-empty').waitFor();
      await slaFilter('ok');
      await row(ticket.id).waitFor();
      await fit(page, 'list with SLA');
      await shot(page, '4-list');

      await apiOk(page, 'PATCH', `/api/tickets/${ticket.id}`, { status: 'pending' });
      await slaFilter('paused');
      await page.locator(`[data-testid="ticket-row"][data-ticket-id="${ticket.id}"] [data-state="paused"]`).waitFor();
      await expectText(chip, T.paused);
      await tapOrClick(row(ticket.id).locator('.tk-row-link'), phone);
      const clock = page.locator('[data-testid="ticket-sla-clock"][data-metric="first_response"] [data-testid="ticket-sla-state"]');
      await openFields(ticket.id);
      await expectText(clock, T.left);
      await expectText(page.getByTestId('ticket-sla-policy'), '紧急工单');
      await fit(page, 'ticket with SLA');

      // Back to work, and two hours late: the deadline moves into the past in the database.
      await apiOk(page, 'PATCH', `/api/tickets/${ticket.id}`, { status: 'open' });
      if (NO_SQLITE) {
        t.diagnostic(`overdue not checked: ${NO_SQLITE}`);
        return;
      }
      const due = Date.now() - 2 * 3600_000 - 60_000;
      sql(`UPDATE sla_clocks SET due_at = ${due}, warn_at = ${due - 600_000}
          WHERE ticket_id = ${ticket.id} AND metric = 'first_response';
        UPDATE tickets SET sla_due_at = ${due}, sla_warn_at = ${due - 600_000}, next_due_at = ${due} WHERE id = ${ticket.id};`);
      await page.reload();
      await openFields(ticket.id);
      await expectText(clock, T.clockOverdue);
      assert.equal(await clock.getAttribute('data-state'), 'overdue');
      await shot(page, '5-overdue-ticket');
      if (phone) await tapOrClick(page.getByTestId('ticket-back'), phone);
      await slaFilter('overdue');
      await page.locator(`[data-testid="ticket-row"][data-ticket-id="${ticket.id}"] [data-state="overdue"]`).waitFor();
      assert.match((await chip.innerText()).trim(), T.overdue);
      await slaFilter('');
    });

    test('the SLA chip counts down by itself, without a reload', { skip: phone && 'once is enough' }, async () => {
      const fresh = await newTicket('茶叶受潮了');
      const clocked = await browser().newContext({ ...vp.options, baseURL: srv.base, locale: vp.locale,
        storageState: await context.storageState() });
      try {
        const p = await clocked.newPage();
        watch(p);
        await p.clock.install();
        await p.goto('/#/tickets');
        const chip = p.locator(`[data-testid="ticket-row"][data-ticket-id="${fresh.id}"] [data-testid="ticket-sla"]`);
        await chip.waitFor();
        assert.equal(await chip.getAttribute('data-state'), 'ok');
        const same = await chip.elementHandle();
        await p.clock.fastForward('31:00');
        await eventually(async () => (await same.getAttribute('data-state')) === 'overdue', 'the chip on screen turns overdue');
        assert.match(await same.innerText(), /^Overdue/);
      } finally {
        await clocked.close();
      }
    });

    test('the bell: the lead hears of the breach live; mark all read', { skip: NO_SQLITE }, async () => {
      // Any write wakes the SLA watcher, which finds the deadline passed and tells the team lead.
      await newTicket('另一个工单', { priority: 'low' });
      const badge = page.getByTestId('notif-badge');
      await expectText(badge, '1');
      await tapOrClick(page.getByTestId('notif-button'), phone);
      const item = page.getByTestId('notif-item').first();
      assert.match((await item.getByTestId('notif-what').innerText()).trim(), T.breach);
      await fit(page, 'notifications');
      await shot(page, '6-bell');
      await tapOrClick(page.getByTestId('notif-read-all'), phone);
      await badge.waitFor({ state: 'hidden' });
      assert.equal((await apiGet(page, '/api/notifications')).unread, 0);
    });

    test('notifications for an agent: badge, panel, click-through, and a live assignment', async () => {
      await apiOk(page, 'PATCH', `/api/tickets/${ticket.id}`, { assignee_id: agentId });
      await agentPage.goto('/');
      await expectHash(agentPage, '#/inbox');
      const badge = agentPage.getByTestId('notif-badge');
      await expectText(badge, '1');
      await tapOrClick(agentPage.getByTestId('notif-button'), phone);
      const item = agentPage.locator('[data-testid="notif-item"][data-read="false"]');
      await expectText(item.getByTestId('notif-what'), T.assigned);
      await expectText(item, '明前龙井罐子破了');
      await fit(agentPage, 'agent notifications');
      await shot(agentPage, '7-agent-bell');
      await tapOrClick(item.locator('a'), phone);
      await expectHash(agentPage, `#/tickets/${ticket.id}`);
      await agentPage.getByTestId('ticket-detail').waitFor();
      await eventually(async () => (await apiGet(agentPage, '/api/notifications')).unread === 0, 'read on the server');
      await eventually(async () => (await badge.getAttribute('hidden')) !== null, 'no badge once read');

      // Another ticket for them while the page is open: the badge follows over the websocket.
      const second = await newTicket('物流太慢');
      await apiOk(page, 'PATCH', `/api/tickets/${second.id}`, { assignee_id: agentId });
      await agentPage.evaluate(() => { location.hash = '#/inbox'; });
      await expectText(badge, '1');
      assert.equal((await apiGet(agentPage, '/api/notifications')).unread, 1);
    });

    test('an agent who is not an admin reads Settings → SLA without controls', async () => {
      await agentPage.evaluate(() => { location.hash = '#/settings/sla'; });
      await agentPage.getByTestId('sla-readonly').waitFor();
      await expectText(agentPage.getByTestId('sla-policy-conditions'), T.cond);
      await agentPage.getByTestId('hours-day-mon').getByTestId('hours-period').nth(1).waitFor();
      for (const id of ['sla-policy-new', 'sla-policy-edit', 'hours-add', 'hours-form-submit']) {
        assert.equal(await agentPage.getByTestId(id).filter({ visible: true }).count(), 0, `${id} hidden`);
      }
      assert.equal(await agentPage.getByTestId('hours-start').first().isDisabled(), true);
    });

    test('Profile: "customer replied" emails off survives a reload', async () => {
      await agentPage.evaluate(() => { location.hash = '#/profile'; });
      const sw = agentPage.getByTestId('email-customer_replied');
      await sw.waitFor({ state: 'attached' });
      assert.equal(await sw.isChecked(), true, 'on by default');
      await sw.uncheck();
      await eventually(async () => (await apiGet(agentPage, '/api/me/notification-emails')).email.customer_replied === false,
        'saved off');
      await agentPage.reload();
      await agentPage.getByTestId('email-customer_replied').waitFor({ state: 'attached' });
      assert.equal(await agentPage.getByTestId('email-customer_replied').isChecked(), false);
      assert.equal(await agentPage.getByTestId('email-assigned').isChecked(), true);
      assert.deepEqual((await apiGet(agentPage, '/api/me/notification-emails')).email,
        { assigned: true, customer_replied: false, sla: true });
      await fit(agentPage, 'profile');
      await agentPage.getByTestId('email-prefs').scrollIntoViewIfNeeded();
      await shot(agentPage, '8-profile');
    });

    test('the pages logged no errors', () => {
      assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
    });
  });
}
