// The tickets list: status chips (Open work, each status, All), filters for
// team, assignee, priority, type and SLA state, a search box and the sort; one
// row per ticket (with its SLA chip) with a checkbox for the bulk bar (status,
// assignee, team) and "Load more" while the server has more.
import { api } from '../api.js';
import { contactName } from '../desk.js';
import { h, mount } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { fmtListTime } from '../time.js';
import { emptyState, loadError, loading, toast } from '../ui.js';
import {
  OPEN_WORK, PRIORITIES, STATUSES, dir, dueTag, idOrNull, options, plainSelect, priorityTag, statusBadge, ticketNo,
} from './tickets-common.js';
import { createBulkBar } from './tickets-bulk.js';
import { slaTag } from './tickets-sla.js';

const CHIPS = ['open_work', ...STATUSES, 'all'];
const SORTS = ['updated', 'due', 'created'];
/** The SLA filter's choices ('' is all); the server's `sla=` values. */
const SLA_FILTERS = ['', 'ok', 'warning', 'overdue', 'paused', 'breached', 'none'];
const STORE_KEY = 'kefu.tickets.filters';
const PAGE = 50;

function savedFilters() {
  let f = {};
  try {
    f = JSON.parse(localStorage.getItem(STORE_KEY) || '{}') || {};
  } catch {
    f = {};
  }
  return {
    status: CHIPS.includes(f.status) ? f.status : 'open_work',
    sort: SORTS.includes(f.sort) ? f.sort : 'updated',
    team: null, assignee: '', priority: '', type: null, sla: '', q: '',
  };
}

function saveFilters(f) {
  try {
    localStorage.setItem(STORE_KEY, JSON.stringify({ status: f.status, sort: f.sort }));
  } catch {
    // No storage: the filters last for this page only.
  }
}

function queryOf(f) {
  const p = new URLSearchParams({ sort: f.sort, limit: String(PAGE) });
  if (f.status === 'open_work') p.set('status', OPEN_WORK.join(','));
  else if (f.status === 'all') p.set('status', STATUSES.join(','));
  else p.set('status', f.status);
  if (f.team) p.set('team', String(f.team));
  if (f.assignee) p.set('assignee', f.assignee);
  if (f.priority) p.set('priority', f.priority);
  if (f.type) p.set('type', String(f.type));
  if (f.sla) p.set('sla', f.sla);
  if (f.q) p.set('q', f.q);
  return p;
}

/**
 * The list; rows link to #/tickets/<id>. `onBulk(ids)` runs after a bulk
 * change. Returns { el, scroller, reload(), select(id), upsert(ticket), … }.
 */
export function createTicketList({ onBulk }) {
  const filters = savedFilters();
  let tickets = [];
  let next = null;
  let selectedId = null;
  let seq = 0;
  let searchTimer = null;
  let filtersDrawn = false;
  const checked = new Set();

  const chips = h('div', { class: 'tk-chips', role: 'tablist', testid: 'tickets-status-chips',
    'aria-label': t('tickets.filter.status') }, CHIPS.map((c) => h('button', {
    type: 'button', role: 'tab', class: 'tk-chip', testid: `tickets-chip-${c}`, dataset: { status: c },
    'aria-selected': String(c === filters.status), onClick: () => setFilter('status', c),
  }, c === 'open_work' || c === 'all' ? t(`tickets.filter.${c}`) : t(`tickets.status.${c}`))));

  const search = h('input', {
    type: 'search', class: 'input inbox-search-input', testid: 'tickets-search', enterkeyhint: 'search',
    placeholder: t('tickets.search'), 'aria-label': t('tickets.search'), title: t('tickets.search_hint'),
    onInput: (ev) => {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(() => setFilter('q', ev.target.value.trim()), 300);
    },
  });
  const sel = (name, opts, parse = (v) => v) => plainSelect({
    opts, value: filters[name], testid: `tickets-filter-${name}`, label: t(`tickets.filter.${name}`),
    cls: 'input input-compact', onChange: (ev) => setFilter(name, parse(ev.target.value)),
  });
  const filterBox = h('div', { class: 'tk-filters', testid: 'tickets-filters' });
  const filterCount = h('span', { class: 'tab-count' });
  const filterToggle = h('button', {
    type: 'button', class: 'btn btn-small tk-filter-toggle', testid: 'tickets-filters-toggle',
    'aria-expanded': 'false', 'aria-label': t('tickets.filters'), title: t('tickets.filters'),
    onClick: () => showFilters(filterBox.hidden),
  }, icon('settings', 'icon icon-sm'), h('span', null, t('tickets.filters')), filterCount);
  const newBtn = h('a', { class: 'btn btn-small btn-primary tk-new-btn', href: '#/tickets/new', testid: 'ticket-new',
    'aria-label': t('tickets.new'), title: t('tickets.new') },
    icon('plus', 'icon icon-sm'), h('span', null, t('tickets.new')));
  const selectAll = h('input', {
    type: 'checkbox', class: 'tk-check-input', testid: 'tickets-select-all', 'aria-label': t('tickets.select_all'),
    onChange: (ev) => {
      for (const tk of tickets) if (ev.target.checked) checked.add(tk.id); else checked.delete(tk.id);
      syncChecks();
    },
  });

  const bulk = createBulkBar({ selected: () => Array.from(checked),
    onDone: (ids) => { checked.clear(); reload(); onBulk(ids); },
    onClear: () => { checked.clear(); syncChecks(); } });
  const listEl = h('div', { class: 'tk-list', testid: 'tickets-list' });
  const more = h('button', { type: 'button', class: 'btn tk-more', testid: 'tickets-more', hidden: true,
    onClick: loadMore }, t('tickets.load_more'));
  const scroller = h('div', { class: 'tk-list-scroll' }, listEl, more);
  const total = h('span', { class: 'tk-total', testid: 'tickets-count' });
  const sortSel = plainSelect({
    opts: SORTS.map((s) => [s, t(`tickets.sort.${s}`)]), value: filters.sort, testid: 'tickets-sort',
    label: t('tickets.filter.sort'), cls: 'input tk-sort', onChange: (ev) => setFilter('sort', ev.target.value),
  });
  sortSel.querySelector('option[value="due"]').title = t('tickets.sort.due_hint');
  const el = h('div', { class: 'tk-list-pane', testid: 'tickets-list-pane' },
    h('div', { class: 'tk-list-head' },
      h('div', { class: 'tk-list-top' },
        h('label', { class: 'inbox-search tk-search' }, icon('search', 'icon icon-sm'), search),
        filterToggle, newBtn),
      chips, filterBox,
      h('div', { class: 'tk-summary' },
        h('label', { class: 'tk-check', title: t('tickets.select_all') }, selectAll), total, sortSel)),
    bulk.el, scroller);

  function drawFilters() {
    const me = [['', t('tickets.filter.anyone')], ['me', t('tickets.filter.me')], ['none', t('tickets.unassigned')],
      ...options('agent')];
    mount(filterBox,
      sel('team', options('team', { none: t('tickets.filter.all_teams') }), idOrNull),
      sel('assignee', me),
      sel('priority', [['', t('tickets.filter.any_priority')], ...PRIORITIES.map((p) => [p, t(`tickets.priority.${p}`)])]),
      sel('type', options('type', { none: t('tickets.filter.all_types') }), idOrNull),
      sel('sla', SLA_FILTERS.map((v) => [v, t(`tickets.filter.sla_${v || 'all'}`)])));
    countFilters();
  }

  function countFilters() {
    const n = ['team', 'assignee', 'priority', 'type', 'sla'].filter((k) => filters[k]).length;
    filterCount.textContent = n ? String(n) : '';
  }

  function showFilters(open) {
    filterBox.hidden = !open;
    filterToggle.setAttribute('aria-expanded', String(open));
  }
  showFilters(false);

  function rowEl(tk) {
    const on = tk.id === selectedId;
    const box = h('input', {
      type: 'checkbox', class: 'tk-check-input', testid: 'ticket-check', checked: checked.has(tk.id),
      'aria-label': t('tickets.select', { number: ticketNo(tk) }),
      onChange: (ev) => {
        if (ev.target.checked) checked.add(tk.id); else checked.delete(tk.id);
        syncChecks();
      },
    });
    const meta = [
      tk.team_id ? h('span', { testid: 'ticket-row-team' }, dir.teamName(tk.team_id)) : null,
      h('span', { testid: 'ticket-row-assignee' }, dir.agentName(tk.assignee_id)),
      tk.type_id ? h('span', { class: 'chip' }, tk.type_name || dir.typeName(tk.type_id)) : null,
    ];
    return h('div', { class: ['tk-row', on && 'selected', checked.has(tk.id) && 'checked'], testid: 'ticket-row',
      dataset: { ticketId: tk.id, status: tk.status } },
    h('label', { class: 'tk-check' }, box),
    h('a', { class: 'tk-row-link', href: `#/tickets/${tk.id}`, 'aria-current': on ? 'true' : null },
      h('span', { class: 'tk-row-top' },
        h('span', { class: 'tk-num', testid: 'ticket-row-number' }, ticketNo(tk)),
        h('span', { class: 'tk-subject', testid: 'ticket-row-subject' }, tk.subject),
        h('time', { class: 'conv-time' }, fmtListTime(tk.updated_at))),
      h('span', { class: 'tk-row-mid' },
        statusBadge(tk.status, 'ticket-row-status'), priorityTag(tk.priority), slaTag(tk), dueTag(tk),
        h('span', { class: 'tk-contact' }, contactName(tk.contact))),
      h('span', { class: 'tk-row-meta' }, meta)));
  }

  function draw() {
    if (!tickets.length) {
      const filtered = filters.q || filters.team || filters.assignee || filters.priority || filters.type || filters.sla;
      mount(listEl, filtered || filters.status !== 'open_work'
        ? h('p', { class: 'list-empty conv-empty', testid: 'tickets-empty' }, t('tickets.no_matches'))
        : emptyState({ iconName: 'ticket', title: t('tickets.empty_title'), text: t('tickets.empty_text'),
          testid: 'empty-tickets' }));
    } else {
      mount(listEl, tickets.map(rowEl));
    }
    more.hidden = !next;
    total.textContent = t(next ? 'tickets.count_more' : 'tickets.count', { n: tickets.length });
    syncChecks();
  }

  function syncChecks() {
    for (const id of Array.from(checked)) if (!tickets.some((tk) => tk.id === id)) checked.delete(id);
    for (const row of listEl.querySelectorAll('.tk-row')) {
      const on = checked.has(Number(row.dataset.ticketId));
      row.classList.toggle('checked', on);
      row.querySelector('input').checked = on;
    }
    selectAll.disabled = tickets.length === 0;
    selectAll.checked = tickets.length > 0 && checked.size === tickets.length;
    selectAll.indeterminate = checked.size > 0 && checked.size < tickets.length;
    bulk.sync(checked.size);
  }

  async function reload() {
    const mine = (seq += 1);
    if (!tickets.length) mount(listEl, loading());
    try {
      await dir.ready();
      const r = await api.get(`/api/tickets?${queryOf(filters)}`);
      if (mine !== seq) return;
      tickets = r.tickets;
      next = r.next;
      if (!filtersDrawn) {
        // The agents, teams and types are known now (the selects were drawn without them).
        filtersDrawn = true;
        drawFilters();
      }
      draw();
    } catch (err) {
      if (mine === seq) mount(listEl, loadError(err, reload));
    }
  }

  async function loadMore() {
    if (!next) return;
    const mine = seq;
    const p = queryOf(filters);
    p.set('before', String(next));
    more.disabled = true;
    try {
      const r = await api.get(`/api/tickets?${p}`);
      if (mine !== seq) return;
      const have = new Set(tickets.map((tk) => tk.id));
      tickets.push(...r.tickets.filter((tk) => !have.has(tk.id)));
      next = r.next;
      draw();
    } catch (err) {
      toast(err.message, 'error');
    } finally {
      more.disabled = false;
    }
  }

  function setFilter(name, value) {
    if (filters[name] === value) return;
    filters[name] = value;
    saveFilters(filters);
    countFilters();
    for (const b of chips.children) b.setAttribute('aria-selected', String(b.dataset.status === filters.status));
    tickets = [];
    next = null;
    checked.clear();
    reload();
  }

  /** A ticket changed (here or elsewhere): update its row in place. */
  function upsert(tk) {
    const at = tickets.findIndex((x) => x.id === tk.id);
    if (at < 0) return;
    tickets[at] = tk;
    const old = listEl.querySelector(`.tk-row[data-ticket-id="${tk.id}"]`);
    if (old) old.replaceWith(rowEl(tk));
  }

  function select(id) {
    selectedId = id;
    for (const r of listEl.querySelectorAll('.tk-row')) {
      const on = Number(r.dataset.ticketId) === id;
      r.classList.toggle('selected', on);
      const a = r.querySelector('.tk-row-link');
      if (on) a.setAttribute('aria-current', 'true');
      else a.removeAttribute('aria-current');
    }
  }

  drawFilters();
  reload();
  return {
    el, scroller, reload, upsert, select,
    redrawFilters: drawFilters,
    /** Fetch again unless the agent is in the middle of something (ticked rows, later pages). */
    refreshQuiet: () => {
      if (!checked.size && tickets.length <= PAGE) reload();
    },
    destroy: () => clearTimeout(searchTimer),
  };
}
