// What the ticket views share: the directory of agents, teams and ticket
// types (names for ids), the status and priority badges, "due in 35 min",
// and the conversion between times and <input type="datetime-local">.
import { api } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { fmtDuration } from '../time.js';
import { confirmDialog } from '../ui.js';

export const STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'];
/** "Open work": everything not solved or closed (the list's default). */
export const OPEN_WORK = ['new', 'open', 'pending', 'on_hold'];
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'];

const STATUS_KIND = {
  new: 'warn', open: 'accent', pending: 'muted', on_hold: 'muted', solved: 'ok', closed: 'neutral',
};

/** Agents, teams and ticket types by id; `load()` fetches them (again). */
export const dir = {
  agents: new Map(),
  teams: new Map(),
  types: new Map(),
  loaded: null,
  /** Fetch all three; errors leave what we had (names fall back to ids). */
  load() {
    dir.loaded = Promise.allSettled([api.get('/api/agents'), api.get('/api/teams'), api.get('/api/ticket-types')])
      .then(([a, tm, ty]) => {
        if (a.status === 'fulfilled') dir.agents = new Map(a.value.agents.map((x) => [x.id, x]));
        if (tm.status === 'fulfilled') dir.teams = new Map(tm.value.teams.map((x) => [x.id, x]));
        if (ty.status === 'fulfilled') dir.types = new Map(ty.value.types.map((x) => [x.id, x]));
      });
    return dir.loaded;
  },
  /** Loaded once at least (the first call loads). */
  ready() {
    return dir.loaded || dir.load();
  },
  agentName(id) {
    if (id === null || id === undefined) return t('tickets.unassigned');
    const a = dir.agents.get(id);
    return a ? a.name : `#${id}`;
  },
  teamName(id) {
    if (id === null || id === undefined) return t('tickets.no_team');
    const tm = dir.teams.get(id);
    return tm ? tm.name : `#${id}`;
  },
  typeName(id, fallback) {
    if (id === null || id === undefined) return t('tickets.no_type');
    const ty = dir.types.get(id);
    return ty ? ty.name : (fallback || `#${id}`);
  },
  /** Teams sorted by name. */
  teamList() {
    return Array.from(dir.teams.values()).sort((a, b) => a.name.localeCompare(b.name));
  },
  /** Active agents (and `keep`, the current one) sorted by name. */
  agentList(keep) {
    return Array.from(dir.agents.values()).filter((a) => a.active || a.id === keep)
      .sort((a, b) => a.name.localeCompare(b.name));
  },
  typeList() {
    return Array.from(dir.types.values()).sort((a, b) => (a.position - b.position) || a.name.localeCompare(b.name));
  },
};

/** Closing is final (the server takes no more changes): ask first. Resolves true to go on. */
export function confirmClose(n) {
  return confirmDialog({ title: t('tickets.close_title', { n }), message: t('tickets.close_confirm'),
    confirmLabel: t('tickets.close'), danger: false });
}

/** "#1001" */
export const ticketNo = (tk) => `#${tk.number}`;

export function statusBadge(status, testid = 'ticket-status') {
  return h('span', { class: ['badge', `badge-${STATUS_KIND[status] || 'muted'}`, 'tk-status'], testid,
    dataset: { status } }, t(`tickets.status.${status}`));
}

/** A coloured dot and label for high and urgent; low and normal show nothing unless `always`. */
export function priorityTag(priority, always = false) {
  if (!always && priority !== 'high' && priority !== 'urgent') return null;
  return h('span', { class: ['tk-prio', `tk-prio-${priority}`], testid: 'ticket-priority', dataset: { priority } },
    h('span', { class: 'tk-prio-dot', 'aria-hidden': 'true' }), t(`tickets.priority.${priority}`));
}

/** "Due in 35 min" / "Overdue 2 h", red when overdue; null without a due date or once solved. */
export function dueTag(tk, now = Date.now()) {
  if (tk.due_at === null || tk.due_at === undefined || tk.status === 'solved' || tk.status === 'closed') return null;
  const late = tk.due_at < now;
  const text = late ? t('tickets.overdue', { time: fmtDuration(now - tk.due_at) })
    : t('tickets.due_in', { time: fmtDuration(tk.due_at - now) });
  return h('span', { class: ['tk-due', late && 'tk-due-late'], testid: 'ticket-due', dataset: { due: tk.due_at } },
    text);
}

/** Refresh every "Due in…" under `root` (they carry data-due). */
export function tickDue(root) {
  const now = Date.now();
  for (const el of root.querySelectorAll('[data-due]')) {
    const due = Number(el.dataset.due);
    const late = due < now;
    el.textContent = late ? t('tickets.overdue', { time: fmtDuration(now - due) })
      : t('tickets.due_in', { time: fmtDuration(due - now) });
    el.classList.toggle('tk-due-late', late);
  }
}

const pad = (n) => String(n).padStart(2, '0');

/** ms → "2025-03-12T14:05" in local time, for datetime-local inputs. */
export function toLocalInput(ms) {
  if (ms === null || ms === undefined) return '';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value → ms (local time), or null when empty or invalid. */
export function fromLocalInput(value) {
  if (!value) return null;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? ms : null;
}

/** [value, label] options for the field selects. `none` adds an empty choice first. */
export function options(kind, { none, keep } = {}) {
  const out = none ? [['', none]] : [];
  if (kind === 'status') out.push(...STATUSES.map((s) => [s, t(`tickets.status.${s}`)]));
  if (kind === 'priority') out.push(...PRIORITIES.map((p) => [p, t(`tickets.priority.${p}`)]));
  if (kind === 'team') out.push(...dir.teamList().map((tm) => [String(tm.id), tm.name]));
  if (kind === 'agent') out.push(...dir.agentList(keep).map((a) => [String(a.id), a.name]));
  if (kind === 'type') out.push(...dir.typeList().map((ty) => [String(ty.id), ty.name]));
  return out;
}

/** A select's value as an id or null. */
export const idOrNull = (v) => (v === '' || v === null || v === undefined ? null : Number(v));

/** A plain <select> from [value, label] pairs. */
export function plainSelect({ opts, value, testid, label, onChange, cls = 'input' }) {
  return h('select', { class: cls, testid, 'aria-label': label, onChange },
    opts.map(([v, l]) => h('option', { value: v, selected: String(value ?? '') === v }, l)));
}
