// #/kb: the knowledge base. The articles (filtered by language, status,
// category and words of the title), a box to try the bot, and for admins
// the way to write articles, manage categories and search words, import and
// export. Tabs over it lead to what the bot learns: suggestions from agents'
// answers (#/kb/suggestions), the questions it could not answer
// (#/kb/unanswered) and how its conversations ended (#/kb/outcomes).
// #/kb/articles/<id|new>, #/kb/categories and #/kb/vocabulary are drawn by
// their own modules. Agents who are not admins read and search.
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { icon } from '../icons.js';
import { fmtDateTime, t } from '../i18n.js';
import { go } from '../router.js';
import { isAdmin } from '../session.js';
import { fmtListTime } from '../time.js';
import { emptyState, loadError, loading } from '../ui.js';
import { renderCategories } from './kb-categories.js';
import { renderOutcomes, renderUnanswered } from './kb-insights.js';
import { renderSuggestions } from './kb-suggestions.js';
import { KB_LANGS, categoryLabel, debounce, langBadge, langName, loadCategories } from './kb-common.js';
import { renderArticle } from './kb-editor.js';
import { openExport, openImport } from './kb-import.js';
import { tryBotBox } from './kb-search.js';
import { renderVocabulary } from './kb-vocabulary.js';

// Kept between visits: back from an article, the list is as it was left.
const filters = { locale: '', status: '', category_id: '', q: '' };
const STATUSES = ['published', 'draft'];
// The tabs over the list and the learning pages: route section ('' is the list) and icon.
const TABS = [['', 'book', 'articles'], ['suggestions', 'bolt', 'suggestions'],
  ['unanswered', 'info', 'unanswered'], ['outcomes', 'chart', 'outcomes']];
const TAB_PAGES = { suggestions: renderSuggestions, unanswered: renderUnanswered, outcomes: renderOutcomes };

function select(name, label, options) {
  return h('select', { class: 'input input-compact', name, testid: `kb-filter-${name}`, 'aria-label': label },
    options.map(([v, text]) => h('option', { value: v, selected: filters[name] === v }, text)));
}

function articleRow(a, categories) {
  const cat = a.category_id ? categories.find((c) => c.id === a.category_id) : null;
  return h('li', { class: 'kb-row-item', testid: 'kb-row', dataset: { articleId: a.id, status: a.status } },
    h('a', { class: 'kb-row', href: `#/kb/articles/${a.id}` },
      h('span', { class: 'row-title kb-row-title', testid: 'kb-row-title' }, a.title),
      h('span', { class: 'row-meta' },
        langBadge(a.locale),
        a.status === 'draft' ? h('span', { class: 'badge badge-warn', testid: 'kb-draft' }, t('kb.status.draft')) : null,
        h('span', { testid: 'kb-row-category' }, cat ? cat.name : t('kb.no_category')),
        h('span', { testid: 'kb-row-questions' }, t('kb.questions_count', { n: a.questions })),
        h('time', { title: fmtDateTime(a.updated_at) }, fmtListTime(a.updated_at)))));
}

function adminTools(reload) {
  return h('div', { class: 'kb-tools', testid: 'kb-tools' },
    h('a', { class: 'btn btn-primary', href: '#/kb/articles/new', testid: 'kb-new' },
      icon('plus', 'icon icon-sm'), h('span', null, t('kb.new'))),
    h('a', { class: 'btn btn-small', href: '#/kb/categories', testid: 'kb-open-categories' },
      icon('tag', 'icon icon-sm'), h('span', null, t('kb.categories.title'))),
    h('a', { class: 'btn btn-small', href: '#/kb/vocabulary', testid: 'kb-open-vocabulary' },
      icon('search', 'icon icon-sm'), h('span', null, t('kb.vocabulary.title'))),
    h('button', { type: 'button', class: 'btn btn-small', testid: 'kb-open-import', onClick: () => openImport(reload) },
      icon('file', 'icon icon-sm'), h('span', null, t('kb.import.title'))),
    h('button', { type: 'button', class: 'btn btn-small', testid: 'kb-open-export', onClick: () => openExport() },
      icon('copy', 'icon icon-sm'), h('span', null, t('kb.export.title'))));
}

function renderList(page) {
  const admin = isAdmin();
  let categories = [];
  let seq = 0;
  const listBox = h('div', { class: 'list-box kb-list-box' }, loading());

  const search = h('input', {
    type: 'search', class: 'input input-compact kb-filter-q', name: 'q', value: filters.q, testid: 'kb-filter-q',
    placeholder: t('kb.filter.title'), 'aria-label': t('kb.filter.title'), autocomplete: 'off',
  });
  const locale = select('locale', t('kb.filter.locale'),
    [['', t('kb.filter.all_languages')], ...KB_LANGS.map((l) => [l, langName(l)])]);
  const status = select('status', t('kb.filter.status'),
    [['', t('kb.filter.all_statuses')], ...STATUSES.map((s) => [s, t(`kb.status.${s}`)])]);
  const category = select('category_id', t('kb.filter.category'), [['', t('kb.filter.all_categories')]]);

  function fillCategories() {
    const shown = categories.filter((c) => !filters.locale || c.locale === filters.locale);
    if (filters.category_id && !shown.some((c) => String(c.id) === filters.category_id)) filters.category_id = '';
    mount(category, h('option', { value: '' }, t('kb.filter.all_categories')),
      shown.map((c) => h('option', { value: String(c.id), selected: String(c.id) === filters.category_id },
        categoryLabel(c, !filters.locale))));
  }

  const onFilter = (name, el) => {
    filters[name] = el.value;
    if (name === 'locale') fillCategories();
    load();
  };
  locale.addEventListener('change', () => onFilter('locale', locale));
  status.addEventListener('change', () => onFilter('status', status));
  category.addEventListener('change', () => onFilter('category_id', category));
  const typed = debounce(() => onFilter('q', search), 250);
  search.addEventListener('input', () => {
    filters.q = search.value.trim();
    typed();
  });

  async function load() {
    const mine = (seq += 1);
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
    let articles;
    try {
      const [cats, r] = await Promise.all([loadCategories(), api.get(`/api/kb/articles?${params}`)]);
      categories = cats;
      articles = r.articles;
    } catch (err) {
      if (mine === seq) mount(listBox, loadError(err, load));
      return;
    }
    if (mine !== seq) return;
    fillCategories();
    draw(articles);
  }

  function draw(articles) {
    const filtered = Object.values(filters).some(Boolean);
    if (!articles.length && !filtered) {
      const empty = emptyState({ iconName: 'book', title: t('kb.empty_title'), text: t('kb.empty_text'), testid: 'kb-empty' });
      if (admin) {
        empty.append(h('div', { class: 'actions kb-empty-actions' },
          h('button', { type: 'button', class: 'btn', testid: 'kb-empty-import', onClick: () => openImport(load) },
            icon('file', 'icon icon-sm'), h('span', null, t('kb.import.title'))),
          h('a', { class: 'btn btn-primary', href: '#/kb/articles/new', testid: 'kb-empty-new' },
            icon('plus', 'icon icon-sm'), h('span', null, t('kb.new')))));
      }
      mount(listBox, empty);
      return;
    }
    mount(listBox,
      h('p', { class: 'subhead', testid: 'kb-count' }, t('kb.count', { n: articles.length })),
      articles.length
        ? h('ul', { class: 'list kb-list', testid: 'kb-list' }, articles.map((a) => articleRow(a, categories)))
        : h('p', { class: 'list-empty', testid: 'kb-list-empty' }, t('kb.no_match')));
  }

  page.append(
    admin ? adminTools(load) : h('p', { class: 'notice', testid: 'kb-readonly' }, t('kb.readonly')),
    tryBotBox(),
    h('section', { class: 'kb-articles' },
      h('h2', { class: 'section-title' }, t('kb.articles')),
      h('div', { class: 'kb-filters', testid: 'kb-filters' }, search, locale, status, category),
      listBox));
  load();
}

/** The tabs: articles and the learning pages; Suggestions counts those waiting. */
function kbTabs(current) {
  const count = h('span', { class: 'tab-count', testid: 'kb-tab-suggestions-count' });
  const nav = h('nav', { class: 'tabs kb-tabs', testid: 'kb-tabs', 'aria-label': t('nav.kb') },
    TABS.map(([section, iconName, key]) => h('a', {
      class: ['tab', section === current && 'active'],
      href: section ? `#/kb/${section}` : '#/kb',
      testid: `kb-tab-${key}`,
      'aria-current': section === current ? 'page' : null,
    }, icon(iconName, 'icon icon-sm'), h('span', null, t(`kb.tab.${key}`)), key === 'suggestions' ? count : null)));
  const refresh = () => api.get('/api/kb/suggestions?status=pending').then((r) => {
    count.textContent = r.suggestions.length ? String(r.suggestions.length) : '';
  }, () => {
    // The count is a hint: without it the tab still leads there.
  });
  refresh();
  const active = nav.querySelector('.tab.active');
  if (active) requestAnimationFrame(() => active.scrollIntoView({ block: 'nearest', inline: 'nearest' }));
  return { el: nav, refresh };
}

/** #/kb, #/kb/suggestions|unanswered|outcomes, #/kb/categories, #/kb/vocabulary, #/kb/articles/<id|new>. */
export function renderKb(page, params, ctx) {
  ctx.setTitle(t('nav.kb'));
  page.classList.add('page-kb');
  if (params.id !== undefined) {
    renderArticle(page, params.id, params.query);
  } else if (params.section === undefined) {
    page.append(kbTabs('').el);
    renderList(page);
  } else if (TAB_PAGES[params.section]) {
    const tabs = kbTabs(params.section);
    page.append(tabs.el);
    TAB_PAGES[params.section](page, { onChange: tabs.refresh });
  } else if (!isAdmin() || !['categories', 'vocabulary'].includes(params.section)) {
    go('/kb', { replace: true });
  } else if (params.section === 'categories') {
    renderCategories(page);
  } else {
    renderVocabulary(page);
  }
}
