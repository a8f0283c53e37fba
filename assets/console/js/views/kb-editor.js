// #/kb/articles/new and #/kb/articles/<id>: one article. Admins edit it —
// language, category, title, the Markdown body with a live preview, the other
// ways customers ask (alternate questions), keywords, the external ID that
// links translations, Draft/Published and which inboxes may use it. Leaving
// with unsaved changes asks first. Other agents read the article. A new
// article may come prefilled from the link that opens it
// (#/kb/articles/new?title=…&q=…&q=…&locale=…), e.g. from "Top unanswered".
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { field, form, textArea } from '../forms.js';
import { fmtDateTime, currentLang, t } from '../i18n.js';
import { go, guardLeave } from '../router.js';
import { isAdmin } from '../session.js';
import { confirmDialog, loadError, loading, toast } from '../ui.js';
import { KB_LANGS, kbHead, langBadge, langName, lines, loadCategories } from './kb-common.js';
import { bodyEditor, categoryPicker, fieldError, inboxPicker, statusSwitch } from './kb-fields.js';

// Refusals that do not name a field, and the field they are about.
const FIELD_OF = {
  kb_external_id_invalid: 'external_id',
  kb_external_id_taken: 'external_id',
  kb_category_unknown: 'category_id',
  kb_category_other_language: 'category_id',
  inbox_unknown: 'inbox_ids',
};

function statusBadge(status) {
  return status === 'draft'
    ? h('span', { class: 'badge badge-warn', testid: 'kb-draft' }, t('kb.status.draft'))
    : h('span', { class: 'badge badge-ok', testid: 'kb-live' }, t('kb.status.published'));
}

/** Keywords typed with commas (either kind) or 、 between them. */
const splitKeywords = (text) => text.split(/[,，、\n]/).map((k) => k.trim()).filter(Boolean);

/** What agents who are not admins see: the article as customers will. */
function readView(a) {
  const body = h('div', { class: 'kb-prose', testid: 'kb-read-body' });
  // Sanitised by the server: the HTML the help center shows.
  body.innerHTML = a.body_html;
  return h('article', { class: 'kb-read', testid: 'kb-read' },
    kbHead(a.title, { sub: [langBadge(a.locale), statusBadge(a.status),
      h('span', null, a.category || t('kb.no_category'))] }),
    h('section', { class: 'card' }, body),
    a.questions.length ? h('section', { class: 'card' },
      h('h2', { class: 'card-title' }, t('kb.field.questions')),
      h('ul', { class: 'kb-read-questions', testid: 'kb-read-questions' }, a.questions.map((q) => h('li', null, q))))
      : null,
    a.keywords.length ? h('div', { class: 'kb-chips' }, a.keywords.map((k) => h('span', { class: 'chip' }, k))) : null,
    h('p', { class: 'hint' }, t('kb.updated_at', { time: fmtDateTime(a.updated_at) })));
}

/** What a link may put in a new article: its title, alternate questions (q, repeated) and language. */
function prefillFrom(query) {
  if (!query) return {};
  const out = {};
  const title = (query.get('title') || '').trim();
  if (title) out.title = title.slice(0, 200);
  const questions = query.getAll('q').map((q) => q.trim()).filter(Boolean);
  if (questions.length) out.questions = questions;
  if (KB_LANGS.includes(query.get('locale'))) out.locale = query.get('locale');
  return out;
}

function editor(article, categories, inboxes, onSaved, prefill) {
  const a = article || {
    category_id: null, locale: currentLang() === 'zh-CN' ? 'zh-CN' : 'en', external_id: null, title: '', body: '',
    questions: [], keywords: [], status: 'draft', inbox_ids: null, ...prefill,
  };
  let locale = a.locale;
  const errors = Object.fromEntries(['title', 'body', 'questions', 'keywords', 'external_id', 'category_id', 'inbox_ids']
    .map((n) => [n, fieldError(n)]));

  const category = categoryPicker({ categories, value: a.category_id, getLocale: () => locale, error: errors.category_id });
  const langId = `kb-locale-${Math.random().toString(36).slice(2, 8)}`;
  const language = h('div', { class: 'field' },
    h('span', { class: 'label', id: langId }, t('kb.field.locale')),
    h('div', { class: 'segmented', role: 'radiogroup', testid: 'kb-locale', 'aria-labelledby': langId },
      KB_LANGS.map((l) => h('label', { class: 'segment', testid: `kb-locale-${l}` },
        h('input', { type: 'radio', name: 'locale', value: l, checked: l === locale,
          onChange: () => { locale = l; category.fill(); } }),
        h('span', { class: 'segment-text' }, langName(l))))),
    h('p', { class: 'hint' }, t('kb.field.locale_hint')));
  const title = field({ label: t('kb.field.title'), name: 'title', required: true, value: a.title, testid: 'kb-title',
    hint: t('kb.field.title_hint'), attrs: { maxlength: 200, autocomplete: 'off' } });
  title.append(errors.title);
  const body = bodyEditor({ value: a.body, error: errors.body });
  const questions = textArea({ label: t('kb.field.questions'), name: 'questions', rows: 4, testid: 'kb-questions',
    value: a.questions.join('\n') });
  questions.append(h('p', { class: 'hint' }, t('kb.field.questions_hint')), errors.questions);
  const keywords = field({ label: t('kb.field.keywords'), name: 'keywords', value: a.keywords.join(', '),
    testid: 'kb-keywords', hint: t('kb.field.keywords_hint'), attrs: { autocomplete: 'off' } });
  keywords.append(errors.keywords);
  const external = field({ label: t('kb.field.external_id'), name: 'external_id', value: a.external_id || '',
    testid: 'kb-external-id', hint: t('kb.field.external_id_hint'),
    attrs: { maxlength: 100, autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false' } });
  external.append(errors.external_id);
  const status = statusSwitch(a.status);
  const scope = inboxPicker({ inboxes, value: a.inbox_ids, error: errors.inbox_ids });
  const inputs = { title: title.input, body: body.input, questions: questions.input, keywords: keywords.input,
    external_id: external.input, category_id: category.input, inbox_ids: scope.input };

  const current = () => ({
    category_id: category.value(),
    locale,
    external_id: external.input.value.trim() || null,
    title: title.input.value.trim(),
    body: body.value(),
    questions: lines(questions.input.value),
    keywords: splitKeywords(keywords.input.value),
    status: status.value(),
    inbox_ids: scope.value(),
  });
  let saved = JSON.stringify(current());
  const dirty = () => JSON.stringify(current()) !== saved;
  guardLeave(dirty, () => confirmDialog({ title: t('kb.leave.title'), message: t('kb.leave.text'),
    confirmLabel: t('kb.leave.confirm') }));

  function clearErrors() {
    for (const [name, p] of Object.entries(errors)) {
      p.hidden = true;
      inputs[name].removeAttribute('aria-invalid');
    }
  }
  /** Put a refusal beside its field; false when it names none. */
  function showFieldError(err) {
    const name = (err.details && err.details.field) || FIELD_OF[err.code];
    if (!name || !errors[name]) return false;
    errors[name].textContent = err.message;
    errors[name].hidden = false;
    inputs[name].setAttribute('aria-invalid', 'true');
    inputs[name].focus();
    errors[name].scrollIntoView({ block: 'center' });
    return true;
  }

  async function remove() {
    const name = title.input.value.trim() || a.title;
    const ok = await confirmDialog({ title: t('kb.delete'), message: t('kb.delete_confirm', { title: name }),
      confirmLabel: t('kb.delete') });
    if (!ok) return;
    try {
      await api.del(`/api/kb/articles/${article.id}`);
      saved = JSON.stringify(current());
      toast(t('kb.deleted', { title: name }));
      go('/kb');
    } catch (err) {
      toast(err.message, 'error');
    }
  }

  const f = form({
    testid: 'kb-form',
    wide: true,
    submitLabel: t('common.save'),
    extraActions: [
      article ? h('button', { type: 'button', class: 'btn btn-quiet-danger kb-delete', testid: 'kb-delete',
        onClick: remove }, t('common.delete')) : null,
      h('a', { class: 'btn', href: '#/kb', testid: 'kb-cancel' }, t('common.cancel')),
    ],
    children: [
      h('div', { class: 'kb-form-grid' }, language, category.el),
      title, body.el, questions, keywords,
      h('div', { class: 'kb-form-grid' }, external, h('div', { class: 'field kb-status-field' }, status.el)),
      scope.el,
    ],
    onSubmit: async () => {
      clearErrors();
      const data = current();
      let r;
      try {
        r = article ? await api.put(`/api/kb/articles/${article.id}`, data) : await api.post('/api/kb/articles', data);
      } catch (err) {
        if (showFieldError(err)) throw new Error(t('kb.editor.fix_field'));
        throw err;
      }
      saved = JSON.stringify(data);
      toast(t('kb.saved', { title: r.title }));
      onSaved(r, !article);
    },
  });
  return f;
}

/** #/kb/articles/<id> ("new" for a new one, prefilled from `query`) into `page`. */
export function renderArticle(page, rawId, query) {
  const isNew = rawId === 'new';
  const id = Number(rawId);
  if ((isNew && !isAdmin()) || (!isNew && (!Number.isInteger(id) || id <= 0))) {
    go('/kb', { replace: true });
    return;
  }
  const box = h('div', { class: 'kb-editor', testid: 'kb-editor' }, loading());
  page.append(box);

  const headFor = (article) => kbHead(article ? article.title : t('kb.editor.new_title'), {
    sub: article ? [langBadge(article.locale), statusBadge(article.status),
      h('span', null, t('kb.updated_at', { time: fmtDateTime(article.updated_at) }))] : null,
    testid: 'kb-editor-head',
  });

  function draw(article, categories, inboxes) {
    let head = headFor(article);
    const onSaved = (r, created) => {
      if (created) {
        go(`/kb/articles/${r.id}`, { replace: true });
        return;
      }
      const next = headFor(r);
      head.replaceWith(next);
      head = next;
    };
    mount(box, head, editor(article, categories, inboxes, onSaved, article ? {} : prefillFrom(query)));
  }

  async function load() {
    mount(box, loading());
    try {
      const [article, categories, inboxes] = await Promise.all([
        isNew ? null : api.get(`/api/kb/articles/${id}`),
        loadCategories(),
        isAdmin() ? api.get('/api/inboxes').then((r) => r.inboxes) : [],
      ]);
      if (!isAdmin()) mount(box, readView(article));
      else draw(article, categories, inboxes);
      // Prefilled, the answer is what is missing.
      if (isNew) box.querySelector(`[data-testid="${query && query.get('title') ? 'kb-body' : 'kb-title'}"]`).focus();
    } catch (err) {
      mount(box, kbHead(t('nav.kb')), loadError(err, load));
    }
  }
  load();
}
