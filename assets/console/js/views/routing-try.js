// Settings → Routing → Try it: a message as a customer would write it (and
// optionally the inbox, VIP tier, tags and language) goes through the
// classifier, the sentiment and the rules without anything being saved. Shown:
// the intent with its confidence and the runners-up, the sentiment with the
// cues it found, every rule with whether it matched and why (one line per
// condition), which were applied, and the outcome.
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { field, form, textArea } from '../forms.js';
import { t } from '../i18n.js';
import { LANGUAGES, percent, pick, rdir, splitWords } from './routing-common.js';
import { actionTexts } from './routing-rules.js';

/** What the server found, for people: an inbox's name, "物流查询 93 %", "Negative"… */
function detailText(condition, detail) {
  if (!detail) return '';
  const known = (key) => (t(key) === key ? detail : t(key));
  switch (condition) {
    case 'inbox_ids': return rdir.inboxName(Number(detail));
    case 'channels': return known(`routing.channel.${detail}`);
    case 'languages': return known(`routing.language.${detail}`);
    case 'sentiment': return known(`routing.sentiment.${detail}`);
    case 'business_hours': return known(`routing.hours.${detail}`);
    case 'vip': return detail === 'true' ? t('routing.try.is_vip') : detail === 'false' ? t('routing.try.not_vip') : detail;
    case 'intents': {
      const m = /^(\S+) ([\d.]+)$/.exec(detail);
      return m ? `${rdir.intentLabel(m[1])} ${percent(Number(m[2]))}` : detail;
    }
    default: return detail;
  }
}

/** One line: whether the condition held, and what was found ("A keyword appears (快递)."). */
function reasonText(r) {
  const key = `routing.reason.${r.condition}.${r.ok ? 'ok' : 'no'}`;
  const text = t(key, { detail: detailText(r.condition, r.detail) });
  if (text === key) return `${r.condition}: ${r.detail || ''}`;
  // Without a detail, no empty brackets.
  return r.detail ? text : text.replace(/\s*[(（]\s*[)）]/g, '');
}

function intentBlock(res) {
  const it = res.intent;
  return h('div', { class: 'rt-try-block' },
    h('h4', { class: 'rt-try-title' }, t('routing.try.intent')),
    it ? h('p', { class: 'rt-try-main', testid: 'try-intent', dataset: { name: it.name, confidence: it.confidence } },
      h('strong', { testid: 'try-intent-label' }, it.label), ' ',
      h('span', { class: 'mono rt-name' }, it.name), ' ',
      h('span', { class: 'badge badge-accent', testid: 'try-intent-confidence' }, percent(it.confidence)))
      : h('p', { class: 'hint', testid: 'try-intent', dataset: { name: '' } }, t('routing.try.no_intent')),
    (res.ranking || []).length ? h('ol', { class: 'rt-ranking', testid: 'try-ranking' },
      res.ranking.map((x) => h('li', { testid: 'try-ranking-item', dataset: { name: x.name } },
        h('span', null, x.label), h('span', { class: 'rt-bar', 'aria-hidden': 'true' },
          h('span', { class: 'rt-bar-fill', dataset: { w: Math.round(x.confidence * 100) } })),
        h('span', { class: 'rt-pct' }, percent(x.confidence))))) : null);
}

function sentimentBlock(s) {
  return h('div', { class: 'rt-try-block' },
    h('h4', { class: 'rt-try-title' }, t('routing.try.sentiment')),
    h('p', { class: 'rt-try-main', testid: 'try-sentiment', dataset: { label: s.label, score: s.score, urgent: String(s.urgent) } },
      h('span', { class: ['badge', s.label === 'negative' ? 'badge-danger' : s.label === 'positive' ? 'badge-ok' : ''],
        testid: 'try-sentiment-label' }, t(`routing.sentiment.${s.label}`)), ' ',
      h('span', { testid: 'try-sentiment-score' }, t('routing.try.score', { score: Number(s.score).toFixed(2) })),
      s.urgent ? [' ', h('span', { class: 'badge badge-warn', testid: 'try-urgent' }, t('routing.try.urgent'))] : null),
    (s.cues || []).length ? h('p', { class: 'rt-line', testid: 'try-cues' },
      h('span', { class: 'rt-kind' }, t('routing.try.cues')),
      s.cues.map((c) => h('span', { class: 'chip', testid: 'try-cue' }, c))) : null);
}

function rulesBlock(rules) {
  return h('div', { class: 'rt-try-block' },
    h('h4', { class: 'rt-try-title' }, t('routing.try.rules')),
    rules.length ? h('ol', { class: 'rt-try-rules', testid: 'try-rules' }, rules.map((r) => {
      const state = r.applied ? 'applied' : r.matched ? 'matched' : (r.enabled ? 'no' : 'off');
      return h('li', { class: ['rt-try-rule', `rt-try-${state}`], testid: 'try-rule',
        dataset: { ruleId: r.id, matched: String(r.matched), applied: String(r.applied) } },
      h('div', { class: 'rt-try-rule-head' }, h('strong', { testid: 'try-rule-name' }, r.name),
        h('span', { class: ['badge', r.applied ? 'badge-ok' : r.matched ? 'badge-accent' : 'badge-muted'],
          testid: 'try-rule-state' }, t(`routing.try.state_${state}`))),
      (r.reasons || []).length ? h('ul', { class: 'rt-reasons' }, r.reasons.map((x) => h('li', {
        class: x.ok ? 'rt-ok' : 'rt-no', testid: 'try-reason', dataset: { condition: x.condition, ok: String(x.ok) } },
      h('span', { 'aria-hidden': 'true' }, x.ok ? '✓ ' : '✗ '), reasonText(x))))
        : h('p', { class: 'hint' }, t('routing.try.no_conditions')));
    })) : h('p', { class: 'hint', testid: 'try-no-rules' }, t('routing.try.no_rules')));
}

function outcomeBlock(o) {
  const texts = actionTexts({ ...o, bot: o.bot ?? undefined, auto_reply: null });
  return h('div', { class: 'rt-try-block', testid: 'try-outcome',
    dataset: { teamId: o.team_id ?? '', priority: o.priority || '', agentId: o.agent_id ?? '' } },
  h('h4', { class: 'rt-try-title' }, t('routing.try.outcome')),
  h('p', { class: 'rt-line' }, texts.length ? texts.map((x) => h('span', { class: 'chip', testid: 'try-outcome-item' }, x))
    : h('span', null, t('routing.try.outcome_none'))),
  o.auto_reply ? h('blockquote', { class: 'rt-reply', testid: 'try-auto-reply' }, o.auto_reply) : null);
}

/** Draw the "try it" box into `box`. */
export function renderTry(box) {
  const result = h('div', { class: 'rt-try-result', testid: 'try-result', 'aria-live': 'polite' });
  const text = textArea({ label: t('routing.try.text'), name: 'text', rows: 3, testid: 'try-text', required: true });
  text.input.setAttribute('maxlength', '5000');
  const f = form({
    testid: 'try-form',
    submitLabel: t('routing.try.run'),
    children: [
      text,
      h('div', { class: 'rt-grid' },
        pick({ label: t('routing.try.inbox'), name: 'inbox_id', testid: 'try-inbox',
          options: [['', t('routing.any')], ...rdir.inboxes.map((ib) => [String(ib.id), ib.name])] }),
        field({ label: t('routing.try.vip_tier'), name: 'vip_tier', testid: 'try-vip',
          hint: t('routing.try.vip_hint'), attrs: { autocapitalize: 'off', maxlength: 40 } }),
        field({ label: t('routing.try.tags'), name: 'tags', testid: 'try-tags', hint: t('routing.cond.tags_hint'),
          attrs: { autocapitalize: 'off' } }),
        pick({ label: t('routing.try.language'), name: 'language', testid: 'try-language',
          options: [['', t('routing.try.language_auto')], ...LANGUAGES.map((l) => [l, t(`routing.language.${l}`)])] })),
    ],
    onSubmit: async (v) => {
      const body = { text: v.text, vip_tier: v.vip_tier || null, tags: splitWords(v.tags || '') };
      if (v.inbox_id) body.inbox_id = Number(v.inbox_id);
      if (v.language) body.language = v.language;
      const res = await api.post('/api/routing/try', body);
      mount(result, intentBlock(res), sentimentBlock(res.sentiment), rulesBlock(res.rules || []),
        outcomeBlock(res.outcome || {}));
      // Bar widths through CSSOM (the CSP forbids style attributes).
      for (const bar of result.querySelectorAll('.rt-bar-fill')) bar.style.width = `${bar.dataset.w}%`;
    },
  });
  box.append(
    h('div', { class: 'rt-head' },
      h('div', { class: 'section-head-text' }, h('h3', { class: 'rt-title' }, t('routing.try.title')),
        h('p', { class: 'section-text' }, t('routing.try.text_hint')))),
    h('section', { class: 'card rt-try' }, f, result));
}
