// #/kb/unanswered and #/kb/outcomes: what the bot could not answer and how
// its conversations ended, over the last 7, 30 or 90 days.
// - Top unanswered: the questions the bot found no article for, grouped, most
//   asked first, each with the ways customers put it; admins open a new
//   article prefilled with the question and those ways.
// - Bot outcomes: of the conversations the bot took part in, how many it
//   resolved, handed over to a person, or lost (the customer left), with
//   their shares of the decided ones.
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { icon } from '../icons.js';
import { currentLang, fmtDateTime, t } from '../i18n.js';
import { isAdmin } from '../session.js';
import { fmtListTime } from '../time.js';
import { emptyState, loadError, loading } from '../ui.js';

const PERIODS = [7, 30, 90];
// Kept between visits and shared by both pages.
let days = 30;
const OUTCOMES = [['resolved', 'deflection_rate'], ['handed_off', 'handoff_rate'], ['abandoned', 'abandon_rate']];

/** "7 days · 30 days · 90 days" as a row of toggle buttons; `onChange(days)`. */
function periodChoice(testid, onChange) {
  const buttons = PERIODS.map((d) => h('button', {
    type: 'button', class: 'kb-period-btn', testid: `${testid}-${d}`, 'aria-pressed': String(d === days),
    onClick: () => {
      if (d === days) return;
      days = d;
      for (const b of buttons) b.setAttribute('aria-pressed', String(b === buttons[PERIODS.indexOf(d)]));
      onChange(d);
    },
  }, t('kb.insights.days', { n: d })));
  return h('div', { class: 'kb-period', role: 'group', testid, 'aria-label': t('kb.insights.period') }, buttons);
}

/** Chinese characters say Chinese; anything else is taken for English. */
const guessLocale = (text) => (/[\u3400-\u9fff]/.test(text) ? 'zh-CN' : 'en');

/** The new-article editor, prefilled: the question as its title, the other ways as alternate questions. */
export function newArticleLink(question, examples) {
  const params = new URLSearchParams({ title: question, locale: guessLocale(question) });
  const seen = new Set([question.trim()]);
  for (const e of examples) {
    const q = e.trim();
    if (q && !seen.has(q)) {
      seen.add(q);
      params.append('q', q);
    }
  }
  return `#/kb/articles/new?${params}`;
}

function groupEl(g, admin) {
  return h('li', { class: 'kb-gap', testid: 'kb-unanswered-group', dataset: { count: g.count } },
    h('div', { class: 'kb-gap-count', testid: 'kb-unanswered-count', 'aria-label': t('kb.unanswered.times', { n: g.count }) },
      h('span', { class: 'kb-gap-n', 'aria-hidden': 'true' }, String(g.count)),
      h('span', { class: 'kb-gap-unit', 'aria-hidden': 'true' }, t('kb.unanswered.times_unit'))),
    h('div', { class: 'kb-gap-main' },
      h('p', { class: 'kb-gap-question', testid: 'kb-unanswered-question' }, g.question),
      g.examples.length > 1 || (g.examples.length === 1 && g.examples[0] !== g.question)
        ? h('ul', { class: 'kb-gap-examples', 'aria-label': t('kb.unanswered.examples') },
          g.examples.filter((e) => e !== g.question)
            .map((e) => h('li', { class: 'chip', testid: 'kb-unanswered-example' }, e)))
        : null,
      h('p', { class: 'row-meta' },
        h('time', { title: fmtDateTime(g.last_at) }, t('kb.unanswered.last', { time: fmtListTime(g.last_at) })))),
    admin
      ? h('a', { class: 'btn btn-small kb-gap-write', href: newArticleLink(g.question, g.examples),
        testid: 'kb-unanswered-write' }, icon('plus', 'icon icon-sm'), h('span', null, t('kb.unanswered.write')))
      : null);
}

/**
 * A page over the chosen period: its text, the 7/30/90 choice, and `box`
 * filled with `draw(r)` from `GET path(days)` (the latest choice wins).
 */
function periodPage(page, box, { path, text, choiceId, draw }) {
  let seq = 0;
  async function load() {
    const mine = (seq += 1);
    box.setAttribute('aria-busy', 'true');
    let r;
    try {
      r = await api.get(path(days));
    } catch (err) {
      if (mine === seq) mount(box, loadError(err, load));
      return;
    }
    if (mine !== seq) return;
    box.removeAttribute('aria-busy');
    box.dataset.days = String(r.days);
    mount(box, draw(r));
  }
  page.append(h('div', { class: 'kb-learn-head' },
    h('p', { class: 'section-text' }, text),
    periodChoice(choiceId, load)), box);
  load();
}

/** #/kb/unanswered into `page`. */
export function renderUnanswered(page) {
  const admin = isAdmin();
  periodPage(page, h('div', { class: 'list-box', testid: 'kb-unanswered' }, loading()), {
    path: (d) => `/api/kb/unanswered?days=${d}`,
    text: t('kb.unanswered.text'),
    choiceId: 'kb-unanswered-days',
    draw: (r) => (r.groups.length
      ? h('ol', { class: 'kb-gaps', testid: 'kb-unanswered-list' }, r.groups.map((g) => groupEl(g, admin)))
      : emptyState({ iconName: 'check', title: t('kb.unanswered.empty_title'), text: t('kb.unanswered.empty_text'),
        testid: 'kb-unanswered-empty' })),
  });
}

const pctFormat = () => new Intl.NumberFormat(currentLang(), { style: 'percent', maximumFractionDigits: 1 });

/** A share of the decided conversations; null (none decided) shows as a dash. */
function rateText(rate) {
  return rate === null || rate === undefined ? '—' : pctFormat().format(rate);
}

function outcomeCard(key, count, rate) {
  return h('div', { class: ['kb-stat', `kb-stat-${key}`], testid: `kb-outcome-${key}`,
    dataset: { count, rate: rate ?? '' } },
  h('span', { class: 'kb-stat-label' }, h('span', { class: 'kb-stat-dot', 'aria-hidden': 'true' }),
    t(`kb.outcomes.${key}`)),
  h('span', { class: 'kb-stat-value', testid: 'kb-outcome-rate' }, rateText(rate)),
  h('span', { class: 'kb-stat-sub', testid: 'kb-outcome-count' }, t('kb.outcomes.conversations_n', { n: count })));
}

/** The three shares side by side on one bar (when any conversation is decided). */
function shareBar(r) {
  if (OUTCOMES.every(([, rate]) => r[rate] === null || r[rate] === undefined)) return null;
  return h('div', { class: 'kb-share', 'aria-hidden': 'true' }, OUTCOMES.map(([key, rate]) => {
    const part = h('span', { class: ['kb-share-part', `kb-stat-${key}`] });
    // The CSP forbids style attributes; CSSOM properties are fine.
    part.style.width = `${(r[rate] || 0) * 100}%`;
    return part;
  }));
}

function drawOutcomes(r) {
  return [
    h('div', { class: 'kb-stat-total', testid: 'kb-outcome-conversations', dataset: { count: r.conversations } },
      h('span', { class: 'kb-stat-value' }, String(r.conversations)),
      h('span', { class: 'kb-stat-label' }, t('kb.outcomes.conversations', { days: r.days }))),
    shareBar(r),
    h('div', { class: 'kb-stats' }, OUTCOMES.map(([key, rate]) => outcomeCard(key, r[key], r[rate]))),
    h('p', { class: 'hint', testid: 'kb-outcome-undecided', dataset: { count: r.undecided } },
      t('kb.outcomes.undecided', { n: r.undecided })),
    h('p', { class: 'notice', testid: 'kb-outcome-explain' }, t('kb.outcomes.explain')),
  ];
}

/** #/kb/outcomes into `page`. */
export function renderOutcomes(page) {
  periodPage(page, h('section', { class: 'card kb-outcomes', testid: 'kb-outcomes' }, loading()), {
    path: (d) => `/api/bot/outcomes?days=${d}`,
    text: t('kb.outcomes.text'),
    choiceId: 'kb-outcomes-days',
    draw: (r) => (r.conversations
      ? drawOutcomes(r)
      : emptyState({ iconName: 'chart', title: t('kb.outcomes.empty_title'), text: t('kb.outcomes.empty_text'),
        testid: 'kb-outcomes-empty' })),
  });
}
