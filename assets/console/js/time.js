// Times for the inbox: "3 min" waiting, short message times, and the
// moments a conversation can be snoozed until.
import { currentLang, t } from './i18n.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A coarse length of time: "under a minute", "3 min", "2 h", "4 d" (translated). */
export function fmtDuration(ms) {
  const d = Math.max(0, ms);
  if (d < MINUTE) return t('time.under_minute');
  if (d < HOUR) return t('time.minutes', { n: Math.floor(d / MINUTE) });
  if (d < DAY) return t('time.hours', { n: Math.floor(d / HOUR) });
  return t('time.days', { n: Math.floor(d / DAY) });
}

/**
 * Counted time in hours and minutes, never days ("26 h 5 min"): SLA targets and
 * what is left of them, where a day of business hours is not 24 h.
 */
export function fmtHoursMinutes(ms) {
  const d = Math.max(0, ms);
  if (d < MINUTE) return t('time.under_minute');
  const hrs = Math.floor(d / HOUR);
  const m = Math.floor((d % HOUR) / MINUTE);
  if (!hrs) return t('time.minutes', { n: m });
  return m ? t('time.hours_minutes', { h: hrs, m }) : t('time.hours', { n: hrs });
}

/** "Waiting 3 min" for a customer waiting since `since` (ms). */
export function fmtWaiting(since, now = Date.now()) {
  return t('inbox.waiting', { time: fmtDuration(now - since) });
}

function sameDay(a, b) {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** Clock time for today, else a short date and time. */
export function fmtShort(ms) {
  if (ms === null || ms === undefined) return '';
  const d = new Date(ms);
  const opts = sameDay(d, new Date())
    ? { hour: 'numeric', minute: '2-digit' }
    : { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' };
  return new Intl.DateTimeFormat(currentLang(), opts).format(d);
}

/** Clock time only, e.g. "14:05". */
export function fmtClock(ms) {
  return new Intl.DateTimeFormat(currentLang(), { hour: 'numeric', minute: '2-digit' }).format(new Date(ms));
}

/** A short time for list rows: clock time today, else the date. */
export function fmtListTime(ms) {
  if (ms === null || ms === undefined) return '';
  const d = new Date(ms);
  const opts = sameDay(d, new Date()) ? { hour: 'numeric', minute: '2-digit' } : { month: 'short', day: 'numeric' };
  return new Intl.DateTimeFormat(currentLang(), opts).format(d);
}

/** Snooze presets as [key, until-ms] in the agent's local time. */
export function snoozePresets(now = new Date()) {
  const inHour = now.getTime() + HOUR;
  const tomorrow = new Date(now);
  tomorrow.setDate(tomorrow.getDate() + 1);
  tomorrow.setHours(9, 0, 0, 0);
  // Next Monday, 9:00 (a week from today when today is Monday).
  const nextWeek = new Date(now);
  const untilMonday = ((8 - now.getDay()) % 7) || 7;
  nextWeek.setDate(nextWeek.getDate() + untilMonday);
  nextWeek.setHours(9, 0, 0, 0);
  return [['hour', inHour], ['tomorrow', tomorrow.getTime()], ['next_week', nextWeek.getTime()]];
}
