// Instant search for the public help center (/help/<lang>/…). Without this
// script the search box is a plain GET form to the search page; with it, the
// best articles appear under the box as the reader types (a combobox: arrows
// move, Enter opens, Escape closes). The page's words come from the form's
// data-* attributes, rendered by the server in the page's language. Text from
// the server only ever becomes text nodes.

const DEBOUNCE = 200;
const LOCALES = ['en', 'zh-CN'];

/** Build an element; children are nodes or strings (as text). */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) node.setAttribute(k, v);
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== ''));
  return node;
}

/** Worth a search: two characters, or one that is not ASCII (一个汉字 is a word). */
const searchable = (q) => q.length >= 2 || /[^\x00-\x7f]/.test(q);

function instant(form) {
  const input = form.querySelector('input[name="q"]');
  if (!input) return;
  const lang = LOCALES.includes(form.dataset.lang) ? form.dataset.lang : 'en';
  const pop = el('ul', {
    id: 'hc-pop', class: 'pop', role: 'listbox', 'aria-label': input.placeholder, 'data-testid': 'help-instant',
  });
  pop.hidden = true;
  const status = el('p', { class: 'sr', role: 'status' });
  form.append(pop, status);
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', pop.id);
  input.setAttribute('aria-expanded', 'false');

  let timer = 0;
  let ctl = null;
  let shownFor = null; // the query the list shows
  let active = -1;

  const options = () => Array.from(pop.querySelectorAll('[role="option"]'));

  function open(show) {
    pop.hidden = !show;
    input.setAttribute('aria-expanded', String(show));
    if (!show) select(-1);
  }

  function select(i) {
    const opts = options();
    active = i >= 0 && i < opts.length ? i : -1;
    opts.forEach((o, n) => o.setAttribute('aria-selected', String(n === active)));
    if (active >= 0) {
      input.setAttribute('aria-activedescendant', opts[active].id);
      opts[active].scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  }

  function note(text) {
    pop.replaceChildren(el('li', { class: 'note', role: 'presentation' }, text));
    status.textContent = text;
    open(true);
  }

  function show(q, hits) {
    shownFor = q;
    if (!hits.length) {
      note(form.dataset.none || '');
      return;
    }
    pop.replaceChildren(...hits.map((hit, i) => {
      const locale = LOCALES.includes(hit.locale) ? hit.locale : lang;
      const link = el('a', {
        class: 'hit', href: `/help/${locale}/articles/${Number(hit.article_id)}`, tabindex: '-1',
        hreflang: locale === lang ? null : locale, 'data-testid': 'help-instant-hit',
      },
      el('span', { class: 'ht' }, String(hit.title || '')),
      hit.category ? el('span', { class: 'hcat' }, String(hit.category)) : null,
      hit.snippet ? el('span', { class: 'hs' }, String(hit.snippet)) : null);
      return el('li', { id: `hc-opt-${i}`, role: 'option', 'aria-selected': 'false' }, link);
    }));
    status.textContent = hits.length === 1 && form.dataset.one ? form.dataset.one
      : (form.dataset.count || '{count}').replace('{count}', String(hits.length));
    open(true);
    select(-1);
  }

  async function run() {
    const q = input.value.trim();
    if (ctl) ctl.abort();
    if (!searchable(q)) {
      shownFor = null;
      pop.replaceChildren();
      status.textContent = '';
      open(false);
      return;
    }
    if (q === shownFor) {
      open(true);
      return;
    }
    ctl = new AbortController();
    const mine = ctl;
    form.setAttribute('aria-busy', 'true');
    try {
      const res = await fetch(`/api/help/search?q=${encodeURIComponent(q)}&locale=${lang}`, {
        headers: { Accept: 'application/json', 'Accept-Language': lang }, signal: mine.signal,
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const data = await res.json();
      if (mine !== ctl) return;
      show(q, Array.isArray(data && data.hits) ? data.hits : []);
    } catch (err) {
      if (mine !== ctl || err.name === 'AbortError') return;
      shownFor = null;
      note(form.dataset.failed || '');
    } finally {
      if (mine === ctl) form.removeAttribute('aria-busy');
    }
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(run, DEBOUNCE);
  });
  input.addEventListener('focus', () => {
    if (pop.childElementCount && input.value.trim() === shownFor) open(true);
  });
  input.addEventListener('keydown', (ev) => {
    if (ev.isComposing || ev.keyCode === 229) return; // the IME is picking a candidate
    const count = options().length;
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      if (pop.hidden) {
        if (!pop.childElementCount) return;
        open(true);
      }
      if (!count) return;
      ev.preventDefault();
      if (ev.key === 'ArrowDown') select(active < 0 ? 0 : (active + 1) % count);
      else select(active <= 0 ? count - 1 : active - 1);
    } else if (ev.key === 'Enter' && active >= 0 && !pop.hidden) {
      ev.preventDefault();
      options()[active].querySelector('a').click();
    } else if (ev.key === 'Escape' && !pop.hidden) {
      ev.preventDefault(); // keep the text; only the list goes
      open(false);
    }
  });
  // Pressing a result must not blur the box first and hide the list under the pointer.
  pop.addEventListener('mousedown', (ev) => ev.preventDefault());
  form.addEventListener('focusout', (ev) => {
    if (!form.contains(ev.relatedTarget)) open(false);
  });
  document.addEventListener('click', (ev) => {
    if (!form.contains(ev.target)) open(false);
  });
}

const form = document.querySelector('form.search');
if (form) instant(form);
