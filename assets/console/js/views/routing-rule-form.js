// The editor of one routing rule: its name, on/off, "continue with the next
// rules", the conditions (all the given ones must hold; none: every
// conversation) and the actions. What the server refuses is pointed at: an
// invalid pattern shows the regex error beside the field.
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { field, form, textArea } from '../forms.js';
import { t } from '../i18n.js';
import { openDialog, toast } from '../ui.js';
import {
  CHANNELS, LANGUAGES, PRIORITIES, SENTIMENTS, checkChips, isOn, pick, rdir, splitWords, switchField,
} from './routing-common.js';

const EMPTY = { name: '', enabled: true, continue: false, conditions: {}, actions: {} };

/** A yes/no/any select value from true/false/undefined. */
const tri = (v) => (v === true ? 'yes' : v === false ? 'no' : '');
const fromTri = (v) => (v === 'yes' ? true : v === 'no' ? false : undefined);

/** The conditions part of the form. */
function conditionFields(c) {
  const kw = textArea({ label: t('routing.cond.keywords'), name: 'keywords', rows: 2, testid: 'rule-keywords',
    value: (c.keywords || []).join('\n') });
  kw.append(h('p', { class: 'hint' }, t('routing.cond.keywords_hint')));
  const pattern = field({ label: t('routing.cond.pattern'), name: 'pattern', value: c.pattern || '',
    testid: 'rule-pattern', hint: t('routing.cond.pattern_hint'),
    attrs: { class: 'input mono', autocapitalize: 'off', spellcheck: 'false' } });
  const patternError = h('p', { class: 'field-error rt-pattern-error', role: 'alert', testid: 'rule-pattern-error',
    hidden: true });
  pattern.append(patternError);
  pattern.input.addEventListener('input', () => {
    pattern.input.removeAttribute('aria-invalid');
    patternError.hidden = true;
  });
  const el = h('fieldset', { class: 'field rt-group', testid: 'rule-conditions' },
    h('legend', { class: 'label' }, t('routing.rules.conditions')),
    h('p', { class: 'hint' }, t('routing.rules.conditions_hint')),
    checkChips({ legend: t('routing.cond.intents'), name: 'intents', testid: 'rule-intents',
      choices: rdir.intents.map((it) => [it.name, it.label]), selected: c.intents || [],
      empty: t('routing.cond.no_intents') }),
    kw, pattern,
    h('div', { class: 'rt-grid' },
      pick({ label: t('routing.cond.sentiment'), name: 'sentiment', testid: 'rule-sentiment', value: c.sentiment || '',
        options: [['', t('routing.any')], ...SENTIMENTS.map((s) => [s, t(`routing.sentiment.${s}`)])] }),
      pick({ label: t('routing.cond.vip'), name: 'vip', testid: 'rule-vip', value: tri(c.vip),
        options: [['', t('routing.any')], ['yes', t('routing.vip.yes')], ['no', t('routing.vip.no')]] }),
      pick({ label: t('routing.cond.business_hours'), name: 'business_hours', testid: 'rule-business-hours',
        value: c.business_hours || '',
        options: [['', t('routing.any')], ['open', t('routing.hours.open')], ['closed', t('routing.hours.closed')]] })),
    checkChips({ legend: t('routing.cond.inboxes'), name: 'inbox_ids', testid: 'rule-inboxes',
      choices: rdir.inboxes.map((ib) => [ib.id, ib.name]), selected: c.inbox_ids || [] }),
    checkChips({ legend: t('routing.cond.channels'), name: 'channels', testid: 'rule-channels',
      choices: CHANNELS.map((ch) => [ch, t(`routing.channel.${ch}`)]), selected: c.channels || [] }),
    checkChips({ legend: t('routing.cond.languages'), name: 'languages', testid: 'rule-languages',
      choices: LANGUAGES.map((l) => [l, t(`routing.language.${l}`)]), selected: c.languages || [] }),
    field({ label: t('routing.cond.tags'), name: 'tags', value: (c.tags || []).join(', '), testid: 'rule-tags',
      hint: t('routing.cond.tags_hint'), attrs: { autocapitalize: 'off' } }));
  return { el, pattern, patternError };
}

/** The actions part of the form. */
function actionFields(a) {
  const reply = textArea({ label: t('routing.act.auto_reply'), name: 'auto_reply', rows: 3, testid: 'rule-auto-reply',
    value: a.auto_reply || '' });
  reply.input.setAttribute('maxlength', '1000');
  reply.append(h('p', { class: 'hint' }, t('routing.act.auto_reply_hint')));
  return h('fieldset', { class: 'field rt-group', testid: 'rule-actions' },
    h('legend', { class: 'label' }, t('routing.rules.actions')),
    h('div', { class: 'rt-grid' },
      pick({ label: t('routing.act.team'), name: 'team_id', testid: 'rule-team',
        value: a.team_id ? String(a.team_id) : '',
        options: [['', t('routing.unchanged')], ...rdir.teams.map((tm) => [String(tm.id), tm.name])] }),
      pick({ label: t('routing.act.priority'), name: 'priority', testid: 'rule-priority', value: a.priority || '',
        options: [['', t('routing.unchanged')], ...PRIORITIES.map((p) => [p, t(`tickets.priority.${p}`)])] }),
      pick({ label: t('routing.act.agent'), name: 'agent_id', testid: 'rule-agent',
        value: a.agent_id ? String(a.agent_id) : '',
        options: [['', t('routing.unchanged')],
          ...rdir.agents.filter((x) => x.active || x.id === a.agent_id).map((x) => [String(x.id), x.name])] }),
      pick({ label: t('routing.act.bot'), name: 'bot', testid: 'rule-bot', value: tri(a.bot),
        options: [['', t('routing.unchanged')], ['yes', t('routing.bot.on')], ['no', t('routing.bot.off')]] })),
    checkChips({ legend: t('routing.act.labels'), name: 'label_ids', testid: 'rule-labels',
      choices: rdir.labels.map((l) => [l.id, l.name]), selected: a.label_ids || [],
      empty: t('routing.act.no_labels') }),
    reply);
}

/** Read the form's values into { conditions, actions }, leaving out what is not set. */
function readBody(v) {
  const c = {};
  const ids = (xs) => (xs || []).map(Number);
  if (v.inbox_ids && v.inbox_ids.length) c.inbox_ids = ids(v.inbox_ids);
  if (v.channels && v.channels.length) c.channels = v.channels;
  if (v.intents && v.intents.length) c.intents = v.intents;
  const keywords = splitWords(v.keywords || '');
  if (keywords.length) c.keywords = keywords;
  if (v.pattern) c.pattern = v.pattern;
  if (fromTri(v.vip) !== undefined) c.vip = fromTri(v.vip);
  const tags = splitWords(v.tags || '');
  if (tags.length) c.tags = tags;
  if (v.languages && v.languages.length) c.languages = v.languages;
  if (v.business_hours) c.business_hours = v.business_hours;
  if (v.sentiment) c.sentiment = v.sentiment;
  const a = {};
  if (v.team_id) a.team_id = Number(v.team_id);
  if (v.priority) a.priority = v.priority;
  if (v.label_ids && v.label_ids.length) a.label_ids = ids(v.label_ids);
  if (v.agent_id) a.agent_id = Number(v.agent_id);
  if (fromTri(v.bot) !== undefined) a.bot = fromTri(v.bot);
  if (v.auto_reply) a.auto_reply = v.auto_reply;
  return { conditions: c, actions: a };
}

/** The form's input a refusal is about (by its code, or its `field`). */
function refusedInput(f, err) {
  const d = err.details || {};
  const byCode = {
    rule_name_invalid: 'name', pattern_invalid: 'pattern', intent_not_found: 'intents', team_not_found: 'team_id',
    unknown_team: 'team_id', agent_not_found: 'agent_id', unknown_agent: 'agent_id', label_not_found: 'label_ids',
    unknown_label: 'label_ids', inbox_not_found: 'inbox_ids', unknown_inbox: 'inbox_ids',
  };
  const name = byCode[err.code] || (d.field && String(d.field).replace(/^(conditions|actions)\./, ''));
  return name ? f.querySelector(`[name="${CSS.escape(name)}"]`) : null;
}

/** Add (rule null) or change a rule in a dialog; `done()` after saving. */
export function ruleDialog(rule, done) {
  const r = rule || EMPTY;
  const dlg = openDialog({ title: rule ? t('routing.rules.edit') : t('routing.rules.new'), testid: 'rule-dialog' });
  const cond = conditionFields(r.conditions || {});
  const f = form({
    testid: 'rule-form',
    submitLabel: rule ? t('common.save') : t('routing.rules.create'),
    children: [
      field({ label: t('routing.rules.name'), name: 'name', required: true, value: r.name, testid: 'rule-name',
        attrs: { maxlength: 80 } }),
      switchField({ name: 'enabled', label: t('routing.rules.enabled'), checked: r.enabled, testid: 'rule-enabled' }),
      switchField({ name: 'continue', label: t('routing.rules.continue'), hint: t('routing.rules.continue_hint'),
        checked: r.continue, testid: 'rule-continue' }),
      cond.el,
      actionFields(r.actions || {}),
    ],
    onSubmit: async (v, el) => {
      const body = { name: v.name, enabled: isOn(v.enabled), continue: isOn(v.continue), ...readBody(v) };
      try {
        if (rule) await api.patch(`/api/routing/rules/${rule.id}`, body);
        else await api.post('/api/routing/rules', body);
      } catch (err) {
        const input = refusedInput(el, err);
        if (input) {
          input.setAttribute('aria-invalid', 'true');
          input.focus();
        }
        if (err.code === 'pattern_invalid') {
          const reason = err.details && err.details.reason;
          mount(cond.patternError, h('span', null, t('routing.cond.pattern_bad')),
            h('span', { class: 'rt-pattern-reason', testid: 'rule-pattern-reason' }, reason || err.message));
          cond.patternError.hidden = false;
          // The reason is beside the field; the form's message only points there.
          throw new Error(t('routing.cond.pattern_invalid'));
        }
        throw err;
      }
      dlg.close();
      toast(rule ? t('common.saved') : t('routing.rules.created', { name: v.name }));
      done();
    },
  });
  dlg.body.append(f);
  f.querySelector('input').focus();
}
