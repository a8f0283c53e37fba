// Settings → SLA → Business hours: for each weekday its opening periods (none:
// closed; several: e.g. a lunch break), the holidays, and the shop's time zone
// (read only here; it is set in Settings → Shop). SLA targets count in these
// hours. What the server refuses is pointed at: the period, and why.
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { form } from '../forms.js';
import { icon } from '../icons.js';
import { currentLang, fmtDate, t } from '../i18n.js';
import { card, loadError, loading, toast } from '../ui.js';
import { sectionHead } from './settings.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const MAX_PERIODS = 8;
const DAY_END = 24 * 60;

/** The weekday's name in the console's language (1 Jan 2024 was a Monday). */
function dayName(key) {
  const d = new Date(2024, 0, 1 + DAYS.indexOf(key));
  return new Intl.DateTimeFormat(currentLang(), { weekday: 'long' }).format(d);
}

/** "09:30" → 570; "24:00" → 1440; anything else → NaN. */
function minutes(hhmm) {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm || '');
  if (!m) return NaN;
  const v = Number(m[1]) * 60 + Number(m[2]);
  return Number(m[2]) < 60 && v <= DAY_END ? v : NaN;
}

const hhmm = (mins) => `${String(Math.floor(mins / 60)).padStart(2, '0')}:${String(mins % 60).padStart(2, '0')}`;

/**
 * "Monday, period 2: The periods overlap." from the server's field path (e.g.
 * `week.mon[1]`, `week.mon[1][0]`, `holidays[0]`) and reason code; `fallback`
 * (the server's message) for a reason this console does not know.
 */
function problemText({ field, reason }, holidays, fallback) {
  const key = `sla.hours.reason.${reason}`;
  const text = t(key);
  if (text === key) return fallback;
  const day = /^week\.(\w+)(?:\[(\d+)\])?/.exec(field || '');
  if (day && DAYS.includes(day[1])) {
    const where = day[2] === undefined ? dayName(day[1])
      : t('sla.hours.day_period', { day: dayName(day[1]), n: Number(day[2]) + 1 });
    return t('sla.hours.problem', { where, reason: text });
  }
  const hol = /^holidays\[(\d+)\]$/.exec(field || '');
  if (hol && holidays[Number(hol[1])] !== undefined) {
    const where = t('sla.hours.holiday_named', { date: holidayLabel(holidays[Number(hol[1])]) });
    return t('sla.hours.problem', { where, reason: text });
  }
  return text;
}

/** A holiday "2026-10-01" shown as a date in the console's language. */
function holidayLabel(ymd) {
  const [y, m, d] = ymd.split('-').map(Number);
  return y && m && d ? fmtDate(new Date(y, m - 1, d).getTime()) : ymd;
}

/** Draw the business hours into `box`; `editable` for admins. */
export function renderHours(box, editable) {
  let week = {};
  let holidays = [];
  let timezone = '';

  async function load() {
    mount(box, loading());
    try {
      const r = await api.get('/api/settings/business-hours');
      take(r);
      draw();
    } catch (err) {
      mount(box, loadError(err, load));
    }
  }

  function take(r) {
    week = Object.fromEntries(DAYS.map((d) => [d, (r.business_hours.week[d] || []).map((p) => [...p])]));
    holidays = [...(r.business_hours.holidays || [])].sort();
    timezone = r.timezone;
  }

  function periodEl(key, periods, i, repaint) {
    const p = periods[i];
    const where = t('sla.hours.day_period', { day: dayName(key), n: i + 1 });
    // A time input has no 24:00: an end of 00:00 means midnight.
    const start = h('input', { type: 'time', class: 'input bh-time', value: p[0], required: true, disabled: !editable,
      testid: 'hours-start', dataset: { field: `week.${key}[${i}][0]` }, 'aria-label': t('sla.hours.from', { where }), 'data-label': t('sla.hours.from', { where }),
      onInput: (ev) => { p[0] = ev.target.value; } });
    const end = h('input', { type: 'time', class: 'input bh-time', value: p[1] === '24:00' ? '00:00' : p[1],
      required: true, disabled: !editable, testid: 'hours-end', dataset: { field: `week.${key}[${i}][1]` },
      'aria-label': t('sla.hours.to', { where }),
      'data-label': t('sla.hours.to', { where }),
      onInput: (ev) => { p[1] = ev.target.value === '00:00' ? '24:00' : ev.target.value; } });
    return h('div', { class: 'bh-period', testid: 'hours-period', dataset: { field: `week.${key}[${i}]` } },
      start, h('span', { class: 'bh-dash', 'aria-hidden': 'true' }, '–'), end,
      editable ? h('button', { type: 'button', class: 'btn-icon', testid: 'hours-remove',
        'aria-label': t('sla.hours.remove', { where }), title: t('sla.hours.remove', { where }),
        onClick: () => { periods.splice(i, 1); repaint(); } }, icon('close', 'icon icon-sm')) : null);
  }

  function dayEl(key) {
    const el = h('div', { class: 'bh-day', testid: `hours-day-${key}`, dataset: { day: key } });
    const paint = () => {
      const periods = week[key];
      const last = periods[periods.length - 1];
      const add = () => {
        // After the last period, an hour later: the usual shape of a lunch break.
        const from = last ? Math.min((minutes(last[1]) || 0) + 60, DAY_END - 60) : 9 * 60;
        periods.push(last ? [hhmm(from), hhmm(Math.min(from + 240, DAY_END))] : ['09:00', '18:00']);
        paint();
        el.querySelector('.bh-period:last-of-type input')?.focus();
      };
      mount(el,
        h('span', { class: 'bh-day-name' }, dayName(key)),
        h('div', { class: 'bh-periods' },
          periods.length ? periods.map((_, i) => periodEl(key, periods, i, paint))
            : h('span', { class: 'bh-closed', testid: 'hours-closed' }, t('sla.hours.closed')),
          editable && periods.length < MAX_PERIODS ? h('button', { type: 'button', class: 'tk-link-btn bh-add',
            testid: 'hours-add', onClick: add }, t(periods.length ? 'sla.hours.add_period' : 'sla.hours.open_day'))
            : null));
    };
    paint();
    return el;
  }

  function holidaysEl() {
    const list = h('ul', { class: 'bh-holidays', testid: 'hours-holidays' });
    const paint = () => mount(list, holidays.length ? holidays.map((d, i) => h('li', { class: 'chip bh-holiday',
      testid: 'hours-holiday', dataset: { date: d } }, h('span', null, holidayLabel(d)),
    editable ? h('button', { type: 'button', class: 'bh-holiday-remove', testid: 'hours-holiday-remove',
      'aria-label': t('sla.hours.holiday_remove', { date: holidayLabel(d) }),
      onClick: () => { holidays.splice(i, 1); paint(); } }, icon('close', 'icon icon-xs')) : null))
      : h('li', { class: 'hint' }, t('sla.hours.no_holidays')));
    paint();
    const input = h('input', { type: 'date', class: 'input bh-date', testid: 'hours-holiday-input',
      'aria-label': t('sla.hours.holiday_date') });
    const addBtn = h('button', { type: 'button', class: 'btn btn-small', testid: 'hours-holiday-add',
      onClick: () => {
        if (!input.value) return;
        if (!holidays.includes(input.value)) holidays = [...holidays, input.value].sort();
        input.value = '';
        paint();
      } }, icon('plus', 'icon icon-sm'), h('span', null, t('sla.hours.holiday_add')));
    return h('fieldset', { class: 'field bh-holiday-box' },
      h('legend', { class: 'label' }, t('sla.hours.holidays')),
      h('p', { class: 'hint' }, t('sla.hours.holidays_hint')),
      list, editable ? h('div', { class: 'bh-holiday-add' }, input, addBtn) : null);
  }

  /**
   * Point at what the server refused (a time, a period or a day): its inputs
   * marked, the reason beside its day as well as under the form. Returns the text.
   */
  function showProblem(f, problem, fallback) {
    const text = problemText(problem, holidays, fallback);
    const day = /^week\.(\w+)/.exec(problem.field || '');
    const at = f.querySelector(`[data-field="${CSS.escape(problem.field || '')}"]`)
      || (day && f.querySelector(`[data-day="${CSS.escape(day[1])}"]`));
    if (at) {
      for (const input of at.matches('input') ? [at] : at.querySelectorAll('input')) {
        input.setAttribute('aria-invalid', 'true');
      }
      const box = at.closest('.bh-day') || at;
      box.append(h('p', { class: 'bh-error', testid: 'hours-error' }, text));
      box.scrollIntoView({ block: 'center' });
    }
    return text;
  }

  function draw() {
    const f = form({
      testid: 'hours-form',
      submitLabel: t('sla.hours.save'),
      children: [
        h('div', { class: 'bh-days', testid: 'hours-days' }, DAYS.map(dayEl)),
        h('p', { class: 'hint' }, t('sla.hours.midnight_hint')),
        holidaysEl(),
        h('p', { class: 'hint', testid: 'hours-timezone' }, t('sla.hours.timezone', { tz: timezone }), ' ',
          h('a', { href: '#/settings/shop' }, t('sla.hours.timezone_link'))),
      ],
      onSubmit: async (_v, el) => {
        for (const old of el.querySelectorAll('.bh-error')) old.remove();
        try {
          take(await api.put('/api/settings/business-hours', { week, holidays }));
        } catch (err) {
          const d = err.details || {};
          if (err.code === 'invalid_business_hours' && d.reason) throw new Error(showProblem(el, d, err.message));
          throw err;
        }
        draw();
        toast(t('sla.hours.saved'));
      },
    });
    if (!editable) f.querySelector('.actions').hidden = true;
    mount(box, sectionHead(t('sla.hours.title'), t('sla.hours.text')), card(null, f));
  }

  load();
}
