// #/kb/suggestions: how the knowledge base learns. When the bot hands a
// conversation over and an agent answers, the customer's question and the
// agent's answer wait here. Admins turn one into a new article (a prefilled
// form), add the question to an existing article (so the bot finds that article
// next time), or reject it. Agents who are not admins read the queue.
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { field, form, segmented, textArea } from '../forms.js';
import { icon } from '../icons.js';
import { fmtDateTime, t } from '../i18n.js';
import { isAdmin } from '../session.js';
import { fmtListTime } from '../time.js';
import { confirmDialog, emptyState, loadError, loading, openDialog, toast } from '../ui.js';
import { KB_LANGS, debounce, langBadge, langName, lines, loadCategories } from './kb-common.js';
import { categoryPicker, fieldError, statusSwitch } from './kb-fields.js';

const STATUSES = ['pending', 'approved', 'rejected'];
const STATUS_BADGE = { pending: 'badge-warn', approved: 'badge-ok', rejected: 'badge-muted' };
// Refusals that do not name a field, and the field they are about.
const FIELD_OF = {
  kb_category_unknown: 'category_id',
  kb_category_other_language: 'category_id',
  kb_article_unknown: 'article_id',
  not_found: 'article_id',
};
// Kept between visits.
let shown = 'pending';
let uid = 0;

/** Puts a refusal beside its field (`errors` and `inputs` by field name); false when it names none. */
function showFieldError(err, errors, inputs) {
  const name = (err.details && err.details.field) || FIELD_OF[err.code];
  if (!name || !errors[name]) return false;
  errors[name].textContent = err.message;
  errors[name].hidden = false;
  if (inputs[name]) {
    inputs[name].setAttribute('aria-invalid', 'true');
    inputs[name].focus();
  }
  return true;
}

function clearFieldErrors(errors, inputs) {
  for (const [name, p] of Object.entries(errors)) {
    p.hidden = true;
    if (inputs[name]) inputs[name].removeAttribute('aria-invalid');
  }
}

/**
 * Sends an approval from a dialog. A refusal naming a field goes beside it;
 * when someone decided the suggestion first, the dialog closes, the list is
 * told, and this returns null.
 */
async function sendApproval(s, body, { dlg, done, errors, inputs }) {
  try {
    return await api.post(`/api/kb/suggestions/${s.id}/approve`, body);
  } catch (err) {
    if (err.code === 'suggestion_decided') {
      dlg.close();
      done(null, err);
      return null;
    }
    if (showFieldError(err, errors, inputs)) throw new Error(t('kb.editor.fix_field'));
    throw err;
  }
}

/** The language of the new article, as a segmented choice. */
function languageChoice(value, onChange) {
  const labelId = `kb-sugg-locale-${(uid += 1)}`;
  return h('div', { class: 'field' },
    h('span', { class: 'label', id: labelId }, t('kb.field.locale')),
    h('div', { class: 'segmented', role: 'radiogroup', testid: 'kb-locale', 'aria-labelledby': labelId },
      KB_LANGS.map((l) => h('label', { class: 'segment', testid: `kb-locale-${l}` },
        h('input', { type: 'radio', name: labelId, value: l, checked: l === value, onChange: () => onChange(l) }),
        h('span', { class: 'segment-text' }, langName(l))))));
}

/** Approve as a new article: a form prefilled with the question and the answer. */
async function approveAsArticle(s, done) {
  let categories;
  try {
    categories = await loadCategories();
  } catch (err) {
    toast(err.message, 'error');
    return;
  }
  const dlg = openDialog({ title: t('kb.suggestions.new_article_title'), testid: 'kb-approve-article-dialog' });
  let locale = KB_LANGS.includes(s.locale) ? s.locale : KB_LANGS[0];
  const errors = Object.fromEntries(['title', 'body', 'questions', 'category_id', 'locale', 'status']
    .map((n) => [n, fieldError(n)]));
  const category = categoryPicker({ categories, value: null, getLocale: () => locale, error: errors.category_id });
  const language = languageChoice(locale, (l) => { locale = l; category.fill(); });
  language.append(errors.locale);
  const title = field({ label: t('kb.field.title'), name: 'title', required: true, value: s.question.slice(0, 200),
    testid: 'kb-title', attrs: { maxlength: 200, autocomplete: 'off' } });
  title.append(errors.title);
  const body = textArea({ label: t('kb.field.body'), name: 'body', required: true, rows: 6, value: s.answer,
    testid: 'kb-body' });
  body.append(h('p', { class: 'hint' }, t('kb.suggestions.body_hint')), errors.body);
  const questions = textArea({ label: t('kb.field.questions'), name: 'questions', rows: 3, value: s.question,
    testid: 'kb-questions' });
  questions.append(h('p', { class: 'hint' }, t('kb.field.questions_hint')), errors.questions);
  const status = statusSwitch('published');
  const inputs = { title: title.input, body: body.input, questions: questions.input, category_id: category.input,
    status: status.input };

  const f = form({
    testid: 'kb-approve-article',
    submitLabel: t('kb.suggestions.create_article'),
    extraActions: h('button', { type: 'button', class: 'btn', testid: 'kb-approve-cancel', onClick: () => dlg.close() },
      t('common.cancel')),
    children: [h('div', { class: 'kb-form-grid' }, language, category.el), title, body, questions,
      h('div', { class: 'field' }, status.el, errors.status)],
    onSubmit: async () => {
      clearFieldErrors(errors, inputs);
      const data = {
        as: 'article',
        title: title.input.value.trim(),
        body: body.input.value,
        category_id: category.value(),
        locale,
        questions: lines(questions.input.value),
        status: status.value(),
      };
      const r = await sendApproval(s, data, { dlg, done, errors, inputs });
      if (!r) return;
      dlg.close();
      toast(t('kb.suggestions.approved_article', { title: data.title }));
      done(r);
    },
  });
  dlg.body.append(f);
  title.input.focus();
}

/** One article to pick in the "Add as question to…" list. */
function articleOption(a, name, picked) {
  return h('label', { class: 'check kb-pick', testid: 'kb-approve-option', dataset: { articleId: a.id } },
    h('input', { type: 'radio', name, value: String(a.id), checked: picked === a.id }),
    h('span', { class: 'check-text' },
      h('span', { class: 'kb-pick-title' }, a.title),
      h('span', { class: 'check-sub' }, langBadge(a.locale),
        a.status === 'draft' ? h('span', { class: 'badge badge-warn' }, t('kb.status.draft')) : null)));
}

/** Approve as a question of an existing article: pick the article, edit the question. */
function approveAsQuestion(s, done) {
  const dlg = openDialog({ title: t('kb.suggestions.add_question_title'), testid: 'kb-approve-question-dialog' });
  const name = `kb-pick-${(uid += 1)}`;
  const errors = { article_id: fieldError('article_id'), question: fieldError('question') };
  const search = h('input', {
    type: 'search', class: 'input', testid: 'kb-approve-search', autocomplete: 'off', enterkeyhint: 'search',
    placeholder: t('kb.suggestions.search_placeholder'), 'aria-label': t('kb.suggestions.search_placeholder'),
  });
  const caption = h('p', { class: 'hint', testid: 'kb-approve-caption' });
  const options = h('div', { class: 'field checks kb-pick-list', testid: 'kb-approve-options', role: 'radiogroup',
    'aria-label': t('kb.suggestions.pick_article') }, loading());
  const question = textArea({ label: t('kb.suggestions.question_to_add'), name: 'question', required: true, rows: 2,
    value: s.question, testid: 'kb-approve-question' });
  question.append(errors.question);
  const inputs = { question: question.input, article_id: search };
  let picked = null;
  let seq = 0;

  options.addEventListener('change', (ev) => {
    if (ev.target.name === name) picked = Number(ev.target.value);
  });

  /** The closest articles to the question at first; by words of the title once something is typed. */
  async function find() {
    const mine = (seq += 1);
    const typed = search.value.trim();
    let found;
    try {
      if (typed) {
        const r = await api.get(`/api/kb/articles?${new URLSearchParams({ q: typed })}`);
        found = r.articles.slice(0, 20);
      } else {
        const params = new URLSearchParams({ q: s.question.slice(0, 500), limit: '5' });
        if (KB_LANGS.includes(s.locale)) params.set('locale', s.locale);
        const r = await api.get(`/api/kb/search?${params}`);
        found = r.hits.map((x) => ({ id: x.article_id, title: x.title, locale: x.locale, status: 'published' }));
      }
    } catch (err) {
      if (mine === seq) mount(options, loadError(err, find));
      return;
    }
    if (mine !== seq) return;
    caption.textContent = t(typed ? 'kb.suggestions.by_title' : 'kb.suggestions.closest');
    mount(options, found.length
      ? found.map((a) => articleOption(a, name, picked))
      : h('p', { class: 'list-empty', testid: 'kb-approve-none' }, t(typed ? 'kb.no_match' : 'kb.suggestions.none_close')));
  }
  search.addEventListener('input', debounce(find, 250));
  // Enter in the search box searches; it does not submit.
  search.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      find();
    }
  });

  const f = form({
    testid: 'kb-approve-question-form',
    submitLabel: t('kb.suggestions.add_question'),
    extraActions: h('button', { type: 'button', class: 'btn', testid: 'kb-approve-cancel', onClick: () => dlg.close() },
      t('common.cancel')),
    children: [
      h('div', { class: 'field' }, h('span', { class: 'label' }, t('kb.suggestions.pick_article')), search, caption,
        options, errors.article_id),
      question,
    ],
    onSubmit: async () => {
      clearFieldErrors(errors, inputs);
      if (!picked) {
        search.focus();
        throw new Error(t('kb.suggestions.pick_first'));
      }
      const text = question.input.value.trim();
      const r = await sendApproval(s, { as: 'question', article_id: picked, question: text },
        { dlg, done, errors, inputs });
      if (!r) return;
      const chosen = options.querySelector(`[data-article-id="${picked}"] .kb-pick-title`);
      dlg.close();
      toast(t('kb.suggestions.approved_question', { title: chosen ? chosen.textContent : `#${picked}` }));
      done(r);
    },
  });
  dlg.body.append(h('p', { class: 'dialog-text kb-sugg-quote', testid: 'kb-approve-asked' }, s.question), f);
  find();
  search.focus();
}

async function reject(s, done) {
  const ok = await confirmDialog({ title: t('kb.suggestions.reject'), message: t('kb.suggestions.reject_confirm'),
    confirmLabel: t('kb.suggestions.reject') });
  if (!ok) return;
  try {
    done(await api.post(`/api/kb/suggestions/${s.id}/reject`));
    toast(t('kb.suggestions.rejected_toast'));
  } catch (err) {
    done(null, err);
  }
}

function decidedLine(s) {
  if (s.status === 'pending') return null;
  return h('span', { testid: 'kb-suggestion-decided' },
    t(`kb.suggestions.decided_${s.status}`, { time: s.decided_at ? fmtDateTime(s.decided_at) : '' }));
}

function suggestionEl(s, admin, done) {
  const act = (fn) => () => fn(s, done);
  return h('li', { class: 'kb-sugg', testid: 'kb-suggestion', dataset: { suggestionId: s.id, status: s.status } },
    h('div', { class: 'kb-sugg-qa' },
      h('div', { class: 'kb-sugg-part' },
        h('span', { class: 'kb-sugg-label' }, icon('user', 'icon icon-xs'), t('kb.suggestions.asked')),
        h('p', { class: 'kb-sugg-text kb-sugg-question', testid: 'kb-suggestion-question' }, s.question)),
      h('div', { class: 'kb-sugg-part' },
        h('span', { class: 'kb-sugg-label' }, icon('note', 'icon icon-xs'), t('kb.suggestions.answered')),
        h('p', { class: 'kb-sugg-text', testid: 'kb-suggestion-answer' }, s.answer))),
    h('div', { class: 'row-meta' },
      langBadge(s.locale),
      s.status !== 'pending'
        ? h('span', { class: ['badge', STATUS_BADGE[s.status]], testid: 'kb-suggestion-status' },
          t(`kb.suggestions.status.${s.status}`))
        : null,
      h('time', { title: fmtDateTime(s.created_at) }, fmtListTime(s.created_at)),
      h('a', { href: `#/inbox/${s.conversation_id}`, testid: 'kb-suggestion-conversation' },
        t('kb.suggestions.conversation', { id: s.conversation_id })),
      s.article_id ? h('a', { href: `#/kb/articles/${s.article_id}`, testid: 'kb-suggestion-article' },
        t('kb.suggestions.open_article')) : null,
      decidedLine(s)),
    admin && s.status === 'pending'
      ? h('div', { class: 'kb-sugg-actions' },
        h('button', { type: 'button', class: 'btn btn-small btn-primary', testid: 'kb-suggestion-new-article',
          onClick: act(approveAsArticle) }, icon('plus', 'icon icon-sm'), h('span', null, t('kb.suggestions.new_article'))),
        h('button', { type: 'button', class: 'btn btn-small', testid: 'kb-suggestion-add-question',
          onClick: act(approveAsQuestion) }, icon('book', 'icon icon-sm'), h('span', null, t('kb.suggestions.add_question_to'))),
        h('button', { type: 'button', class: 'btn btn-small btn-quiet-danger', testid: 'kb-suggestion-reject',
          onClick: act(reject) }, t('kb.suggestions.reject')))
      : null);
}

/** #/kb/suggestions into `page`; `onChange()` after a decision (the tab's count). */
export function renderSuggestions(page, { onChange }) {
  const admin = isAdmin();
  const listBox = h('div', { class: 'list-box', testid: 'kb-suggestions' }, loading());
  let seq = 0;

  /** After a decision: the list again; a suggestion someone else decided says so. */
  const done = (r, err) => {
    if (err) toast(err.message, 'error');
    load();
    onChange();
  };

  async function load() {
    const mine = (seq += 1);
    listBox.setAttribute('aria-busy', 'true');
    let suggestions;
    try {
      ({ suggestions } = await api.get(`/api/kb/suggestions?status=${shown}`));
    } catch (err) {
      if (mine === seq) mount(listBox, loadError(err, load));
      return;
    }
    if (mine !== seq) return;
    listBox.removeAttribute('aria-busy');
    listBox.dataset.status = shown;
    mount(listBox, suggestions.length
      ? h('ul', { class: 'kb-suggs', testid: 'kb-suggestion-list' }, suggestions.map((s) => suggestionEl(s, admin, done)))
      : emptyState({ iconName: 'bolt', title: t(`kb.suggestions.empty_${shown}`), text: t('kb.suggestions.empty_text'),
        testid: 'kb-suggestions-empty' }));
  }

  page.append(
    h('div', { class: 'kb-learn-head' },
      h('p', { class: 'section-text' }, t('kb.suggestions.text')),
      admin ? null : h('p', { class: 'notice', testid: 'kb-suggestions-readonly' }, t('kb.suggestions.readonly')),
      segmented({ name: 'kb-suggestions-status', testid: 'kb-suggestions-filter', value: shown,
        label: t('kb.suggestions.filter'), options: STATUSES.map((st) => [st, t(`kb.suggestions.status.${st}`)]),
        onChange: (v) => { shown = v; load(); } })),
    listBox);
  load();
}
