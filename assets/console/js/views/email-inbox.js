// Settings → Email → the email inbox: the mailbox kefu reads over IMAP (new
// threads become tickets or conversations in the live inbox, as chosen; replies
// join theirs), how reading goes ("last checked 2 min ago", or the server's
// error), a connection test, and "Stop reading".
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { field, form, portFollows, portValue, selectField } from '../forms.js';
import { icon } from '../icons.js';
import { fmtDateTime, t } from '../i18n.js';
import { fmtDuration, fmtShort } from '../time.js';
import { card, confirmDialog, loadError, loading, toast } from '../ui.js';

const DEFAULT_PORTS = { tls: 993, starttls: 143, none: 143 };
const NEW_THREADS = ['ticket', 'conversation'];
const POLL = { min: 10, max: 3600 };
// How reading goes is fetched again this often while the page is open; every
// STATUS_SOON ms for a while after saving, until the reader's first answer.
const STATUS_EVERY = 15_000;
const STATUS_SOON = 1500;
const SOON_FOR = 60_000;

/** The status's error in the console's language, with the server's own words. */
function errorText(st) {
  const key = `error.${st.error_code}`;
  const msg = t(key, { detail: st.error || '' });
  return msg === key ? st.error || st.error_code : msg;
}

/** off, connecting, ok or error, and what to say. */
function statusOf(view, now) {
  const st = view.status || {};
  if (!view.configured) return ['off', [t('settings.inbox.status_off')]];
  if (st.error_code) {
    const when = st.error_at ? h('time', { class: 'imap-status-when', datetime: new Date(st.error_at).toISOString(),
      title: fmtDateTime(st.error_at) }, t('settings.inbox.status_error_at', { time: fmtShort(st.error_at) })) : null;
    return ['error', [h('span', { testid: 'imap-status-error' }, errorText(st)), when]];
  }
  if (st.last_ok_at) {
    const ago = now - st.last_ok_at;
    return ['ok', [h('time', { datetime: new Date(st.last_ok_at).toISOString(), title: fmtDateTime(st.last_ok_at) },
      ago < 60_000 ? t('settings.inbox.status_ok_now') : t('settings.inbox.status_ok', { time: fmtDuration(ago) }))]];
  }
  return ['connecting', [t('settings.inbox.status_connecting')]];
}

const NOTICE = { off: '', connecting: '', ok: 'notice-ok', error: 'notice-error' };

/** Draw the status line into `el`; unchanged text is left alone (no repeated announcements). */
function drawStatus(el, view) {
  const [state, parts] = statusOf(view, Date.now());
  const probe = h('div', null, parts);
  if (el.dataset.state === state && el.textContent === probe.textContent) return;
  el.dataset.state = state;
  el.className = ['notice', NOTICE[state], 'imap-status'].filter(Boolean).join(' ');
  mount(el, icon(state === 'error' ? 'info' : state === 'ok' ? 'check' : 'clock', 'icon icon-sm'),
    h('span', { class: 'imap-status-text' }, parts));
}

/** Mark the input a refusal names and say it in the console's language. */
function refused(f, err) {
  const d = err.details || {};
  const name = { invalid_host: 'host', invalid_poll_secs: 'poll_secs', invalid_port: 'port' }[err.code]
    || (err.code === 'field_required' ? d.field : null);
  const input = name ? f.elements[name] : null;
  if (input) {
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  }
  // The server names the field by its API name; the label reads better.
  if (err.code === 'field_required' && input) return new Error(t('form.required', { field: input.dataset.label }));
  return err;
}

/** The poll interval typed, in seconds; undefined when empty. */
function pollValue(raw, input) {
  if (!raw) return undefined;
  const secs = Number(raw);
  if (!Number.isInteger(secs) || secs < POLL.min || secs > POLL.max) {
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    throw new Error(t('error.invalid_poll_secs', POLL));
  }
  return secs;
}

/** The IMAP form for `view`; `onSaved(view)` and `onStopped(view)` redraw. */
function inboxForm(view, { onSaved, onStopped }) {
  const tls = selectField({ label: t('settings.email.tls'), name: 'tls', value: view.tls, testid: 'imap-tls',
    options: Object.keys(DEFAULT_PORTS).map((m) => [m, t(`settings.inbox.tls_${m}`)]) });
  const port = field({ label: t('settings.email.port'), name: 'port', type: 'number', value: String(view.port),
    testid: 'imap-port', attrs: { min: 1, max: 65535, step: 1, inputmode: 'numeric' } });
  portFollows(tls, port, DEFAULT_PORTS);
  const password = field({ label: t('settings.email.password'), name: 'password', type: 'password',
    required: !view.password_set, testid: 'imap-password', autocomplete: 'new-password',
    attrs: { placeholder: view.password_set ? t('settings.email.password_unchanged') : null } });
  password.append(h('p', { class: 'hint', testid: 'imap-password-state' },
    t(view.password_set ? 'settings.email.password_set' : 'settings.email.password_none')));

  const stop = view.configured
    ? h('button', { type: 'button', class: 'btn btn-quiet-danger', testid: 'imap-stop', onClick: async (ev) => {
      const btn = ev.currentTarget;
      const ok = await confirmDialog({
        title: t('settings.inbox.stop'),
        message: t('settings.inbox.stop_confirm', { mailbox: `${view.username} @ ${view.host}` }),
        confirmLabel: t('settings.inbox.stop'),
      });
      if (!ok) return;
      btn.disabled = true;
      try {
        onStopped(await api.del('/api/settings/imap'));
        toast(t('settings.inbox.stopped'));
      } catch (err) {
        btn.disabled = false;
        toast(err.message, 'error');
      }
    } }, t('settings.inbox.stop'))
    : null;

  const noSpell = { autocapitalize: 'off', spellcheck: 'false' };
  return form({
    testid: 'imap-form',
    submitLabel: t('common.save'),
    extraActions: stop,
    children: [
      field({ label: t('settings.inbox.host'), name: 'host', required: true, value: view.host, testid: 'imap-host',
        hint: t('settings.inbox.host_hint'), attrs: { ...noSpell, inputmode: 'url' } }),
      h('div', { class: 'field-pair' }, tls, port),
      field({ label: t('settings.email.username'), name: 'username', required: true, value: view.username,
        testid: 'imap-username', autocomplete: 'off', hint: t('settings.inbox.username_hint'), attrs: noSpell }),
      password,
      field({ label: t('settings.inbox.folder'), name: 'folder', value: view.folder, testid: 'imap-folder',
        hint: t('settings.inbox.folder_hint'), attrs: { ...noSpell, placeholder: 'INBOX' } }),
      selectField({ label: t('settings.inbox.new_threads'), name: 'new_threads', testid: 'imap-new-threads',
        value: NEW_THREADS.includes(view.new_threads) ? view.new_threads : 'ticket',
        hint: t('settings.inbox.new_threads_hint'),
        options: NEW_THREADS.map((k) => [k, t(`settings.inbox.new_threads_${k}`)]) }),
      field({ label: t('settings.inbox.poll'), name: 'poll_secs', type: 'number', value: String(view.poll_secs),
        testid: 'imap-poll', hint: t('settings.inbox.poll_hint'),
        attrs: { min: POLL.min, max: POLL.max, step: 1, inputmode: 'numeric', class: 'input imap-poll' } }),
    ],
    onSubmit: async (v, el) => {
      const body = { host: v.host, tls: v.tls, username: v.username, new_threads: v.new_threads };
      const p = portValue(v.port, el.elements.port);
      if (p !== undefined) body.port = p;
      const secs = pollValue(v.poll_secs, el.elements.poll_secs);
      if (secs !== undefined) body.poll_secs = secs;
      if (v.folder) body.folder = v.folder;
      // An empty password field keeps the stored password.
      if (v.password) body.password = v.password;
      let next;
      try {
        next = await api.put('/api/settings/imap', body);
      } catch (err) {
        throw refused(el, err);
      }
      onSaved(next);
      toast(t('settings.inbox.saved'));
    },
  });
}

/** "Test connection" with the saved settings; the answer (or the server's refusal) under it. */
function testRow(view) {
  const result = h('div', { class: 'test-result', testid: 'imap-test-result', hidden: true });
  const show = (kind, ...children) => {
    result.hidden = false;
    result.dataset.state = kind;
    result.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    result.className = ['test-result', 'notice', kind === 'error' ? 'notice-error' : 'notice-ok'].join(' ');
    mount(result, children);
  };
  const btn = h('button', { type: 'button', class: 'btn btn-small', testid: 'imap-test', onClick: async () => {
    btn.disabled = true;
    result.hidden = true;
    try {
      const r = await api.post('/api/settings/imap/test', {});
      show('ok', h('span', { testid: 'imap-test-ok' }, t('settings.inbox.test_ok', { n: r.messages_waiting })),
        h('span', { testid: 'imap-test-idle', dataset: { idle: String(r.idle) } },
          r.idle ? t('settings.inbox.test_idle') : t('settings.inbox.test_no_idle', { secs: view.poll_secs })));
    } catch (err) {
      // The server's message: its translation of the code, with the mail server's own words.
      show('error', h('span', { testid: 'imap-test-error' }, err.message));
    } finally {
      btn.disabled = false;
    }
  } }, icon('reopen', 'icon icon-sm'), h('span', null, t('settings.inbox.test')));
  return h('div', { class: 'imap-test' },
    h('div', { class: 'imap-test-row' }, btn, h('span', { class: 'hint' }, t('settings.inbox.test_hint'))), result);
}

/** The inbox card. Returns { el }; its status follows the server while it is on the page. */
export function emailInbox() {
  const el = h('div', { testid: 'imap' }, loading());
  const status = h('div', { class: 'notice imap-status', testid: 'imap-status', role: 'status' });
  let view = null;
  let timer = null;
  let soonUntil = 0;

  function draw(next) {
    view = next;
    status.dataset.state = '';
    drawStatus(status, view);
    mount(el, card(t('settings.inbox.title'),
      h('p', { class: 'hint', testid: 'imap-explain' }, t('settings.inbox.text')),
      status,
      view.configured ? testRow(view) : null,
      inboxForm(view, {
        onSaved: (v) => { soonUntil = Date.now() + SOON_FOR; draw(v); schedule(); },
        onStopped: (v) => { draw(v); schedule(); },
      })));
  }

  /** Only the status follows the server: what is being typed in the form stays. */
  async function refresh() {
    if (!el.isConnected) return;
    if (document.visibilityState === 'visible') {
      try {
        const fresh = await api.get('/api/settings/imap');
        view = { ...view, configured: fresh.configured, status: fresh.status };
        drawStatus(status, view);
      } catch {
        // A missed look is made up at the next one.
      }
    }
    schedule();
  }

  function schedule() {
    clearTimeout(timer);
    const st = view.status || {};
    const waiting = view.configured && !st.error_code && !st.last_ok_at && Date.now() < soonUntil;
    timer = setTimeout(refresh, waiting ? STATUS_SOON : STATUS_EVERY);
  }

  async function load() {
    try {
      draw(await api.get('/api/settings/imap'));
      schedule();
    } catch (err) {
      mount(el, loadError(err, load));
    }
  }

  load();
  return { el };
}
