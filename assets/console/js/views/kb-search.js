// The "Test the search" box on the knowledge base page: type a question the
// way a customer would and see the articles the search finds, how sure it is
// of each, and whether the best one is sure enough to be answered with
// automatically (confidence at or above the shop's answer threshold).
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { KB_LANGS, langBadge, langName } from './kb-common.js';

const pct = (x) => Math.round(x * 100);

function hitRow(hit, answers) {
  const bar = h('span', { class: 'kb-meter-fill' });
  // The CSP forbids style attributes; a CSSOM property is fine.
  bar.style.width = `${pct(hit.confidence)}%`;
  return h('li', { class: ['kb-hit', answers && 'kb-hit-answer'], testid: 'kb-hit', dataset: { articleId: hit.article_id } },
    h('div', { class: 'kb-hit-top' },
      h('a', { class: 'kb-hit-title', href: `#/kb/articles/${hit.article_id}`, testid: 'kb-hit-title' }, hit.title),
      answers ? h('span', { class: 'badge badge-ok', testid: 'kb-hit-would-answer' }, t('kb.try.would_answer')) : null),
    h('div', { class: 'row-meta' },
      langBadge(hit.locale),
      hit.category ? h('span', null, hit.category) : null,
      h('span', { class: 'kb-meter', 'aria-hidden': 'true' }, bar),
      h('span', { class: 'kb-confidence', testid: 'kb-hit-confidence', dataset: { confidence: hit.confidence } },
        t('kb.try.confidence', { n: pct(hit.confidence) }))),
    hit.snippet ? h('p', { class: 'kb-hit-snippet' }, hit.snippet) : null);
}

/** The box, ready to place. */
export function trySearchBox() {
  const input = h('input', {
    type: 'search', class: 'input', name: 'q', testid: 'kb-try-input', autocomplete: 'off', enterkeyhint: 'search',
    placeholder: t('kb.try.placeholder'), 'aria-label': t('kb.try.question'), maxlength: 500,
  });
  const locale = h('select', { class: 'input kb-try-locale', testid: 'kb-try-locale', 'aria-label': t('kb.try.locale') },
    h('option', { value: '' }, t('kb.try.any_language')),
    KB_LANGS.map((l) => h('option', { value: l }, langName(l))));
  const button = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'kb-try-submit' },
    icon('search', 'icon icon-sm'), h('span', null, t('kb.try.search')));
  const results = h('div', { class: 'kb-try-results', testid: 'kb-try-results', 'aria-live': 'polite' });
  let seq = 0;

  async function run() {
    const q = input.value.trim();
    if (!q) {
      mount(results);
      input.focus();
      return;
    }
    const mine = (seq += 1);
    button.disabled = true;
    const params = new URLSearchParams({ q, limit: '5' });
    if (locale.value) params.set('locale', locale.value);
    try {
      const r = await api.get(`/api/kb/search?${params}`);
      if (mine === seq) draw(r);
    } catch (err) {
      if (mine === seq) mount(results, h('p', { class: 'form-error', role: 'alert', testid: 'kb-try-error' }, err.message));
    } finally {
      if (mine === seq) button.disabled = false;
    }
  }

  function draw({ hits, answer_threshold: threshold }) {
    if (!hits.length) {
      mount(results, h('p', { class: 'notice', testid: 'kb-try-none' }, t('kb.try.none')));
      return;
    }
    const answers = hits[0].confidence >= threshold;
    mount(results,
      h('p', { class: ['notice', answers ? 'notice-ok' : 'notice-warn'], testid: 'kb-try-verdict' },
        t(answers ? 'kb.try.verdict_answer' : 'kb.try.verdict_none',
          { title: hits[0].title, p: pct(hits[0].confidence), n: pct(threshold) })),
      h('ol', { class: 'kb-hits', testid: 'kb-try-hits' }, hits.map((hit, i) => hitRow(hit, answers && i === 0))));
  }

  const form = h('form', {
    class: 'kb-try-form', role: 'search', testid: 'kb-try-form',
    onSubmit: (ev) => {
      ev.preventDefault();
      run();
    },
  }, input, locale, button);
  return h('section', { class: 'card kb-try', testid: 'kb-try' },
    h('div', null, h('h2', { class: 'card-title' }, t('kb.try.title')),
      h('p', { class: 'hint' }, t('kb.try.hint'))),
    form, results);
}
