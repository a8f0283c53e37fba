// A ticket's SLA in the console: the chip on a list row ("Due in 35 min",
// "Overdue 2 h", "Paused", a tick once met, "Missed") and the targets in the
// ticket's side panel ("First response: due in 35 min", "Resolution: paused —
// 1 h 20 min left"). Running deadlines count down without a reload: they
// carry data-sla-due and `tickSla` redraws them.
import { h, mount } from '../dom.js';
import { icon } from '../icons.js';
import { fmtDateTime, t } from '../i18n.js';
import { fmtClock, fmtDuration, fmtHoursMinutes } from '../time.js';

/** ok, warning or overdue for a running deadline at `now`. */
function runningState(due, warn, now) {
  if (due <= now) return 'overdue';
  if (warn !== null && warn !== undefined && warn <= now) return 'warning';
  return 'ok';
}

/** A clock time today, else date and time. */
function when(ms) {
  const d = new Date(ms);
  const today = new Date();
  return d.toDateString() === today.toDateString() ? fmtClock(ms) : fmtDateTime(ms);
}

/** Fill a chip from its data: the state follows the clock, the server's only when not running. */
function drawChip(el, now) {
  const due = el.dataset.slaDue ? Number(el.dataset.slaDue) : null;
  const warn = el.dataset.slaWarn ? Number(el.dataset.slaWarn) : null;
  const state = due === null ? el.dataset.slaServer : runningState(due, warn, now);
  el.dataset.state = state;
  el.className = `tk-sla tk-sla-${state}`;
  let text = '';
  if (state === 'overdue') text = t('tickets.overdue', { time: fmtDuration(now - due) });
  else if (state === 'ok' || state === 'warning') text = t('tickets.due_in', { time: fmtDuration(due - now) });
  else if (state === 'paused') text = t('sla.chip.paused');
  else if (state === 'missed') text = t('sla.chip.missed');
  const label = state === 'met' ? t('sla.chip.met') : text;
  el.title = `${t('sla.title')} · ${el.dataset.slaPolicy}${due !== null ? ` · ${fmtDateTime(due)}` : ''}`;
  el.setAttribute('aria-label', `${t('sla.title')}: ${label}`);
  mount(el, icon(state === 'met' ? 'check' : 'clock', 'icon icon-xs'), text ? h('span', null, text) : null);
}

/** The row's SLA chip, or null when no policy applies. */
export function slaTag(tk, now = Date.now()) {
  const s = tk.sla;
  if (!s) return null;
  const el = h('span', { testid: 'ticket-sla', role: 'img',
    dataset: { slaDue: s.due_at ?? '', slaWarn: s.warn_at ?? '', slaServer: s.state, slaPolicy: s.policy_name } });
  drawChip(el, now);
  return el;
}

/** What one target says, e.g. "due in 35 min" or "paused — 1 h 20 min left". */
function clockText(c, now) {
  const target = c.target_mins * 60_000;
  if (c.state === 'running' && c.due_at !== null) {
    const state = runningState(c.due_at, c.warn_at, now);
    return state === 'overdue'
      ? [state, t('sla.clock.overdue', { time: fmtDuration(now - c.due_at), at: when(c.due_at) })]
      : [state, t('sla.clock.due_in', { time: fmtDuration(c.due_at - now), at: when(c.due_at) })];
  }
  if (c.state === 'paused') {
    const left = target - c.used_ms;
    return left > 0 ? ['paused', t('sla.clock.paused_left', { time: fmtHoursMinutes(left) })]
      : ['paused', t('sla.clock.paused_over', { time: fmtHoursMinutes(-left) })];
  }
  if (c.state === 'met') {
    if (!c.breached_at) return ['met', t('sla.clock.met', { time: fmtHoursMinutes(c.used_ms) })];
    // A finished clock keeps the deadline it last had: say when it was due.
    return ['missed', c.due_at !== null && c.due_at !== undefined
      ? t('sla.clock.missed_due', { at: when(c.due_at), time: fmtHoursMinutes(c.used_ms) })
      : t('sla.clock.missed', { time: fmtHoursMinutes(c.used_ms), target: fmtHoursMinutes(target) })];
  }
  return ['stopped', t('sla.clock.stopped')];
}

function drawClock(el, now) {
  const c = JSON.parse(el.dataset.slaClock);
  const [state, text] = clockText(c, now);
  el.dataset.state = state;
  el.className = `tk-sla-clock-state tk-sla-text-${state}`;
  el.textContent = text;
}

/**
 * The SLA block of the ticket's side panel: the policy and each target.
 * Null when no policy applies and no target was ever set.
 */
export function slaPanel(tk, clocks, now = Date.now()) {
  if (!tk.sla && !(clocks && clocks.length)) return null;
  return h('div', { class: 'tk-facts tk-sla-panel', testid: 'ticket-sla-panel' },
    h('h3', { class: 'facts-title' }, t('sla.title')),
    tk.sla ? h('p', { class: 'hint', testid: 'ticket-sla-policy' }, t('sla.policy_named', { name: tk.sla.policy_name }))
      : null,
    (clocks || []).map((c) => {
      const state = h('span', { testid: 'ticket-sla-state', dataset: { slaClock: JSON.stringify(c) } });
      drawClock(state, now);
      return h('div', { class: 'tk-sla-clock', testid: 'ticket-sla-clock', dataset: { metric: c.metric } },
        h('span', { class: 'tk-sla-clock-name' }, t(`sla.metric.${c.metric}`),
          h('span', { class: 'tk-sla-clock-target' },
            t(c.business_hours ? 'sla.clock.target_bh' : 'sla.clock.target', {
              time: fmtHoursMinutes(c.target_mins * 60_000) }))),
        state);
    }));
}

/** Redraw every SLA chip and target under `root` for the time now. */
export function tickSla(root) {
  const now = Date.now();
  for (const el of root.querySelectorAll('[data-sla-server]')) drawChip(el, now);
  for (const el of root.querySelectorAll('[data-sla-clock]')) drawClock(el, now);
}
