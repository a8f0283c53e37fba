// Knowledge base: what the list, the editor and the other KB pages share —
// the two languages, their badges, the categories, and a page head with a
// way back to the list.
import { api } from '../api.js';
import { h } from '../dom.js';
import { icon } from '../icons.js';
import { LANGS, t } from '../i18n.js';

/** Article languages, Chinese first (most shops write in Chinese). */
export const KB_LANGS = ['zh-CN', 'en'];

/** A language's own name ("中文", "English"): the same in both consoles. */
export function langName(code) {
  const l = LANGS.find((x) => x.code === code);
  return l ? l.label : code;
}

/** A small pill naming an article's language. */
export function langBadge(code) {
  return h('span', { class: 'badge badge-muted kb-lang', testid: 'kb-lang', dataset: { locale: code } }, langName(code));
}

/** Every category, both languages, in their order. */
export async function loadCategories() {
  return (await api.get('/api/kb/categories')).categories;
}

/** A category's name for a select that lists both languages: "售后 · 中文". */
export function categoryLabel(c, withLang) {
  return withLang ? `${c.name} · ${langName(c.locale)}` : c.name;
}

/** Head of a KB sub-page: back to the list, a title, optional actions. */
export function kbHead(title, { sub, actions, back = '#/kb', testid } = {}) {
  return h('header', { class: 'kb-head', testid },
    h('a', { class: 'btn-icon kb-back', href: back, testid: 'kb-back', 'aria-label': t('kb.back') }, icon('back')),
    h('div', { class: 'kb-head-text' },
      h('h2', { class: 'kb-head-title', testid: 'kb-head-title' }, title),
      sub ? h('div', { class: 'kb-head-sub' }, sub) : null),
    actions ? h('div', { class: 'kb-head-actions' }, actions) : null);
}

/** Call `fn` once typing has paused for `ms`. */
export function debounce(fn, ms) {
  let timer = null;
  const wrapped = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  wrapped.cancel = () => clearTimeout(timer);
  return wrapped;
}

/** Lines of a textarea, trimmed, without empty ones. */
export function lines(text) {
  return text.split('\n').map((l) => l.trim()).filter(Boolean);
}
