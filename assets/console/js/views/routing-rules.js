// Settings → Routing → Rules: tried in order for every new conversation; the
// first whose conditions all hold applies its actions (and, with "continue",
// the next ones are tried too). Each row says what it checks and does, and
// what the server found wrong with it (never matches, shadowed by a rule
// above, contradicts itself, does nothing). Admins add, edit, reorder, switch
// on and off and delete; other agents read.
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { isAdmin } from '../session.js';
import { confirmDialog, loadError, loading, toast } from '../ui.js';
import { rdir } from './routing-common.js';
import { ruleDialog } from './routing-rule-form.js';

const list = (xs, fn = String) => xs.map(fn).join(t('routing.list_sep'));

/** Short texts for the conditions of a rule, in a fixed order; none: "every conversation". */
export function conditionTexts(c) {
  const out = [];
  if (c.intents && c.intents.length) out.push(t('routing.sum.intents', { list: list(c.intents, rdir.intentLabel) }));
  if (c.keywords && c.keywords.length) out.push(t('routing.sum.keywords', { list: list(c.keywords) }));
  if (c.pattern) out.push(t('routing.sum.pattern', { pattern: c.pattern }));
  if (c.sentiment) out.push(t('routing.sum.sentiment', { sentiment: t(`routing.sentiment.${c.sentiment}`) }));
  if (c.vip === true || c.vip === false) out.push(t(c.vip ? 'routing.sum.vip' : 'routing.sum.not_vip'));
  if (c.tags && c.tags.length) out.push(t('routing.sum.tags', { list: list(c.tags) }));
  if (c.languages && c.languages.length) {
    out.push(t('routing.sum.languages', { list: list(c.languages, (l) => t(`routing.language.${l}`)) }));
  }
  if (c.business_hours) out.push(t(`routing.sum.hours_${c.business_hours}`));
  if (c.inbox_ids && c.inbox_ids.length) out.push(t('routing.sum.inboxes', { list: list(c.inbox_ids, rdir.inboxName) }));
  if (c.channels && c.channels.length) {
    out.push(t('routing.sum.channels', { list: list(c.channels, (ch) => t(`routing.channel.${ch}`)) }));
  }
  return out;
}

/** Short texts for what a rule does. */
export function actionTexts(a) {
  const out = [];
  if (a.team_id) out.push(t('routing.sum.team', { team: rdir.teamName(a.team_id) }));
  if (a.priority) out.push(t('routing.sum.priority', { priority: t(`tickets.priority.${a.priority}`) }));
  if (a.label_ids && a.label_ids.length) out.push(t('routing.sum.labels', { list: list(a.label_ids, rdir.labelName) }));
  if (a.agent_id) out.push(t('routing.sum.agent', { agent: rdir.agentName(a.agent_id) }));
  if (a.bot === true || a.bot === false) out.push(t(a.bot ? 'routing.sum.bot_on' : 'routing.sum.bot_off'));
  if (a.auto_reply) out.push(t('routing.sum.auto_reply'));
  return out;
}

/** A translation, or null when the console has no such key. */
const known = (key, params) => (t(key) === key ? null : t(key, params));

/**
 * One warning as a readable sentence. The detail is data: for never_matches
 * what is gone ("intents: gift", "inbox_ids", "channels"), for contradicts the
 * actions both rules set ("team_id, priority"). A code this console does not
 * know shows the server's detail.
 */
function warningText(w, rules) {
  const other = w.rule_id ? rules.find((r) => r.id === w.rule_id) : null;
  const rule = other ? other.name : (w.rule_id ? `#${w.rule_id}` : '');
  const detail = w.detail || '';
  if (w.code === 'never_matches') {
    const kind = detail.split(':')[0].trim();
    return known(`routing.warning.never_matches_${kind}`) || t('routing.warning.never_matches');
  }
  if (w.code === 'contradicts') {
    const what = detail.split(',').map((f) => f.trim()).filter(Boolean)
      .map((f) => known(`routing.what.${f}`) || f).join(t('routing.list_sep'));
    return t('routing.warning.contradicts', { rule, what });
  }
  return known(`routing.warning.${w.code}`, { rule, detail }) || detail || w.code;
}

/** Draw the rules into `box`; returns `load()`. */
export function renderRules(box) {
  const admin = isAdmin();
  const listBox = h('div', null, loading());
  const newBtn = admin ? h('button', { type: 'button', class: 'btn btn-primary', testid: 'rule-new',
    onClick: () => ruleDialog(null, load) }, icon('plus', 'icon icon-sm'), h('span', null, t('routing.rules.new')))
    : null;
  box.append(
    h('div', { class: 'rt-head' },
      h('div', { class: 'section-head-text' }, h('h3', { class: 'rt-title' }, t('routing.rules.title')),
        h('p', { class: 'section-text' }, t('routing.rules.text'))),
      newBtn),
    listBox);

  async function load() {
    try {
      draw((await api.get('/api/routing/rules')).rules);
    } catch (err) {
      mount(listBox, loadError(err, load));
    }
  }

  /** Swap a rule with its neighbour; focus stays on the button pressed. */
  async function move(rules, i, delta) {
    const ids = rules.map((r) => r.id);
    [ids[i], ids[i + delta]] = [ids[i + delta], ids[i]];
    try {
      draw((await api.put('/api/routing/rules/order', { ids })).rules);
      const which = delta < 0 ? 'up' : 'down';
      const btn = listBox.querySelector(`[data-rule-id="${rules[i].id}"] [data-testid="rule-${which}"]`);
      if (btn && !btn.disabled) btn.focus();
    } catch (err) {
      toast(err.message, 'error');
      load();
    }
  }

  async function setEnabled(rule, input) {
    input.disabled = true;
    try {
      await api.patch(`/api/routing/rules/${rule.id}`, { enabled: input.checked });
      toast(t(input.checked ? 'routing.rules.switched_on' : 'routing.rules.switched_off', { name: rule.name }));
    } catch (err) {
      toast(err.message, 'error');
    }
    // The warnings of the others may change with it.
    load();
  }

  async function remove(rule) {
    const ok = await confirmDialog({ title: t('routing.rules.delete'),
      message: t('routing.rules.delete_confirm', { name: rule.name }), confirmLabel: t('routing.rules.delete') });
    if (!ok) return;
    try {
      await api.del(`/api/routing/rules/${rule.id}`);
      toast(t('routing.rules.deleted', { name: rule.name }));
    } catch (err) {
      toast(err.message, 'error');
    }
    load();
  }

  function row(r, i, rules) {
    const conds = conditionTexts(r.conditions || {});
    const acts = actionTexts(r.actions || {});
    const toggle = h('input', { type: 'checkbox', class: 'switch-input', role: 'switch', checked: r.enabled,
      disabled: !admin, testid: 'rule-toggle', 'aria-label': t('routing.rules.enabled_named', { name: r.name }),
      onChange: (ev) => setEnabled(r, ev.currentTarget) });
    return h('li', { class: ['row', 'rt-rule', !r.enabled && 'row-inactive'], testid: 'rule-row',
      dataset: { ruleId: r.id, enabled: String(r.enabled) } },
    h('span', { class: 'sla-pos', 'aria-hidden': 'true', testid: 'rule-position' }, String(i + 1)),
    h('div', { class: 'row-main' },
      h('div', { class: 'row-title' }, h('span', { testid: 'rule-name' }, r.name),
        r.enabled ? null : h('span', { class: 'badge badge-muted', testid: 'rule-off' }, t('routing.rules.off')),
        r.continue ? h('span', { class: 'badge badge-accent', testid: 'rule-continues' }, t('routing.rules.continues'))
          : null),
      h('div', { class: 'row-sub rt-line', testid: 'rule-conditions' },
        h('span', { class: 'rt-kind' }, t('routing.rules.when')),
        conds.length ? conds.map((c) => h('span', { class: 'chip' }, c)) : h('span', null, t('routing.sum.always'))),
      h('div', { class: 'row-sub rt-line', testid: 'rule-actions' },
        h('span', { class: 'rt-kind' }, t('routing.rules.then')),
        acts.length ? acts.map((a) => h('span', { class: 'chip' }, a)) : h('span', null, t('routing.sum.nothing'))),
      (r.warnings || []).map((w) => h('p', { class: 'rt-warning', role: 'note', testid: 'rule-warning',
        dataset: { code: w.code, ruleId: w.rule_id ?? '' } },
      h('span', { class: 'badge badge-warn' }, t('routing.rules.warning')), h('span', null, warningText(w, rules))))),
    h('div', { class: 'row-actions rt-actions' },
      h('label', { class: 'switch rt-switch' }, toggle, h('span', { class: 'switch-track', 'aria-hidden': 'true' }),
        h('span', { class: 'switch-text' }, h('span', { class: 'hint' }, t('routing.rules.enabled')))),
      admin ? [
        h('button', { type: 'button', class: 'btn btn-small sla-move', testid: 'rule-up', disabled: i === 0,
          'aria-label': t('routing.rules.move_up', { name: r.name }), title: t('routing.rules.move_up', { name: r.name }),
          onClick: () => move(rules, i, -1) }, icon('up', 'icon icon-sm')),
        h('button', { type: 'button', class: 'btn btn-small sla-move', testid: 'rule-down',
          disabled: i === rules.length - 1, 'aria-label': t('routing.rules.move_down', { name: r.name }),
          title: t('routing.rules.move_down', { name: r.name }), onClick: () => move(rules, i, 1) },
        icon('down', 'icon icon-sm')),
        h('button', { type: 'button', class: 'btn btn-small', testid: 'rule-edit',
          onClick: () => ruleDialog(r, load) }, t('common.edit')),
        h('button', { type: 'button', class: 'btn btn-small btn-quiet-danger', testid: 'rule-delete',
          onClick: () => remove(r) }, t('common.delete'))] : null));
  }

  function draw(rules) {
    mount(listBox, rules.length
      ? [h('p', { class: 'subhead' }, t('routing.rules.order_hint')),
        h('ol', { class: 'list', testid: 'rule-list' }, rules.map((r, i) => row(r, i, rules)))]
      : h('p', { class: 'list-empty', testid: 'rule-list-empty' },
        t(admin ? 'routing.rules.empty' : 'routing.rules.empty_readonly')));
  }

  return load;
}
