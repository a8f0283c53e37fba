// The mail log under Settings → Email: the latest emails kefu wrote, by
// state (queued, sent, failed), with why the last attempt failed and a
// button to send a failed one again.
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { icon } from '../icons.js';
import { fmtDateTime, t } from '../i18n.js';
import { fmtShort } from '../time.js';
import { badge, loadError, loading, toast } from '../ui.js';

const FILTERS = ['all', 'queued', 'failed', 'sent'];
const STATUS_BADGE = { queued: 'warn', sent: 'ok', failed: 'danger' };

/** A template's human name ("Agent invitation"), or its code when unknown. */
export function templateName(code) {
  const key = `mail.template.${code}`;
  const name = t(key);
  return name === key ? code : name;
}

function timeEl(ms, key) {
  return h('time', { datetime: new Date(ms).toISOString(), title: fmtDateTime(ms) }, t(key, { time: fmtShort(ms) }));
}

/** What happens next to a queued mail, or why a failed one was not sent. */
function detail(m) {
  if (m.status === 'sent') return null;
  const lines = [];
  if (m.status === 'queued') {
    if (!m.attempts && !m.last_error) {
      lines.push(t('settings.email.waiting'));
    } else if (m.next_attempt_at && m.next_attempt_at > Date.now()) {
      lines.push(t('settings.email.next_attempt', { time: fmtShort(m.next_attempt_at) }));
    } else {
      lines.push(t('settings.email.next_attempt_soon'));
    }
    if (m.last_error) lines.push(t('settings.email.last_error', { error: m.last_error }));
  } else if (m.last_error) {
    lines.push(t('settings.email.failed_error', { error: m.last_error }));
  }
  return h('p', { class: ['mail-detail', m.status === 'failed' && 'mail-detail-failed'], testid: 'mail-detail' },
    lines.join(' '));
}

/** Fill `li` with mail `m`; a failed one gets a Retry button that redraws the row. */
function fillRow(li, m) {
  li.dataset.status = m.status;
  const retry = m.status === 'failed'
    ? h('button', { type: 'button', class: 'btn btn-small', testid: 'mail-retry', onClick: async (ev) => {
      const btn = ev.currentTarget;
      btn.disabled = true;
      try {
        const row = await api.post(`/api/mail/${m.id}/retry`);
        fillRow(li, row);
        toast(t('settings.email.retried', { email: row.to_email }));
      } catch (err) {
        btn.disabled = false;
        toast(err.message, 'error');
      }
    } }, icon('reopen', 'icon icon-sm'), h('span', null, t('settings.email.retry')))
    : null;
  mount(li,
    h('div', { class: 'row-main' },
      h('div', { class: 'row-title' }, h('span', { testid: 'mail-template' }, templateName(m.template)),
        h('span', { testid: 'mail-status' }, badge(t(`mail.status.${m.status}`), STATUS_BADGE[m.status]))),
      h('div', { class: 'row-sub', testid: 'mail-to' }, m.to_email),
      h('div', { class: 'row-meta' },
        m.sent_at ? timeEl(m.sent_at, 'settings.email.sent_at') : timeEl(m.created_at, 'settings.email.created_at'),
        m.attempts ? h('span', { testid: 'mail-attempts' }, t('settings.email.attempts', { n: m.attempts })) : null),
      detail(m)),
    retry ? h('div', { class: 'row-actions' }, retry) : null);
  return li;
}

/** The log card. Returns { el, reload }. */
export function mailLog() {
  let filter = 'all';
  let asked = 0;
  const listBox = h('div', { class: 'mail-list' }, loading());
  const chips = h('div', { class: 'filter-chips', role: 'group', 'aria-label': t('settings.email.log_filter') },
    FILTERS.map((f) => h('button', {
      type: 'button', class: 'filter-chip', testid: `mail-filter-${f}`, dataset: { filter: f },
      'aria-pressed': String(f === filter),
      onClick: () => {
        filter = f;
        for (const b of chips.children) b.setAttribute('aria-pressed', String(b.dataset.filter === filter));
        load();
      },
    }, t(f === 'all' ? 'settings.email.filter_all' : `mail.status.${f}`))));

  async function load() {
    asked += 1;
    const mine = asked;
    let mails;
    try {
      ({ mails } = await api.get(filter === 'all' ? '/api/mail' : `/api/mail?status=${filter}`));
    } catch (err) {
      if (mine === asked) mount(listBox, loadError(err, load));
      return;
    }
    // A newer request (another filter chosen meanwhile) wins.
    if (mine !== asked) return;
    mount(listBox, mails.length
      ? h('ul', { class: 'list', testid: 'mail-list' }, mails.map((m) => fillRow(h('li', {
        class: 'row', testid: 'mail-row', dataset: { mailId: m.id },
      }), m)))
      : h('p', { class: 'list-empty', testid: 'mail-list-empty' },
        t(filter === 'all' ? 'settings.email.log_empty' : `settings.email.log_empty_${filter}`)));
  }

  const refresh = h('button', { type: 'button', class: 'btn btn-small', testid: 'mail-refresh', onClick: load },
    icon('reopen', 'icon icon-sm'), h('span', null, t('settings.email.refresh')));
  const el = h('section', { class: 'card mail-log', testid: 'mail-log' },
    h('div', { class: 'card-head' }, h('h2', { class: 'card-title' }, t('settings.email.log_title')), refresh),
    chips, listBox);
  load();
  return { el, reload: load };
}
