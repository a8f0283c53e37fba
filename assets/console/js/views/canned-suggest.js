// "/" in the reply box: typed at the start or after a space, it lists the
// saved replies whose shortcut (or text) matches what follows. Arrows and
// Enter/Tab, a click or a tap insert one in place of "/shortcut", with its
// variables filled in; Escape closes the list.
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { t } from '../i18n.js';
import { session } from '../session.js';

const FRESH = 60_000;
const SHOWN = 8;
let cache = null;
let uid = 0;

/** Settings changed the saved replies: load them again next time. */
export function forgetCanned() {
  cache = null;
}

async function cannedList() {
  if (cache && Date.now() - cache.at < FRESH) return cache.list;
  const { canned_responses: list } = await api.get('/api/canned-responses');
  cache = { at: Date.now(), list };
  return list;
}

/** The variables a saved reply may use. */
export const VARIABLES = ['contact.name', 'agent.name', 'order.number'];

/**
 * Fill `{{name}}` from `vars`. A variable without a value is removed with the
 * space before it ("Hi {{contact.name}}!" → "Hi!"); unknown names stay as typed.
 */
export function fillVariables(text, vars) {
  return text.replace(/([ \t]?)\{\{\s*([\w.]+)\s*\}\}/g, (m, space, name) => {
    if (!Object.prototype.hasOwnProperty.call(vars, name)) return m;
    const v = vars[name] === null || vars[name] === undefined ? '' : String(vars[name]).trim();
    return v ? space + v : '';
  });
}

/** The variables' values: the customer's name, the signed-in agent's, the latest order's number. */
export function cannedVariables(contact, orders) {
  return {
    'contact.name': contact ? contact.name : '',
    'agent.name': session.agent ? session.agent.name : '',
    'order.number': orders && orders.length ? orders[0].number : '',
  };
}

/** Best matches first: shortcut starts with q, shortcut contains q, text contains q. */
function matching(list, q) {
  if (!q) return list.slice(0, SHOWN);
  const rank = (c) => {
    const s = c.shortcut.toLowerCase();
    if (s.startsWith(q)) return 0;
    if (s.includes(q)) return 1;
    return c.body.toLowerCase().includes(q) ? 2 : 3;
  };
  return list.map((c) => [rank(c), c]).filter(([r]) => r < 3)
    .sort((a, b) => a[0] - b[0] || a[1].shortcut.localeCompare(b[1].shortcut))
    .slice(0, SHOWN).map(([, c]) => c);
}

/**
 * Attach the suggestions to a textarea. `vars()` returns the variables'
 * values at insertion time. The composer calls `handleKey(ev)` first in its
 * keydown handler: true means the key was used here.
 */
export function cannedSuggest(input, { vars }) {
  const listId = `canned-${(uid += 1)}`;
  const list = h('ul', { class: 'canned-list', id: listId, role: 'listbox', testid: 'canned-list', hidden: true,
    'aria-label': t('inbox.canned.title') });
  let items = [];
  let active = 0;
  let range = null;
  let seq = 0;
  let suppress = false;
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', listId);
  input.setAttribute('aria-expanded', 'false');

  const isOpen = () => !list.hidden;

  /** "/abc" right before the caret, at the start or after a space. */
  function slashQuery() {
    if (input.selectionStart !== input.selectionEnd) return null;
    const caret = input.selectionStart;
    const m = input.value.slice(0, caret).match(/(?:^|\s)\/([\p{L}\p{N}_-]*)$/u);
    if (!m) return null;
    return { start: caret - m[1].length - 1, end: caret, q: m[1].toLowerCase() };
  }

  function close() {
    seq += 1;
    list.hidden = true;
    items = [];
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  }

  function draw(all) {
    const values = vars();
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    if (!items.length) {
      input.removeAttribute('aria-activedescendant');
      mount(list, h('li', { class: 'canned-empty', testid: 'canned-empty' },
        all.length ? t('inbox.canned.no_match', { q: range.q }) : t('inbox.canned.none')));
      return;
    }
    mount(list, items.map((c, i) => h('li', {
      id: `${listId}-${i}`, role: 'option', class: 'canned-option', testid: 'canned-option',
      'aria-selected': String(i === active), dataset: { shortcut: c.shortcut },
      // Keep the focus (and the caret) in the textarea.
      onPointerdown: (ev) => ev.preventDefault(),
      onMousedown: (ev) => ev.preventDefault(),
      onClick: () => pick(i),
    }, h('span', { class: 'canned-shortcut' }, `/${c.shortcut}`),
    // What will be inserted, variables filled in.
    h('span', { class: 'canned-preview' }, fillVariables(c.body, values).replace(/\s+/g, ' ')))));
    input.setAttribute('aria-activedescendant', `${listId}-${active}`);
    const el = list.children[active];
    if (el && el.scrollIntoView) el.scrollIntoView({ block: 'nearest' });
  }

  async function update() {
    if (suppress) {
      suppress = false;
      return;
    }
    const r = slashQuery();
    if (!r) {
      if (isOpen()) close();
      return;
    }
    range = r;
    const mine = (seq += 1);
    let all;
    try {
      all = await cannedList();
    } catch {
      if (mine === seq) close();
      return;
    }
    if (mine !== seq) return;
    items = matching(all, r.q);
    active = 0;
    draw(all);
  }

  function pick(i) {
    const c = items[i];
    const r = slashQuery() || range;
    if (!c || !r) return;
    close();
    const text = fillVariables(c.body, vars());
    input.focus();
    input.setRangeText(text, r.start, r.end, 'end');
    // Let the composer grow the box and signal typing; not a new "/" query.
    suppress = true;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }

  function move(delta) {
    if (!items.length) return;
    active = (active + delta + items.length) % items.length;
    draw(cache ? cache.list : items);
  }

  function handleKey(ev) {
    if (!isOpen() || ev.isComposing || ev.keyCode === 229) return false;
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      move(ev.key === 'ArrowDown' ? 1 : -1);
    } else if ((ev.key === 'Enter' || ev.key === 'Tab') && !ev.shiftKey && items.length) {
      pick(active);
    } else if (ev.key === 'Escape') {
      close();
    } else {
      return false;
    }
    ev.preventDefault();
    return true;
  }

  input.addEventListener('input', update);
  input.addEventListener('blur', () => close());

  return { list, handleKey, close, isOpen };
}
