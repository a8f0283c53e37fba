// Settings → Email: the SMTP server kefu sends through (saved here, or taken
// from kefu.toml), a test email sent at once, the mailbox kefu reads (IMAP),
// and the logs of mail sent (queued, sent, failed) and received.
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { field, form, portFollows, portValue, segmented, selectField } from '../forms.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { session } from '../session.js';
import { card, confirmDialog, loadError, loading, toast } from '../ui.js';
import { emailInbox } from './email-inbox.js';
import { inboundLog } from './inbound-log.js';
import { mailLog } from './mail-log.js';
import { sectionHead } from './settings.js';

const DEFAULT_PORTS = { starttls: 587, tls: 465, none: 25 };

function sourceNote(view) {
  return h('p', {
    class: ['notice', view.source === 'none' && 'notice-warn'], testid: 'smtp-source', dataset: { source: view.source },
  }, t(`settings.email.source_${view.source}`));
}

/** A checkbox with its label and a hint under it. */
function checkField({ name, label, hint, checked, testid }) {
  return h('label', { class: 'check-row' },
    h('input', { type: 'checkbox', name, value: 'on', checked, testid }),
    h('span', { class: 'check-text' }, h('span', { class: 'check-label' }, label),
      h('span', { class: 'hint' }, hint)));
}

/** The SMTP form for `view` (what GET/PUT /api/settings/smtp answered). `onView` redraws. */
function smtpForm(view, onView) {
  const tls = selectField({ label: t('settings.email.tls'), name: 'tls', value: view.tls, testid: 'smtp-tls',
    hint: t('settings.email.tls_hint'), options: Object.keys(DEFAULT_PORTS).map((m) => [m, t(`settings.email.tls_${m}`)]) });
  const port = field({ label: t('settings.email.port'), name: 'port', type: 'number', value: String(view.port),
    testid: 'smtp-port', attrs: { min: 1, max: 65535, step: 1, inputmode: 'numeric' } });
  portFollows(tls, port, DEFAULT_PORTS);
  // An empty field keeps the console's stored password; kefu.toml's is not copied.
  const kept = view.password_set && view.source === 'console';
  const fromFile = view.password_set && view.source === 'config_file';
  const password = field({ label: t('settings.email.password'), name: 'password', type: 'password',
    testid: 'smtp-password', autocomplete: 'new-password',
    attrs: { placeholder: kept ? t('settings.email.password_unchanged') : null } });
  let state = 'password_none';
  if (kept) state = 'password_set';
  else if (fromFile) state = 'password_from_file';
  password.append(h('p', { class: ['hint', fromFile && 'hint-warn'], testid: 'smtp-password-state' },
    t(`settings.email.${state}`)));

  const remove = view.source === 'console'
    ? h('button', { type: 'button', class: 'btn btn-quiet-danger', testid: 'smtp-remove', onClick: async (ev) => {
      const btn = ev.currentTarget;
      const ok = await confirmDialog({
        title: t('settings.email.remove'),
        message: t('settings.email.remove_confirm'),
        confirmLabel: t('settings.email.remove'),
      });
      if (!ok) return;
      btn.disabled = true;
      try {
        onView(await api.del('/api/settings/smtp'));
        toast(t('settings.email.removed'));
      } catch (err) {
        btn.disabled = false;
        toast(err.message, 'error');
      }
    } }, t('settings.email.remove'))
    : null;

  return form({
    testid: 'smtp-form',
    submitLabel: t('common.save'),
    extraActions: remove,
    children: [
      field({ label: t('settings.email.host'), name: 'host', required: true, value: view.host, testid: 'smtp-host',
        hint: t('settings.email.host_hint'), attrs: { autocapitalize: 'off', spellcheck: 'false', inputmode: 'url' } }),
      h('div', { class: 'field-pair' }, tls, port),
      field({ label: t('settings.email.username'), name: 'username', value: view.username, testid: 'smtp-username',
        autocomplete: 'off', hint: t('settings.email.username_hint'),
        attrs: { autocapitalize: 'off', spellcheck: 'false' } }),
      password,
      field({ label: t('settings.email.from_name'), name: 'from_name', value: view.from_name,
        testid: 'smtp-from-name', hint: t('settings.email.from_name_hint') }),
      field({ label: t('settings.email.from_email'), name: 'from_email', type: 'email', required: true,
        value: view.from_email, testid: 'smtp-from-email',
        attrs: { inputmode: 'email', autocapitalize: 'off', spellcheck: 'false' } }),
      checkField({ name: 'plus_addressing', label: t('settings.email.plus'), hint: t('settings.email.plus_hint'),
        checked: view.plus_addressing, testid: 'smtp-plus' }),
    ],
    onSubmit: async (v, el) => {
      const body = {
        host: v.host, tls: v.tls, username: v.username, from_name: v.from_name, from_email: v.from_email,
        plus_addressing: (v.plus_addressing || []).length > 0,
      };
      const p = portValue(v.port, el.elements.port);
      if (p !== undefined) body.port = p;
      // An empty password field keeps the stored password.
      if (v.password) body.password = v.password;
      onView(await api.put('/api/settings/smtp', body));
      toast(t('settings.email.saved'));
    },
  });
}

/** "Send a test email": address (the agent's own by default), button, the answer inline. */
function testCard() {
  const result = h('div', { class: 'test-result', testid: 'smtp-test-result', hidden: true });
  const show = (kind, ...children) => {
    result.hidden = !kind;
    result.dataset.state = kind || '';
    result.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    result.className = ['test-result', 'notice', kind === 'error' ? 'notice-error' : 'notice-ok'].join(' ');
    mount(result, children);
  };
  const f = form({
    testid: 'smtp-test',
    submitLabel: t('settings.email.test_send'),
    children: [
      field({ label: t('settings.email.test_to'), name: 'to', type: 'email', required: true,
        value: session.agent ? session.agent.email : '', testid: 'smtp-test-to',
        attrs: { inputmode: 'email', autocapitalize: 'off', spellcheck: 'false' } }),
    ],
    onSubmit: async (v) => {
      show(null);
      try {
        const r = await api.post('/api/settings/smtp/test', { to: v.to });
        show('ok', h('span', null, t('settings.email.test_ok', { email: v.to })),
          h('span', { class: 'mono test-reply', testid: 'smtp-test-reply' }, r.reply));
      } catch (err) {
        // The server's own words (e.g. the SMTP server's refusal), in the box.
        show('error', h('span', { testid: 'smtp-test-error' }, err.message));
      }
    },
  });
  return card(t('settings.email.test_title'), h('p', { class: 'hint' }, t('settings.email.test_text')), f, result);
}

/** The logs: sent (the outbox) or received (the inbox), one at a time. */
function logs(sent) {
  const received = inboundLog();
  let loaded = false;
  received.el.hidden = true;
  const choose = (which) => {
    sent.el.hidden = which !== 'sent';
    received.el.hidden = which !== 'received';
    if (which === 'received' && !loaded) {
      loaded = true;
      received.load();
    }
  };
  return h('div', { class: 'mail-logs' },
    segmented({ name: 'mail-log', testid: 'mail-log-show', value: 'sent', label: t('settings.email.log_show'),
      options: [['sent', t('settings.email.log_sent'), icon('send', 'icon icon-sm')],
        ['received', t('settings.email.log_received'), icon('inbox', 'icon icon-sm')]],
      onChange: choose }),
    sent.el, received.el);
}

/** Draw Settings → Email into `body`. */
export function renderEmail(body) {
  const smtpBox = h('div', null, loading());
  const log = mailLog();

  function draw(view) {
    mount(smtpBox, card(t('settings.email.server'), sourceNote(view), smtpForm(view, (next) => {
      draw(next);
      log.reload();
    })));
  }

  async function load() {
    try {
      draw(await api.get('/api/settings/smtp'));
    } catch (err) {
      mount(smtpBox, loadError(err, load));
    }
  }

  body.append(sectionHead(t('settings.email.title'), t('settings.email.text')),
    h('div', { class: 'stack' }, smtpBox, testCard(), emailInbox().el, logs(log)));
  load();
}
