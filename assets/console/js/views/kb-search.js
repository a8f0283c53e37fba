// The "Try the bot" box on the knowledge base page: write a message the way a
// customer would and see what the bot would do with it — answer with an
// article (shown as the chat bubble the customer would get), offer a few
// articles, or hand over to a person, and why — with how sure it is next to
// the shop's thresholds. Admins may pick the inbox (its articles only).
// Nothing is sent to anyone.
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { isAdmin } from '../session.js';
import { KB_LANGS, langBadge, langName } from './kb-common.js';

const pct = (x) => Math.round(x * 100);
const REASONS = ['asked_for_person', 'upset', 'no_answer'];
const NOTICE = { answer: 'notice-ok', suggest: 'kb-bot-suggest', handoff: 'notice-warn' };
const ICON = { answer: 'check', suggest: 'book', handoff: 'user' };

function decisionLine(r) {
  let text = t(`kb.try.decision.${r.decision}`);
  if (r.decision === 'handoff' && REASONS.includes(r.reason)) {
    text = t('kb.try.decision.handoff_because', { reason: t(`kb.try.reason.${r.reason}`) });
  }
  return h('p', {
    class: ['notice', 'kb-bot-decision', NOTICE[r.decision]], testid: 'kb-try-decision',
    dataset: { decision: r.decision, reason: r.reason || '' },
  }, icon(ICON[r.decision] || 'info', 'icon icon-sm'), h('span', null, text));
}

/** The best match's confidence on a bar marked where the bot starts offering and answering. */
function scoreLine(r) {
  const fill = h('span', { class: 'kb-gauge-fill' });
  // The CSP forbids style attributes; CSSOM properties are fine.
  fill.style.width = `${pct(r.confidence)}%`;
  const mark = (x, kind) => {
    const m = h('span', { class: ['kb-gauge-mark', `kb-gauge-mark-${kind}`] });
    m.style.left = `${pct(x)}%`;
    return m;
  };
  const n = { p: pct(r.confidence), a: pct(r.answer_threshold), s: pct(r.suggest_threshold) };
  return h('div', { class: 'kb-gauge-row', testid: 'kb-try-score', dataset: { confidence: r.confidence } },
    h('span', { class: 'kb-gauge', 'aria-hidden': 'true' },
      fill, mark(r.suggest_threshold, 'suggest'), mark(r.answer_threshold, 'answer')),
    h('span', { class: 'kb-gauge-text' }, t(r.articles.length ? 'kb.try.score' : 'kb.try.score_none', n)));
}

function publicLink(a) {
  return h('a', { class: 'kb-bot-public', href: a.url, target: '_blank', rel: 'noopener noreferrer', testid: 'kb-try-public' },
    icon('globe', 'icon icon-xs'), h('span', null, t('kb.try.public_page')));
}

/** The answer as the customer would get it in the chat, and where it comes from. */
function answerPreview(a) {
  return h('div', { class: 'kb-bot-chat', testid: 'kb-try-answer', dataset: { articleId: a.article_id } },
    h('div', { class: 'kb-bot-msg' },
      h('span', { class: 'kb-bot-who' }, t('inbox.bot')),
      h('p', { class: 'kb-bot-bubble', testid: 'kb-try-answer-text' }, a.text)),
    h('div', { class: 'row-meta kb-bot-source' },
      langBadge(a.locale),
      h('a', { class: 'kb-hit-title', href: `#/kb/articles/${a.article_id}`, testid: 'kb-try-article' }, a.title),
      h('span', { class: 'kb-confidence' }, t('kb.try.confidence', { n: pct(a.confidence) })),
      publicLink(a)));
}

function articleRow(a) {
  const bar = h('span', { class: 'kb-meter-fill' });
  bar.style.width = `${pct(a.confidence)}%`;
  return h('li', { class: 'kb-hit', testid: 'kb-hit', dataset: { articleId: a.article_id } },
    h('a', { class: 'kb-hit-title', href: `#/kb/articles/${a.article_id}`, testid: 'kb-hit-title' }, a.title),
    h('div', { class: 'row-meta' },
      langBadge(a.locale),
      h('span', { class: 'kb-meter', 'aria-hidden': 'true' }, bar),
      h('span', { class: 'kb-confidence', testid: 'kb-hit-confidence', dataset: { confidence: a.confidence } },
        t('kb.try.confidence', { n: pct(a.confidence) })),
      publicLink(a)));
}

function articleList(articles) {
  return h('ol', { class: 'kb-hits', testid: 'kb-try-hits' }, articles.map(articleRow));
}

/** What the bot would do with `r` (a POST /api/bot/answer reply). */
function drawReply(r) {
  const out = [decisionLine(r), scoreLine(r)];
  if (r.decision === 'answer' && r.articles.length) {
    out.push(answerPreview(r.articles[0]));
  } else if (r.decision === 'suggest') {
    out.push(articleList(r.articles));
  } else if (r.articles.length) {
    out.push(h('p', { class: 'hint', testid: 'kb-try-agent-sees' }, t('kb.try.agent_sees')), articleList(r.articles));
  }
  return out;
}

/** The admin's inbox choice: filled once the inboxes are in, hidden if there are none. */
function inboxSelect() {
  const select = h('select', {
    class: 'input kb-try-select', testid: 'kb-try-inbox', hidden: true,
    'aria-label': t('kb.try.inbox'), title: t('kb.try.inbox'),
  });
  api.get('/api/inboxes').then(({ inboxes }) => {
    if (!inboxes.length) return;
    mount(select, h('option', { value: '' }, t('kb.try.all_inboxes')),
      inboxes.map((ib) => h('option', { value: String(ib.id) }, ib.name)));
    select.hidden = false;
  }).catch(() => {
    // Without the list the bot is tried with every inbox's articles.
  });
  return select;
}

/** The box, ready to place. */
export function tryBotBox() {
  const input = h('input', {
    type: 'text', class: 'input kb-try-input', name: 'text', testid: 'kb-try-input', autocomplete: 'off',
    enterkeyhint: 'send', placeholder: t('kb.try.placeholder'), 'aria-label': t('kb.try.question'), maxlength: 5000,
  });
  const locale = h('select', {
    class: 'input kb-try-select', testid: 'kb-try-locale', 'aria-label': t('kb.try.locale'), title: t('kb.try.locale'),
  },
  h('option', { value: '' }, t('kb.try.locale_unknown')),
  KB_LANGS.map((l) => h('option', { value: l }, langName(l))));
  const inbox = isAdmin() ? inboxSelect() : null;
  const button = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'kb-try-submit' },
    icon('send', 'icon icon-sm'), h('span', null, t('kb.try.ask')));
  const results = h('div', { class: 'kb-try-results', testid: 'kb-try-results', 'aria-live': 'polite' });
  let seq = 0;

  async function run() {
    const text = input.value.trim();
    if (!text) {
      mount(results);
      input.focus();
      return;
    }
    const mine = (seq += 1);
    button.disabled = true;
    results.setAttribute('aria-busy', 'true');
    const body = { text };
    if (locale.value) body.locale = locale.value;
    if (inbox && inbox.value) body.inbox_id = Number(inbox.value);
    try {
      const r = await api.post('/api/bot/answer', body);
      if (mine === seq) mount(results, drawReply(r));
    } catch (err) {
      if (mine === seq) mount(results, h('p', { class: 'form-error', role: 'alert', testid: 'kb-try-error' }, err.message));
    } finally {
      if (mine === seq) {
        button.disabled = false;
        results.removeAttribute('aria-busy');
      }
    }
  }

  const form = h('form', {
    class: 'kb-try-form', testid: 'kb-try-form',
    onSubmit: (ev) => {
      ev.preventDefault();
      run();
    },
  }, input, locale, inbox, button);
  return h('section', { class: 'card kb-try', testid: 'kb-try' },
    h('div', null, h('h2', { class: 'card-title' }, t('kb.try.title')),
      h('p', { class: 'hint' }, t('kb.try.hint'))),
    form, results);
}
