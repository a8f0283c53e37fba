// Settings → Routing in the console, in Debian's chromium against the real server:
// an intent made in the form (refused without examples, the server's message beside
// the form), another deleted after a confirmation; two rules made in the form (an
// invalid pattern refused with the regex error shown beside the field, then fixed),
// reordered so that the narrower one sits under a broader one and shows a "shadowed"
// warning, switched off and on; the "try it" box with an angry message about a late
// parcel (intent and confidence, negative sentiment, which rule applied and why, the
// outcome) before and after moving the rules back; the options; a team's strategy and
// an agent's skills; an agent who is not an admin reads the page without controls.
// Desktop in English, a 360 px phone in Chinese (no sideways scrolling); every change
// is checked on the server.
//
//   cargo build --bin kefu && cd tests/browser && KEFU_BIN=../../target/debug/kefu node --test routing-settings.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  apiGet, apiOk, apiSend, eventually, expectHash, expectText, screenshotsDir, sharedBrowser, startServer,
  stopServer, tapOrClick,
} from './harness.mjs';

const SHOTS = screenshotsDir('kefu-routing-settings-screens');
const OWNER = { shop_name: '小王的店', name: '王小明', email: 'wang@example.com', password: 'green-tea-and-rice-cakes-7' };
const AGENT = { email: 'li@example.com', name: '李娜', password: 'oolong-and-jasmine-42' };
const ANGRY = '快递咋还没到，气死了！！！';
const SHIPPING = {
  label: '物流查询', name: 'shipping_status', keywords: '快递，物流\n包裹',
  examples: ['我的快递到哪了', '物流一直不更新', '包裹怎么还没到', '什么时候发货', '快递几天能到'],
};
const REFUND = { name: 'refund', label: '退款退货',
  examples: ['我要退款', '怎么申请退货', '东西不想要了，退钱', '退款什么时候到账', '质量有问题要退货'] };
const GREETING = { name: 'greeting', label: '打招呼', examples: ['你好', '在吗'] };
const BAD_PATTERN = '(快递';
const PATTERN = '快递|物流';
const VIEWPORTS = [
  { name: 'desktop', locale: 'en-US', width: 1280, options: { viewport: { width: 1280, height: 800 } } },
  { name: 'phone', locale: 'zh-CN', width: 360,
    options: { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } },
];
const TEXT = {
  'en-US': { examplesRequired: 'Add at least one example message.', examples: '5 examples', team: 'Team 物流组',
    shadowed: 'Never reached', negative: 'Negative', applied: 'Applied', skills: 'By skills',
    readonly: 'Only the owner or an admin can change routing.', patternReason: 'Not a valid pattern:',
    sentimentOk: 'The sentiment matches (Negative)', percent: (n) => `${n} %` },
  'zh-CN': { examplesRequired: '请至少添加一条示例消息。', examples: '5 条示例', team: '团队 物流组',
    shadowed: '不会生效', negative: '负面', applied: '已执行', skills: '按技能分配',
    readonly: '只有店主或管理员可以修改路由设置。', patternReason: '正则表达式无效：',
    sentimentOk: '情绪符合（负面）', percent: (n) => `${n}%` },
};

const browser = sharedBrowser(SHOTS);

for (const vp of VIEWPORTS) {
  describe(`Settings → Routing on ${vp.name}`, () => {
    const phone = vp.name === 'phone';
    const T = TEXT[vp.locale];
    let srv;
    let context;
    let page;
    let agentContext;
    let agentPage;
    let agentId;
    const teams = {};
    const rules = {};
    const errors = [];
    const shot = (p, name) => p.screenshot({ path: path.join(SHOTS, `routing-${vp.name}-${name}.png`), fullPage: true });
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
    const ruleRow = (name) => page.getByTestId('rule-row').filter({ has: page.getByTestId('rule-name').getByText(name, { exact: true }) });
    const ruleNames = () => page.getByTestId('rule-name').allInnerTexts();
    const serverRules = async () => (await apiGet(page, '/api/routing/rules')).rules;
    /** The rule dialog filled in and submitted; returns the dialog. */
    const fillRule = async ({ name, intents = [], sentiment, pattern, team, priority }) => {
      await tap(page.getByTestId('rule-new'));
      const dlg = page.getByTestId('rule-dialog');
      await dlg.getByTestId('rule-name').fill(name);
      for (const it of intents) await dlg.getByTestId(`rule-intents-${it}`).check();
      if (sentiment) await dlg.getByTestId('rule-sentiment').selectOption(sentiment);
      if (pattern) await dlg.getByTestId('rule-pattern').fill(pattern);
      if (team) await dlg.getByTestId('rule-team').selectOption(String(team));
      if (priority) await dlg.getByTestId('rule-priority').selectOption(priority);
      await tap(dlg.getByTestId('rule-form-submit'));
      return dlg;
    };
    const tryIt = async (text) => {
      const box = page.getByTestId('routing-try');
      await box.getByTestId('try-text').fill(text);
      await tap(box.getByTestId('try-form-submit'));
      return box;
    };
    const tryRule = (id) => page.locator(`[data-testid="try-rule"][data-rule-id="${id}"]`);

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

    test('setup: the owner, teams 物流组 and 售后, an agent, a web inbox, two intents made over the API', async () => {
      const setup = await page.request.post('/api/setup', { data: OWNER });
      assert.equal(setup.status(), 201, await setup.text());
      await page.goto('/');
      await expectHash(page, '#/inbox');
      for (const name of ['物流组', '售后']) teams[name] = (await apiOk(page, 'POST', '/api/teams', { name, description: '' })).team.id;
      await apiOk(page, 'POST', '/api/inboxes', { name: '小王的店 · 网站' });
      await apiOk(page, 'POST', '/api/routing/intents', REFUND);
      await apiOk(page, 'POST', '/api/routing/intents', GREETING);
      const inv = await apiOk(page, 'POST', '/api/invites', { email: AGENT.email, role: 'agent' });
      agentContext = await browser().newContext({ ...vp.options, baseURL: srv.base, locale: vp.locale });
      agentPage = await agentContext.newPage();
      watch(agentPage);
      const acc = await agentPage.request.post('/api/invites/accept',
        { data: { token: inv.link.split('/').pop(), name: AGENT.name, password: AGENT.password } });
      assert.equal(acc.status(), 201, await acc.text());
      agentId = (await acc.json()).agent.id;
    });

    test('intents: refused without examples (the server says why), then made in the form; one deleted', async () => {
      await tap(page.getByTestId('nav-settings'));
      await tap(page.getByTestId('settings-tab-routing'));
      await expectHash(page, '#/settings/routing');
      await page.locator('[data-testid="intent-row"][data-name="refund"]').waitFor();

      await tap(page.getByTestId('intent-new'));
      const dlg = page.getByTestId('intent-dialog');
      await dlg.getByTestId('intent-label').fill(SHIPPING.label);
      await dlg.getByTestId('intent-name').fill(SHIPPING.name);
      await dlg.getByTestId('intent-keywords').fill(SHIPPING.keywords);
      await dlg.getByTestId('intent-team').selectOption(String(teams['物流组']));
      await tap(dlg.getByTestId('intent-form-submit'));
      const error = dlg.getByTestId('form-error');
      await expectText(error, T.examplesRequired);
      assert.equal(await dlg.getByTestId('intent-examples').getAttribute('aria-invalid'), 'true');
      assert.equal((await apiGet(page, '/api/routing/intents')).intents.length, 2, 'nothing saved');
      await fits(page, 'intent dialog');
      await shot(page, '1-intent-refused');

      await dlg.getByTestId('intent-examples').fill(`${SHIPPING.examples.join('\n')}\n\n`);
      await tap(dlg.getByTestId('intent-form-submit'));
      await dlg.waitFor({ state: 'detached' });
      const row = page.locator(`[data-testid="intent-row"][data-name="${SHIPPING.name}"]`);
      await expectText(row.getByTestId('intent-row-label'), SHIPPING.label);
      assert.equal((await row.getByTestId('intent-row-name').innerText()).trim(), SHIPPING.name);
      assert.equal((await row.getByTestId('intent-row-examples').innerText()).trim(), T.examples);
      await expectText(row, T.team);
      assert.equal(await row.getByTestId('intent-row-conversations').getAttribute('data-count'), '0');
      const made = (await apiGet(page, '/api/routing/intents')).intents.find((i) => i.name === SHIPPING.name);
      assert.deepEqual({ label: made.label, examples: made.examples, keywords: made.keywords, team_id: made.team_id },
        { label: SHIPPING.label, examples: SHIPPING.examples, keywords: ['快递', '物流', '包裹'], team_id: teams['物流组'] });

      const greeting = page.locator('[data-testid="intent-row"][data-name="greeting"]');
      await tap(greeting.getByTestId('intent-delete'));
      await tap(page.getByTestId('confirm-ok'));
      await greeting.waitFor({ state: 'detached' });
      assert.deepEqual((await apiGet(page, '/api/routing/intents')).intents.map((i) => i.name).sort(),
        ['refund', 'shipping_status']);
    });

    test('rules: an invalid pattern is refused with the reason beside the field, then fixed', async () => {
      const refused = await apiSend(page, 'POST', '/api/routing/rules',
        { name: 'x', conditions: { pattern: BAD_PATTERN }, actions: { priority: 'high' } });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error.code, 'pattern_invalid');
      const reason = refused.body.error.reason;
      assert.ok(reason, 'the server says why');

      const dlg = await fillRule({ name: '物流投诉', intents: [SHIPPING.name], sentiment: 'negative', pattern: BAD_PATTERN,
        team: teams['售后'], priority: 'urgent' });
      const fieldError = dlg.getByTestId('rule-pattern-error');
      await expectText(fieldError, T.patternReason);
      const squash = (s) => s.replace(/\s+/g, ' ').trim();
      assert.equal(squash(await fieldError.innerText()), squash(`${T.patternReason} ${reason}`));
      assert.equal(await dlg.getByTestId('rule-pattern').getAttribute('aria-invalid'), 'true');
      await dlg.getByTestId('form-error').waitFor();
      assert.equal((await serverRules()).length, 0, 'nothing saved');
      await fits(page, 'rule dialog');
      await shot(page, '2-pattern-refused');

      await dlg.getByTestId('rule-pattern').fill(PATTERN);
      assert.equal(await fieldError.isHidden(), true, 'the reason goes once the pattern is edited');
      await tap(dlg.getByTestId('rule-form-submit'));
      await dlg.waitFor({ state: 'detached' });
      const [rule] = await serverRules();
      rules.complaint = rule.id;
      assert.deepEqual({ name: rule.name, enabled: rule.enabled, continue: rule.continue, conditions: rule.conditions,
        actions: rule.actions }, { name: '物流投诉', enabled: true, continue: false,
        conditions: { intents: [SHIPPING.name], pattern: PATTERN, sentiment: 'negative' },
        actions: { team_id: teams['售后'], priority: 'urgent' } });
      await expectText(ruleRow('物流投诉').getByTestId('rule-conditions'), SHIPPING.label);
      await expectText(ruleRow('物流投诉').getByTestId('rule-actions'), '售后');
    });

    test('rules: a broader rule moved above a narrower one shadows it; moved back, the warning goes', async () => {
      await (await fillRule({ name: '物流问题', intents: [SHIPPING.name], team: teams['物流组'], priority: 'high' }))
        .waitFor({ state: 'detached' });
      rules.shipping = (await serverRules()).find((r) => r.name === '物流问题').id;
      assert.deepEqual(await ruleNames(), ['物流投诉', '物流问题']);
      assert.equal(await page.locator('[data-testid="rule-warning"][data-code="shadowed"]').count(), 0);

      await tap(ruleRow('物流问题').getByTestId('rule-up'));
      await eventually(async () => (await ruleNames())[0] === '物流问题', 'the moved rule first');
      const warning = ruleRow('物流投诉').locator('[data-testid="rule-warning"][data-code="shadowed"]');
      await expectText(warning, T.shadowed);
      await expectText(warning, '物流问题');
      assert.equal(await warning.getAttribute('data-rule-id'), String(rules.shipping));
      assert.equal(await ruleRow('物流问题').getByTestId('rule-warning').count(), 0);
      const server = await serverRules();
      assert.deepEqual(server.map((r) => r.name), ['物流问题', '物流投诉']);
      assert.ok(server[1].warnings.some((w) => w.code === 'shadowed' && w.rule_id === rules.shipping),
        JSON.stringify(server[1].warnings));
      await fits(page, 'rules');
      await ruleRow('物流投诉').scrollIntoViewIfNeeded();
      await shot(page, '3-shadowed');

      // Off and on again from the row.
      const toggle = ruleRow('物流投诉').getByTestId('rule-toggle');
      await toggle.uncheck();
      await eventually(async () => (await serverRules()).find((r) => r.id === rules.complaint).enabled === false,
        'switched off on the server');
      await ruleRow('物流投诉').getByTestId('rule-off').waitFor();
      await ruleRow('物流投诉').getByTestId('rule-toggle').check();
      await eventually(async () => (await serverRules()).find((r) => r.id === rules.complaint).enabled, 'on again');
    });

    test('try it: the angry message finds the intent, negative sentiment, and the broader rule applies', async () => {
      const expected = await apiOk(page, 'POST', '/api/routing/try', { text: ANGRY });
      assert.equal(expected.intent.name, SHIPPING.name, JSON.stringify(expected.ranking));
      const box = await tryIt(ANGRY);
      const intent = box.getByTestId('try-intent');
      await intent.waitFor();
      assert.equal(await intent.getAttribute('data-name'), SHIPPING.name);
      assert.equal((await intent.getByTestId('try-intent-label').innerText()).trim(), SHIPPING.label);
      assert.equal((await intent.getByTestId('try-intent-confidence').innerText()).trim(),
        T.percent(Math.round(expected.intent.confidence * 100)));
      assert.equal(await box.getByTestId('try-ranking-item').first().getAttribute('data-name'), SHIPPING.name);

      const sentiment = box.getByTestId('try-sentiment');
      assert.equal(await sentiment.getAttribute('data-label'), 'negative');
      assert.ok(Number(await sentiment.getAttribute('data-score')) < 0);
      assert.equal((await sentiment.getByTestId('try-sentiment-label').innerText()).trim(), T.negative);
      assert.deepEqual(await box.getByTestId('try-cue').allInnerTexts(), expected.sentiment.cues);

      // 物流问题 is first and stops there: 物流投诉 matches but is not reached.
      assert.equal(await tryRule(rules.shipping).getAttribute('data-applied'), 'true');
      await expectText(tryRule(rules.shipping).getByTestId('try-rule-state'), T.applied);
      assert.equal(await tryRule(rules.complaint).getAttribute('data-matched'), 'true');
      assert.equal(await tryRule(rules.complaint).getAttribute('data-applied'), 'false');
      const reasons = tryRule(rules.complaint).getByTestId('try-reason');
      assert.deepEqual(await reasons.evaluateAll((els) => els.map((e) => [e.dataset.condition, e.dataset.ok])),
        [['intents', 'true'], ['pattern', 'true'], ['sentiment', 'true']]);
      await expectText(reasons.nth(2), T.sentimentOk);
      await expectText(reasons.nth(1), '快递');
      // The rule says high; an angry customer goes one step up while that option is on (the default).
      const raises = (await apiGet(page, '/api/routing/settings')).negative_raises_priority;
      const outcome = box.getByTestId('try-outcome');
      assert.equal(await outcome.getAttribute('data-team-id'), String(teams['物流组']));
      assert.equal(await outcome.getAttribute('data-priority'), raises ? 'urgent' : 'high');
      assert.equal(expected.outcome.priority, raises ? 'urgent' : 'high');
      await fits(page, 'try it');
      await box.scrollIntoViewIfNeeded();
      await shot(page, '4-try-shadowed');

      // Moved back above the broader rule: no warning, and the complaint rule applies.
      await tap(ruleRow('物流投诉').getByTestId('rule-up'));
      await eventually(async () => (await ruleNames())[0] === '物流投诉', 'the complaint rule first again');
      await page.getByTestId('rule-warning').waitFor({ state: 'detached' });
      assert.deepEqual((await serverRules()).map((r) => r.warnings.length), [0, 0]);
      await tryIt(ANGRY);
      await eventually(async () => (await tryRule(rules.complaint).getAttribute('data-applied')) === 'true',
        'the complaint rule applied');
      assert.equal(await tryRule(rules.shipping).getAttribute('data-applied'), 'false');
      assert.equal(await outcome.getAttribute('data-team-id'), String(teams['售后']));
      assert.equal(await outcome.getAttribute('data-priority'), 'urgent');
    });

    test('options: the VIP team and the switches are saved and shown again after a reload', async () => {
      const opts = page.getByTestId('routing-options');
      await opts.getByTestId('routing-vip-team').selectOption(String(teams['售后']));
      await opts.getByTestId('routing-requeue_on_offline').check();
      await opts.getByTestId('routing-negative_raises_priority').check();
      await opts.getByTestId('routing-negative_hands_over').uncheck();
      await tap(opts.getByTestId('routing-options-form-submit'));
      const want = { vip_team_id: teams['售后'], requeue_on_offline: true, negative_raises_priority: true,
        negative_hands_over: false };
      await eventually(async () => JSON.stringify(await apiGet(page, '/api/routing/settings')) === JSON.stringify(want),
        'the options saved');
      await page.reload();
      await opts.getByTestId('routing-vip-team').waitFor();
      assert.equal(await opts.getByTestId('routing-vip-team').inputValue(), String(teams['售后']));
      assert.equal(await opts.getByTestId('routing-requeue_on_offline').isChecked(), true);
      assert.equal(await opts.getByTestId('routing-negative_hands_over').isChecked(), false);
      await fits(page, 'routing page');
      await shot(page, '5-routing');
    });

    test('Settings → Teams: a team shares out by skills; Settings → Agents: an agent\'s skills', async () => {
      await tap(page.getByTestId('settings-tab-teams'));
      const team = page.locator(`[data-testid="team-row"][data-team-id="${teams['物流组']}"]`);
      await tap(team.getByTestId('team-edit'));
      const dlg = page.getByTestId('team-dialog');
      assert.equal(await dlg.getByTestId('team-strategy-select').inputValue(), 'round_robin');
      await dlg.getByTestId('team-strategy-select').selectOption('skills');
      await fits(page, 'team dialog');
      await tap(dlg.getByTestId('team-form-submit'));
      await dlg.waitFor({ state: 'detached' });
      await expectText(team.getByTestId('team-strategy'), T.skills);
      assert.equal(await team.getByTestId('team-strategy').getAttribute('data-strategy'), 'skills');
      const { teams: all } = await apiGet(page, '/api/teams');
      assert.equal(all.find((x) => x.id === teams['物流组']).strategy, 'skills');
      assert.equal(all.find((x) => x.id === teams['售后']).strategy, 'round_robin');

      await tap(page.getByTestId('settings-tab-agents'));
      await tap(page.getByTestId(`agent-manage-${agentId}`));
      const agentDlg = page.getByTestId('agent-dialog');
      await agentDlg.getByTestId(`agent-skills-pick-${SHIPPING.name}`).check();
      await agentDlg.getByTestId('agent-skills-pick-refund').check();
      await fits(page, 'agent dialog');
      await shot(page, '6-agent-skills');
      await tap(agentDlg.getByTestId('agent-edit-submit'));
      await agentDlg.waitFor({ state: 'detached' });
      const row = page.locator(`[data-testid="agent-row"][data-agent-id="${agentId}"]`);
      await expectText(row.getByTestId('agent-skills'), SHIPPING.label);
      const { agents } = await apiGet(page, '/api/agents');
      const skills = agents.find((a) => a.id === agentId).skills;
      assert.deepEqual(skills.slice().sort(), [REFUND.name, SHIPPING.name]);
      const labels = { [REFUND.name]: REFUND.label, [SHIPPING.name]: SHIPPING.label };
      assert.deepEqual(await row.getByTestId('agent-skill').allInnerTexts(), skills.map((n) => labels[n]));
      assert.deepEqual(agents.find((a) => a.id !== agentId).skills, []);
    });

    test('an agent who is not an admin reads Settings → Routing without controls', async () => {
      await agentPage.goto('/#/settings/routing');
      await agentPage.getByTestId('routing-readonly').waitFor();
      await expectText(agentPage.getByTestId('routing-readonly'), T.readonly);
      await agentPage.locator(`[data-testid="intent-row"][data-name="${SHIPPING.name}"]`).waitFor();
      assert.deepEqual(await agentPage.getByTestId('rule-name').allInnerTexts(), ['物流投诉', '物流问题']);
      for (const id of ['intent-new', 'intent-edit', 'rule-new', 'rule-edit', 'rule-up', 'try-form',
        'routing-options-form-submit']) {
        assert.equal(await agentPage.getByTestId(id).filter({ visible: true }).count(), 0, `${id} hidden`);
      }
      assert.equal(await agentPage.getByTestId('rule-toggle').first().isDisabled(), true);
      assert.equal(await agentPage.getByTestId('routing-vip-team').isDisabled(), true);
      await fits(agentPage, 'routing page, read only');
    });

    test('the pages logged no errors', () => {
      assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
    });
  });
}
