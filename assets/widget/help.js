// The widget's help view: search the shop's published help articles and read
// one without leaving the chat (the chat stays as it was, hidden underneath).
// An article's body is HTML the server has sanitised (ammonia); it is the only
// thing here set with innerHTML, in a container of its own. Everything else
// is built from text nodes.
import { api, currentLang, h, icon, t } from './util.js';

const DEBOUNCE = 250;
const LOCALES = ['en', 'zh-CN'];
const ARTICLE_PATH = /^\/help\/(?:en|zh-CN)\/articles\/(\d+)$/;

/** Worth a search: two characters, or one that is not ASCII (一个汉字 is a word). */
const searchable = (q) => q.length >= 2 || /[^\x00-\x7f]/.test(q);
const articleUrl = (locale, id) => `${location.origin}/help/${LOCALES.includes(locale) ? locale : 'en'}/articles/${id}`;

/** The help view. `onChat()` goes back to the conversation. */
export function createHelp({ onChat }) {
  const input = h('input', {
    type: 'search', class: 'input', name: 'q', placeholder: t('widget.help_search'), autocomplete: 'off',
    'aria-label': t('widget.help_search'), enterkeyhint: 'search', maxlength: '500', testid: 'widget-help-search',
  });
  const form = h('form', { class: 'hsearch', role: 'search', novalidate: true }, input);
  const note = h('p', { class: 'hnote', role: 'status', testid: 'widget-help-status' }, t('widget.help_hint'));
  const results = h('ul', { class: 'hits', 'aria-label': t('widget.help_results'), testid: 'widget-help-results' });
  const searchPane = h('div', { class: 'hpane' }, note, results);
  const articlePane = h('article', { class: 'hpane', tabindex: '-1', testid: 'widget-help-article', hidden: true });
  const scroller = h('div', { class: 'hbody' }, searchPane, articlePane);
  const news = h('span', { class: 'news', testid: 'widget-help-unread', hidden: true });
  const el = h('section', { class: 'help', 'aria-label': t('widget.help_title'), testid: 'widget-help', hidden: true },
    form, scroller,
    h('div', { class: 'hfoot' }, h('button', { type: 'button', class: 'btn', testid: 'widget-help-chat', onClick: onChat },
      h('span', null, t('widget.help_chat')), news)));

  let timer = 0;
  let searchCtl = null;
  let articleCtl = null;
  let shownFor = '';
  let listScroll = 0;
  let opener = null; // the result that opened the article, focused again on the way back

  function say(text) {
    note.textContent = text;
    note.hidden = !text;
  }

  function hitLink(hit) {
    const id = Number(hit.article_id);
    return h('li', null, h('a', {
      class: 'hit', href: articleUrl(hit.locale, id), testid: 'widget-help-hit',
      onClick: (ev) => {
        if (ev.ctrlKey || ev.metaKey || ev.shiftKey) return; // the reader asked for a new tab
        ev.preventDefault();
        opener = ev.currentTarget;
        openArticle(id);
      },
    }, h('span', { class: 'ht' }, String(hit.title || '')),
    hit.snippet ? h('span', { class: 'hs' }, String(hit.snippet)) : null));
  }

  async function search() {
    const q = input.value.trim();
    if (searchCtl) searchCtl.abort();
    if (q === shownFor) return;
    if (!searchable(q)) {
      shownFor = '';
      results.replaceChildren();
      say(t('widget.help_hint'));
      return;
    }
    searchCtl = new AbortController();
    const mine = searchCtl;
    el.setAttribute('aria-busy', 'true');
    try {
      const inbox = new URLSearchParams(location.search).get('inbox') || '';
      const r = await api.get(`/api/help/search?q=${encodeURIComponent(q)}&locale=${currentLang()}`
        + `&inbox=${encodeURIComponent(inbox)}`,
        { signal: mine.signal });
      if (mine !== searchCtl) return;
      const hits = Array.isArray(r && r.hits) ? r.hits : [];
      shownFor = q;
      results.replaceChildren(...hits.map(hitLink));
      say(hits.length ? '' : t('widget.help_none'));
    } catch (err) {
      if (mine !== searchCtl || err.code === 'aborted') return;
      shownFor = '';
      results.replaceChildren();
      say(err.message);
    } finally {
      if (mine === searchCtl) el.removeAttribute('aria-busy');
    }
  }

  function showArticle(a) {
    const back = h('button', { type: 'button', class: 'hback', testid: 'widget-help-back', onClick: backToList },
      icon('back'), h('span', null, t('widget.help_back')));
    const prose = h('div', { class: 'prose', testid: 'widget-help-body' });
    // Sanitised by the server (ammonia): the one place HTML is parsed.
    prose.innerHTML = typeof a.body_html === 'string' ? a.body_html : '';
    for (const link of prose.querySelectorAll('a[href]')) {
      // A link must never take the chat frame away: other help articles open
      // here, everything else in a new tab.
      link.target = '_blank';
      link.rel = 'noopener noreferrer nofollow';
    }
    prose.addEventListener('click', (ev) => {
      const link = ev.target.closest('a[href]');
      const url = link && new URL(link.href, location.href);
      const m = url && url.origin === location.origin && ARTICLE_PATH.exec(url.pathname);
      if (m) {
        ev.preventDefault();
        openArticle(Number(m[1]));
      }
    });
    const related = Array.isArray(a.related) && a.related.length
      ? h('nav', { class: 'hrelated', 'aria-label': t('widget.help_related') },
        h('h3', null, t('widget.help_related')),
        h('ul', null, a.related.map((r) => h('li', null, h('a', {
          href: articleUrl(a.locale, Number(r.id)),
          onClick: (ev) => {
            ev.preventDefault();
            openArticle(Number(r.id));
          },
        }, String(r.title || ''))))))
      : null;
    articlePane.replaceChildren(back,
      h('h2', { class: 'htitle', testid: 'widget-help-title' }, String(a.title || '')),
      a.category ? h('p', { class: 'hcat' }, String(a.category)) : null,
      prose,
      h('a', {
        class: 'hnew', href: articleUrl(a.locale, Number(a.id)), target: '_blank', rel: 'noopener',
        testid: 'widget-help-newtab',
      }, icon('external'), h('span', null, t('widget.help_new_tab'))),
      related);
  }

  async function openArticle(id) {
    if (!Number.isSafeInteger(id)) return;
    if (!searchPane.hidden) listScroll = scroller.scrollTop;
    if (articleCtl) articleCtl.abort();
    articleCtl = new AbortController();
    const mine = articleCtl;
    searchPane.hidden = true;
    articlePane.hidden = false;
    articlePane.replaceChildren(h('p', { class: 'hnote', role: 'status' }, t('widget.help_loading')));
    scroller.scrollTop = 0;
    try {
      const a = await api.get(`/api/help/articles/${id}`, { signal: mine.signal });
      if (mine !== articleCtl) return;
      showArticle(a);
      articlePane.focus({ preventScroll: true });
    } catch (err) {
      if (mine !== articleCtl || err.code === 'aborted') return;
      articlePane.replaceChildren(
        h('button', { type: 'button', class: 'hback', testid: 'widget-help-back', onClick: backToList },
          icon('back'), h('span', null, t('widget.help_back'))),
        h('p', { class: 'hnote bad', role: 'alert' }, err.message));
    }
  }

  function backToList() {
    if (articleCtl) articleCtl.abort();
    articleCtl = null;
    articlePane.hidden = true;
    articlePane.replaceChildren();
    searchPane.hidden = false;
    scroller.scrollTop = listScroll;
    if (opener && opener.isConnected) opener.focus({ preventScroll: true });
    else input.focus({ preventScroll: true });
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(search, DEBOUNCE);
  });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearTimeout(timer);
    if (!articlePane.hidden) backToList();
    search();
  });
  el.addEventListener('keydown', (ev) => {
    // Escape leaves the article first; from the list it closes the panel as in the chat.
    if (ev.key === 'Escape' && !articlePane.hidden) {
      ev.stopPropagation();
      backToList();
    }
  });

  return {
    el,
    /** Replies that came while reading: shown on the way back to the chat. */
    unread(n) {
      news.textContent = t('widget.unread', { count: n });
      news.hidden = !n;
    },
    focus() {
      if (articlePane.hidden) input.focus();
      else articlePane.focus();
    },
  };
}
