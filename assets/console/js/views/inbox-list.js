// The inbox list: tabs (Mine / Unassigned / All), status, team and sort
// filters, a search box, and one row per conversation. Rows follow the live
// feed: new conversations appear, changed ones update and move, those that
// no longer match the filters leave. Conversations of the email inbox carry
// an envelope; an upset customer is flagged and the intent named.
import { api } from '../api.js';
import { contactName, deskCounts, onDesk } from '../desk.js';
import { h, initial, mount } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { isEmailConversation, loadInboxes, onInboxes } from '../inbox-kinds.js';
import { session } from '../session.js';
import { fmtListTime, fmtShort, fmtWaiting } from '../time.js';
import { emptyState, loadError, loading } from '../ui.js';
import { intentTag, negativeFlag } from './conv-intent.js';
import { labelChips } from './labels.js';

const VIEWS = ['mine', 'unassigned', 'all'];
const STATUSES = ['queued', 'open', 'pending', 'snoozed', 'resolved'];
const SORTS = ['waiting', 'priority', 'recent'];
const STORE_KEY = 'kefu.inbox.filters';
const LONG_WAIT = 10 * 60_000;

function savedFilters() {
  let f = {};
  try {
    f = JSON.parse(localStorage.getItem(STORE_KEY) || '{}') || {};
  } catch {
    f = {};
  }
  return {
    view: VIEWS.includes(f.view) ? f.view : 'mine',
    sort: SORTS.includes(f.sort) ? f.sort : 'waiting',
    status: '',
    team: null,
    q: '',
  };
}

function saveFilters(f) {
  try {
    localStorage.setItem(STORE_KEY, JSON.stringify({ view: f.view, sort: f.sort }));
  } catch {
    // No storage: the filters last for this page only.
  }
}

/** Whether a conversation belongs in the list under these filters (search aside). */
function matches(f, c) {
  const me = session.agent ? session.agent.id : null;
  if (f.view === 'mine' && c.assignee_id !== me) return false;
  if (f.view === 'unassigned' && c.assignee_id !== null && c.assignee_id !== undefined) return false;
  if (f.status ? c.status !== f.status : c.status === 'resolved') return false;
  if (f.team && c.team_id !== f.team) return false;
  return true;
}

// The same orders as the server's.
function byWaiting(a, b) {
  const wa = a.waiting_since ?? Infinity;
  const wb = b.waiting_since ?? Infinity;
  if (wa !== wb) return wa < wb ? -1 : 1;
  return b.last_message_at - a.last_message_at;
}
const ORDERS = {
  waiting: byWaiting,
  priority: (a, b) => (b.priority - a.priority) || byWaiting(a, b),
  recent: (a, b) => b.last_message_at - a.last_message_at,
};

export const STATUS_BADGE = {
  bot: 'muted', queued: 'warn', open: 'accent', pending: 'muted', snoozed: 'muted', resolved: 'ok',
};

/** The envelope on a conversation of the email inbox (answered like a chat, the reply going out by mail). */
export function mailMark() {
  const label = t('inbox.email_conversation');
  return h('span', { class: 'mail-mark', role: 'img', 'aria-label': label, title: label, testid: 'conv-mail-mark' },
    icon('mail', 'icon icon-xs'));
}

function preview(c) {
  const m = c.last_message;
  if (!m) return t('inbox.no_messages');
  const text = m.body.replace(/\s+/g, ' ').trim();
  const image = m.image ? t('inbox.image.preview') : m.file ? t('inbox.file.preview') : '';
  const body = [image, text].filter(Boolean).join(' ');
  if (m.sender === 'agent') return t('inbox.preview_agent', { text: body });
  if (m.sender === 'bot') return t('inbox.preview_bot', { text: body });
  return body;
}

function waitingEl(c) {
  if (c.status === 'snoozed' && c.snoozed_until) {
    return h('span', { class: 'waiting' }, icon('clock', 'icon icon-xs'),
      t('inbox.snoozed_until', { time: fmtShort(c.snoozed_until) }));
  }
  if (!c.waiting_since || c.status === 'resolved') return null;
  return h('span', {
    class: ['waiting', Date.now() - c.waiting_since > LONG_WAIT && 'waiting-long'],
    testid: 'conv-waiting', dataset: { since: c.waiting_since },
  }, fmtWaiting(c.waiting_since));
}

function rowEl(c, selected) {
  const name = contactName(c.contact);
  const unread = c.unread > 0
    ? h('span', { class: 'unread', testid: 'conv-unread', 'aria-label': t('inbox.unread', { n: c.unread }) },
      c.unread > 99 ? '99+' : String(c.unread))
    : null;
  return h('a', {
    class: ['conv-row', selected && 'selected', c.unread > 0 && 'conv-row-unread'],
    href: `#/inbox/${c.id}`, testid: 'conv-row', dataset: { conversationId: c.id, status: c.status },
    'aria-current': selected ? 'true' : null,
  },
  h('span', { class: 'avatar avatar-sm avatar-muted', 'aria-hidden': 'true' }, initial(name)),
  h('span', { class: 'conv-row-main' },
    h('span', { class: 'conv-row-top' },
      isEmailConversation(c) ? mailMark() : null,
      h('span', { class: 'conv-name', testid: 'conv-name' }, name),
      h('span', { class: 'conv-time' }, fmtListTime(c.last_message_at))),
    h('span', { class: 'conv-row-mid' },
      h('span', { class: 'conv-preview', testid: 'conv-preview' }, preview(c)), unread),
    h('span', { class: 'conv-row-meta' },
      h('span', { class: ['badge', `badge-${STATUS_BADGE[c.status] || 'muted'}`], testid: 'conv-status' },
        t(`status.${c.status}`)),
      c.negative ? negativeFlag('conv-row-negative') : null,
      waitingEl(c),
      h('span', { class: 'conv-assignee', testid: 'conv-assignee' },
        c.assignee_name ? c.assignee_name : t('inbox.unassigned_short')),
      intentTag(c.intent),
      labelChips(c.labels))));
}

/**
 * The list; rows are links to #/inbox/<id>. Returns what the inbox page
 * drives: select(id), handleFrame(frame), reload(), tick(), ids().
 */
export function createList() {
  const filters = savedFilters();
  let conversations = [];
  let selected = null;
  let teams = [];
  let reloadTimer = null;
  let searchTimer = null;
  let seq = 0;
  // Frames that arrive while the list loads: the server may have read the list
  // before their change, so they are applied on top of what it returns.
  let framesWhileLoading = null;

  const tabCount = new Map();
  const tabs = h('div', { class: 'inbox-tabs', role: 'tablist', testid: 'inbox-tabs' }, VIEWS.map((v) => {
    const count = h('span', { class: 'tab-count' });
    tabCount.set(v, count);
    return h('button', {
      type: 'button', role: 'tab', class: 'inbox-tab', testid: `inbox-tab-${v}`, dataset: { view: v },
      'aria-selected': String(v === filters.view),
      onClick: () => setFilter('view', v),
    }, h('span', null, t(`inbox.view.${v}`)), count);
  }));

  const search = h('input', {
    type: 'search', class: 'input inbox-search-input', testid: 'inbox-search',
    placeholder: t('inbox.search'), 'aria-label': t('inbox.search'), enterkeyhint: 'search',
    onInput: (ev) => {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(() => setFilter('q', ev.target.value.trim()), 300);
    },
  });
  const select = (name, options, testid) => h('select', {
    class: 'input input-compact', testid, 'aria-label': t(`inbox.filter.${name}`),
    onChange: (ev) => setFilter(name, name === 'team' ? (Number(ev.target.value) || null) : ev.target.value),
  }, options.map(([v, l]) => h('option', { value: v, selected: String(filters[name] ?? '') === v }, l)));

  const statusSel = select('status', [['', t('inbox.filter.active')],
    ...STATUSES.map((s) => [s, t(`status.${s}`)])], 'inbox-filter-status');
  const teamSel = select('team', [['', t('inbox.filter.all_teams')]], 'inbox-filter-team');
  const sortSel = select('sort', SORTS.map((s) => [s, t(`inbox.sort.${s}`)]), 'inbox-sort');

  const listEl = h('div', { class: 'conv-list', testid: 'conv-list' });
  const scroller = h('div', { class: 'inbox-list-scroll' }, listEl);
  const el = h('div', { class: 'inbox-list', testid: 'inbox-list' },
    h('div', { class: 'inbox-list-head' },
      tabs,
      h('label', { class: 'inbox-search' }, icon('search', 'icon icon-sm'), search),
      h('div', { class: 'inbox-filters' }, statusSel, teamSel, sortSel)),
    scroller);

  function syncTabs() {
    const counts = deskCounts();
    for (const [v, span] of tabCount) {
      const n = counts[v];
      span.textContent = n ? String(n) : '';
    }
    for (const b of tabs.children) b.setAttribute('aria-selected', String(b.dataset.view === filters.view));
  }
  const unsubscribeDesk = onDesk(syncTabs);
  syncTabs();
  // Which conversations are the email inbox's is known once the inboxes are.
  const unsubscribeInboxes = onInboxes(() => { if (conversations.length) draw(); });

  function draw() {
    if (!conversations.length) {
      const filtered = filters.q || filters.status || filters.team;
      mount(listEl, filtered
        ? h('p', { class: 'list-empty conv-empty', testid: 'conv-list-empty' }, t('inbox.no_matches'))
        : emptyState({ iconName: 'inbox', title: t(`inbox.empty_title_${filters.view}`),
          text: t('inbox.empty_text'), testid: 'empty-inbox' }));
      return;
    }
    mount(listEl, conversations.map((c) => rowEl(c, c.id === selected)));
  }

  function sortAndDraw() {
    conversations.sort((a, b) => ORDERS[filters.sort](a, b) || a.id - b.id);
    draw();
  }

  async function reload() {
    const mySeq = (seq += 1);
    const params = new URLSearchParams({ view: filters.view, sort: filters.sort, limit: '100' });
    if (filters.status) params.set('status', filters.status);
    if (filters.team) params.set('team', String(filters.team));
    if (filters.q) params.set('q', filters.q);
    if (!conversations.length) mount(listEl, loading());
    framesWhileLoading = [];
    try {
      const r = await api.get(`/api/conversations?${params}`);
      if (mySeq !== seq) return;
      conversations = r.conversations;
      const late = framesWhileLoading;
      framesWhileLoading = null;
      for (const c of late) applyChange(c);
      if (late.length) sortAndDraw();
      else draw();
    } catch (err) {
      if (mySeq === seq) {
        framesWhileLoading = null;
        mount(listEl, loadError(err, reload));
      }
    }
  }

  function setFilter(name, value) {
    if (filters[name] === value) return;
    filters[name] = value;
    saveFilters(filters);
    syncTabs();
    conversations = [];
    reload();
  }

  async function loadTeams() {
    try {
      ({ teams } = await api.get('/api/teams'));
    } catch {
      return;
    }
    teams.sort((a, b) => a.name.localeCompare(b.name));
    mount(teamSel, h('option', { value: '' }, t('inbox.filter.all_teams')),
      teams.map((tm) => h('option', { value: String(tm.id), selected: tm.id === filters.team }, tm.name)));
    teamSel.hidden = teams.length === 0;
  }
  teamSel.hidden = true;

  function handleFrame(frame) {
    if (frame.type !== 'conversation' || !frame.conversation) return;
    const c = frame.conversation;
    if (filters.q) {
      // Whether a conversation matches a search is the server's call.
      clearTimeout(reloadTimer);
      reloadTimer = setTimeout(reload, 400);
      return;
    }
    if (framesWhileLoading) {
      framesWhileLoading.push(c);
      return;
    }
    if (applyChange(c)) sortAndDraw();
  }

  /** Puts a changed conversation in, or takes it out of, the list; false when nothing moved. */
  function applyChange(c) {
    const at = conversations.findIndex((x) => x.id === c.id);
    if (matches(filters, c)) {
      if (at >= 0) conversations[at] = c;
      else conversations.push(c);
    } else if (at >= 0) {
      conversations.splice(at, 1);
    } else {
      return false;
    }
    return true;
  }

  /** Refresh the "waiting 3 min" labels. */
  function tick() {
    for (const w of listEl.querySelectorAll('[data-since]')) {
      const since = Number(w.dataset.since);
      w.textContent = fmtWaiting(since);
      w.classList.toggle('waiting-long', Date.now() - since > LONG_WAIT);
    }
  }

  function selectRow(id) {
    selected = id;
    for (const r of listEl.querySelectorAll('.conv-row')) {
      const on = Number(r.dataset.conversationId) === id;
      r.classList.toggle('selected', on);
      if (on) r.setAttribute('aria-current', 'true');
      else r.removeAttribute('aria-current');
    }
  }

  loadTeams();
  loadInboxes();
  reload();
  return {
    el,
    scroller,
    reload,
    handleFrame,
    tick,
    select: selectRow,
    ids: () => conversations.map((c) => c.id),
    summary: (id) => conversations.find((c) => c.id === id) || null,
    focusSearch: () => search.focus(),
    destroy: () => {
      unsubscribeDesk();
      unsubscribeInboxes();
      clearTimeout(reloadTimer);
      clearTimeout(searchTimer);
    },
  };
}
