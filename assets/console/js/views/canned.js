// Settings → Saved replies (admins): answers agents insert by typing "/"
// and the shortcut in the reply box. For everyone or for one team; the text
// may use variables that are filled in when inserted.
import { api } from '../api.js';
import { append, h, mount } from '../dom.js';
import { field, form, selectField, textArea } from '../forms.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { badge, confirmDialog, loadError, loading, openDialog, toast } from '../ui.js';
import { VARIABLES, forgetCanned } from './canned-suggest.js';
import { sectionHead } from './settings.js';

/** Buttons that put `{{variable}}` at the caret of `textarea`. */
function variableButtons(textarea) {
  return h('div', { class: 'var-buttons' },
    h('span', { class: 'hint' }, t('settings.canned.variables')),
    VARIABLES.map((v) => h('button', {
      type: 'button', class: 'chip chip-button mono', testid: `canned-var-${v}`,
      title: t(`settings.canned.var_${v.replace('.', '_')}`),
      onClick: () => {
        textarea.focus();
        textarea.setRangeText(`{{${v}}}`, textarea.selectionStart, textarea.selectionEnd, 'end');
      },
    }, `{{${v}}}`)));
}

/** Create (item null) or edit a saved reply in a dialog. */
function openCannedDialog(item, teams, reload) {
  const dlg = openDialog({
    title: item ? t('settings.canned.edit_title') : t('settings.canned.new'),
    testid: 'canned-dialog',
  });
  const text = textArea({ label: t('settings.canned.body'), name: 'body', required: true, rows: 5,
    value: item ? item.body : '', testid: 'canned-body-input' });
  const f = form({
    testid: 'canned-form',
    submitLabel: item ? t('common.save') : t('settings.canned.create'),
    children: [
      field({ label: t('settings.canned.shortcut'), name: 'shortcut', required: true, testid: 'canned-shortcut-input',
        value: item ? item.shortcut : '', hint: t('settings.canned.shortcut_hint'),
        attrs: { autocapitalize: 'off', autocorrect: 'off', spellcheck: 'false', maxlength: 33 } }),
      text,
      variableButtons(text.input),
      selectField({ label: t('settings.canned.team'), name: 'team_id', testid: 'canned-team-input',
        value: item && item.team_id ? String(item.team_id) : '', hint: t('settings.canned.team_hint'),
        options: [['', t('settings.canned.everyone')], ...teams.map((tm) => [String(tm.id), tm.name])] }),
    ],
    onSubmit: async (v) => {
      const body = {
        shortcut: v.shortcut.replace(/^\//, ''),
        body: text.input.value.trim(),
        team_id: v.team_id ? Number(v.team_id) : null,
      };
      if (item) await api.patch(`/api/canned-responses/${item.id}`, body);
      else await api.post('/api/canned-responses', body);
      forgetCanned();
      dlg.close();
      toast(item ? t('common.saved') : t('settings.canned.created', { shortcut: body.shortcut }));
      reload();
    },
  });
  dlg.body.append(f);
  f.querySelector('input').focus();
}

async function deleteCanned(item, reload) {
  const ok = await confirmDialog({
    title: t('settings.canned.delete'),
    message: t('settings.canned.delete_confirm', { shortcut: item.shortcut }),
    confirmLabel: t('settings.canned.delete'),
  });
  if (!ok) return;
  try {
    await api.del(`/api/canned-responses/${item.id}`);
    forgetCanned();
    toast(t('settings.canned.deleted', { shortcut: item.shortcut }));
    reload();
  } catch (err) {
    toast(err.message, 'error');
  }
}

function cannedRow(item, teams, reload) {
  const team = item.team_id ? teams.find((tm) => tm.id === item.team_id) : null;
  return h('li', { class: 'row', testid: 'canned-row', dataset: { cannedId: item.id } },
    h('div', { class: 'row-main' },
      h('div', { class: 'row-title' }, h('span', { class: 'mono', testid: 'canned-shortcut' }, `/${item.shortcut}`),
        badge(team ? team.name : (item.team_id ? `#${item.team_id}` : t('settings.canned.everyone')),
          team || item.team_id ? 'accent' : 'muted')),
      h('div', { class: 'row-sub canned-body', testid: 'canned-body' }, item.body)),
    h('div', { class: 'row-actions' },
      h('button', { type: 'button', class: 'btn btn-small', testid: 'canned-edit',
        onClick: () => openCannedDialog(item, teams, reload) }, t('common.edit')),
      h('button', { type: 'button', class: 'btn btn-small btn-quiet-danger', testid: 'canned-delete',
        onClick: () => deleteCanned(item, reload) }, t('common.delete'))));
}

/** Draw Settings → Saved replies into `body`. */
export function renderCanned(body) {
  const listBox = h('div', { class: 'list-box' }, loading());
  let teams = [];
  const newBtn = h('button', {
    type: 'button', class: 'btn btn-primary', testid: 'canned-new', onClick: () => openCannedDialog(null, teams, load),
  }, icon('plus', 'icon icon-sm'), h('span', null, t('settings.canned.new')));

  async function load() {
    let list;
    try {
      [{ canned_responses: list }, { teams }] = await Promise.all([
        api.get('/api/canned-responses'), api.get('/api/teams')]);
    } catch (err) {
      mount(listBox, loadError(err, load));
      return;
    }
    teams.sort((a, b) => a.name.localeCompare(b.name));
    mount(listBox, list.length
      ? h('ul', { class: 'list', testid: 'canned-list-settings' }, list.map((c) => cannedRow(c, teams, load)))
      : h('p', { class: 'list-empty', testid: 'canned-list-empty' }, t('settings.canned.empty')));
  }

  append(body, [sectionHead(t('settings.canned.title'), t('settings.canned.text'), newBtn),
    h('p', { class: 'notice', testid: 'canned-howto' }, t('settings.canned.howto')), listBox]);
  load();
}
