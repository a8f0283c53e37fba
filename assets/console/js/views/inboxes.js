// Settings → Inboxes (admins): each web inbox is one chat widget. Create,
// edit and delete them; copy the snippet for the shop's pages; see the
// secret that signs logged-in customers (identified mode); switch its bot on
// and choose the words that hand a chat to a person (inbox-bot.js). The email inbox
// (made when mail threads become conversations) shows with an envelope and
// only what applies to it: its name and default team.
import { api } from '../api.js';
import { reloadDesk } from '../desk.js';
import { append, h, mount } from '../dom.js';
import { field, form, selectField, textArea } from '../forms.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { forgetInboxes } from '../inbox-kinds.js';
import { confirmDialog, loadError, loading, openDialog, toast } from '../ui.js';
import { botFields, botState } from './inbox-bot.js';
import { sectionHead } from './settings.js';

const PRECHAT_FIELDS = ['name', 'email', 'phone'];
const MODES = ['off', 'optional', 'required'];
const DEFAULT_COLOR = '#0f766e';

function validColor(c) {
  return typeof c === 'string' && /^#[0-9a-f]{6}$/i.test(c) ? c : DEFAULT_COLOR;
}

async function copy(text, btn) {
  let ok = false;
  try {
    await navigator.clipboard.writeText(text);
    ok = true;
  } catch {
    ok = false;
  }
  const label = btn.querySelector('span');
  label.textContent = ok ? t('common.copied') : t('common.copy_failed');
  setTimeout(() => { label.textContent = t('common.copy'); }, 2000);
  return ok;
}

function copyButton(getText, testid, input) {
  const btn = h('button', {
    type: 'button', class: 'btn btn-small', testid,
    onClick: async () => {
      if (!(await copy(getText(), btn)) && input) input.select();
    },
  }, icon('copy', 'icon icon-sm'), h('span', null, t('common.copy')));
  return btn;
}

function snippetBox(inbox) {
  const code = h('textarea', {
    class: 'input mono snippet', readonly: true, rows: 3, testid: 'inbox-snippet',
    'aria-label': t('settings.inboxes.snippet'), onFocus: (ev) => ev.target.select(),
  });
  code.value = inbox.snippet;
  return h('div', { class: 'inbox-block' },
    h('div', { class: 'inbox-block-head' },
      h('h3', { class: 'subhead' }, t('settings.inboxes.snippet')),
      copyButton(() => inbox.snippet, 'inbox-snippet-copy', code)),
    h('p', { class: 'hint' }, t('settings.inboxes.snippet_hint')),
    code);
}

function secretBox(inbox) {
  const value = h('input', {
    class: 'input mono', type: 'password', readonly: true, value: inbox.secret, testid: 'inbox-secret',
    autocomplete: 'off', 'aria-label': t('settings.inboxes.secret'),
  });
  const show = h('button', {
    type: 'button', class: 'btn btn-small', testid: 'inbox-secret-show', 'aria-pressed': 'false',
    onClick: () => {
      const shown = value.type === 'text';
      value.type = shown ? 'password' : 'text';
      show.setAttribute('aria-pressed', String(!shown));
      show.lastChild.textContent = shown ? t('settings.inboxes.show') : t('settings.inboxes.hide');
    },
  }, h('span', null, t('settings.inboxes.show')));
  return h('div', { class: 'inbox-block' },
    h('h3', { class: 'subhead' }, t('settings.inboxes.secret')),
    h('p', { class: 'hint' }, t('settings.inboxes.secret_hint')),
    h('div', { class: 'secret-row' }, value, show, copyButton(() => inbox.secret, 'inbox-secret-copy')));
}

function prechatSummary(prechat) {
  const asked = PRECHAT_FIELDS.filter((f) => prechat[f] && prechat[f] !== 'off');
  if (!asked.length) return t('settings.inboxes.prechat_none');
  return asked.map((f) => t(`settings.inboxes.prechat_${prechat[f]}`, { field: t(`settings.inboxes.field_${f}`) }))
    .join(' · ');
}

const isEmail = (inbox) => Boolean(inbox && inbox.kind === 'email');

function teamFacts(inbox, teams) {
  const team = teams.find((tm) => tm.id === inbox.default_team_id);
  return [h('dt', null, t('settings.inboxes.default_team')),
    h('dd', { testid: 'inbox-team' }, team ? team.name : t('settings.inboxes.no_team'))];
}

/** The email inbox: an envelope, what it receives, its default team. */
function emailInboxCard(inbox, teams, reload) {
  return h('li', { class: 'inbox-card', testid: 'inbox-row', dataset: { inboxId: inbox.id, kind: 'email' } },
    h('div', { class: 'inbox-card-head' },
      h('span', { class: 'inbox-mail-mark', role: 'img', 'aria-label': t('settings.inboxes.email_kind'),
        title: t('settings.inboxes.email_kind'), testid: 'inbox-mail-mark' }, icon('mail', 'icon icon-sm')),
      h('div', { class: 'row-main' },
        h('div', { class: 'row-title', testid: 'inbox-name' }, inbox.name),
        h('div', { class: 'row-sub', testid: 'inbox-email-hint' }, t('settings.inboxes.email_hint'))),
      cardActions(inbox, teams, reload)),
    h('dl', { class: 'facts inbox-facts' }, teamFacts(inbox, teams)));
}

function cardActions(inbox, teams, reload) {
  return h('div', { class: 'row-actions' },
    h('button', { type: 'button', class: 'btn btn-small', testid: 'inbox-edit',
      onClick: () => openInboxDialog(inbox, teams, reload) }, t('common.edit')),
    h('button', { type: 'button', class: 'btn btn-small btn-quiet-danger', testid: 'inbox-delete',
      onClick: () => deleteInbox(inbox, reload) }, t('common.delete')));
}

function inboxCard(inbox, teams, reload) {
  if (isEmail(inbox)) return emailInboxCard(inbox, teams, reload);
  // The CSP forbids style attributes; a CSSOM property is fine.
  const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true' });
  swatch.style.backgroundColor = validColor(inbox.color);
  return h('li', { class: 'inbox-card', testid: 'inbox-row', dataset: { inboxId: inbox.id } },
    h('div', { class: 'inbox-card-head' },
      swatch,
      h('div', { class: 'row-main' },
        h('div', { class: 'row-title', testid: 'inbox-name' }, inbox.name),
        inbox.greeting ? h('div', { class: 'row-sub' }, inbox.greeting) : null),
      cardActions(inbox, teams, reload)),
    h('dl', { class: 'facts inbox-facts' },
      teamFacts(inbox, teams),
      h('dt', null, t('settings.inboxes.origins')),
      h('dd', null, inbox.allowed_origins.length ? inbox.allowed_origins.join(', ') : t('settings.inboxes.any_site')),
      h('dt', null, t('settings.inboxes.prechat')),
      h('dd', null, prechatSummary(inbox.prechat)),
      h('dt', null, t('settings.inboxes.bot')),
      h('dd', null, botState(inbox))),
    snippetBox(inbox),
    secretBox(inbox));
}

function prechatFields(prechat) {
  return h('fieldset', { class: 'field prechat' },
    h('legend', { class: 'label' }, t('settings.inboxes.prechat')),
    h('p', { class: 'hint' }, t('settings.inboxes.prechat_hint')),
    h('div', { class: 'prechat-grid' }, PRECHAT_FIELDS.map((f) => selectField({
      label: t(`settings.inboxes.field_${f}`), name: `prechat_${f}`, value: (prechat && prechat[f]) || 'off',
      testid: `inbox-prechat-${f}`, options: MODES.map((m) => [m, t(`settings.inboxes.mode_${m}`)]),
    }))));
}

function teamField(inbox, teams) {
  return selectField({ label: t('settings.inboxes.default_team'), name: 'default_team_id', testid: 'inbox-team-input',
    value: inbox && inbox.default_team_id ? String(inbox.default_team_id) : '',
    hint: t('settings.inboxes.default_team_hint'),
    options: [['', t('settings.inboxes.no_team')], ...teams.map((tm) => [String(tm.id), tm.name])] });
}

/** What the widget's fields say: colour, greeting, websites, pre-chat, offline message. */
function widgetFields(inbox) {
  const color = h('input', {
    type: 'color', name: 'color', class: 'color-input', testid: 'inbox-color-input',
    value: validColor(inbox && inbox.color),
    'aria-label': t('settings.inboxes.color'),
  });
  return {
    top: [
      textArea({ label: t('settings.inboxes.greeting'), name: 'greeting', value: inbox ? inbox.greeting : '',
        testid: 'inbox-greeting-input', rows: 2 }),
      h('div', { class: 'field' }, h('span', { class: 'label' }, t('settings.inboxes.color')),
        h('label', { class: 'color-field' }, color, h('span', { class: 'hint' }, t('settings.inboxes.color_hint')))),
    ],
    bottom: [
      textArea({ label: t('settings.inboxes.origins'), name: 'allowed_origins', testid: 'inbox-origins-input',
        value: inbox ? inbox.allowed_origins.join('\n') : '', rows: 3 }),
      h('p', { class: 'hint hint-tight' }, t('settings.inboxes.origins_hint')),
      prechatFields(inbox && inbox.prechat),
      textArea({ label: t('settings.inboxes.offline_message'), name: 'offline_message', rows: 2,
        value: inbox ? inbox.offline_message : '', testid: 'inbox-offline-input' }),
    ],
    body: (v) => ({
      greeting: v.greeting,
      color: v.color,
      allowed_origins: v.allowed_origins.split('\n').map((o) => o.trim()).filter(Boolean),
      prechat: Object.fromEntries(PRECHAT_FIELDS.map((p) => [p, v[`prechat_${p}`]])),
      offline_message: v.offline_message,
    }),
  };
}

/** Create (inbox null) or edit an inbox in a dialog; the email inbox has a name and a team only. */
function openInboxDialog(inbox, teams, reload) {
  const dlg = openDialog({
    title: inbox ? t('settings.inboxes.edit_title') : t('settings.inboxes.new'),
    testid: 'inbox-dialog',
  });
  const widget = isEmail(inbox) ? null : widgetFields(inbox);
  const bot = widget ? botFields(inbox) : null;
  const f = form({
    testid: 'inbox-form',
    submitLabel: inbox ? t('common.save') : t('settings.inboxes.create'),
    children: [
      widget ? null : h('p', { class: 'hint', testid: 'inbox-email-hint' }, t('settings.inboxes.email_hint')),
      field({ label: t('settings.inboxes.name'), name: 'name', required: true, value: inbox ? inbox.name : '',
        testid: 'inbox-name-input', hint: widget ? t('settings.inboxes.name_hint') : null }),
      widget ? widget.top : null,
      teamField(inbox, teams),
      widget ? widget.bottom : null,
      bot ? bot.el : null,
    ],
    onSubmit: async (v) => {
      const body = {
        name: v.name,
        default_team_id: v.default_team_id ? Number(v.default_team_id) : null,
        ...(widget ? widget.body(v) : {}),
        ...(bot ? bot.body() : {}),
      };
      try {
        if (inbox) await api.patch(`/api/inboxes/${inbox.id}`, body);
        else await api.post('/api/inboxes', body);
      } catch (err) {
        if (bot && bot.showError(err)) throw new Error(t('form.fix_field'));
        throw err;
      }
      dlg.close();
      toast(inbox ? t('common.saved') : t('settings.inboxes.created', { name: v.name }));
      forgetInboxes();
      reload();
    },
  });
  dlg.body.append(f);
  f.querySelector('input').focus();
}

async function deleteInbox(inbox, reload) {
  const ok = await confirmDialog({
    title: t('settings.inboxes.delete'),
    message: t(isEmail(inbox) ? 'settings.inboxes.delete_email_confirm' : 'settings.inboxes.delete_confirm',
      { name: inbox.name }),
    confirmLabel: t('settings.inboxes.delete'),
  });
  if (!ok) return;
  try {
    await api.del(`/api/inboxes/${inbox.id}`);
    toast(t('settings.inboxes.deleted', { name: inbox.name }));
    forgetInboxes();
    reloadDesk();
    reload();
  } catch (err) {
    toast(err.message, 'error');
  }
}

/** Draw the Inboxes section into `body`. */
export function renderInboxes(body) {
  const listBox = h('div', { class: 'list-box' }, loading());
  let teams = [];
  const newBtn = h('button', {
    type: 'button', class: 'btn btn-primary', testid: 'inbox-new',
    onClick: () => openInboxDialog(null, teams, load),
  }, icon('plus', 'icon icon-sm'), h('span', null, t('settings.inboxes.new')));

  async function load() {
    let inboxes;
    try {
      [{ inboxes }, { teams }] = await Promise.all([api.get('/api/inboxes'), api.get('/api/teams')]);
    } catch (err) {
      mount(listBox, loadError(err, load));
      return;
    }
    teams.sort((a, b) => a.name.localeCompare(b.name));
    mount(listBox, inboxes.length
      ? h('ul', { class: 'inbox-cards', testid: 'inbox-list-settings' },
        inboxes.map((ib) => inboxCard(ib, teams, load)))
      : h('p', { class: 'list-empty', testid: 'inbox-list-empty' }, t('settings.inboxes.empty')));
  }

  append(body, [sectionHead(t('settings.inboxes.title'), t('settings.inboxes.text'), newBtn), listBox]);
  load();
}
