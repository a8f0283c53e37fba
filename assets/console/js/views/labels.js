// Labels on conversations: coloured chips (in the list and the open
// conversation), the picker that sets them, and Settings → Labels where
// admins create and delete them.
import { api } from '../api.js';
import { append, h, mount } from '../dom.js';
import { field, form } from '../forms.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { isAdmin } from '../session.js';
import { confirmDialog, loadError, loading, openDialog, toast } from '../ui.js';
import { sectionHead } from './settings.js';

const GREY = '#64748b';
const PALETTE = ['#0f766e', '#2563eb', '#7c3aed', '#db2777', '#dc2626', '#ea580c', '#ca8a04', '#16a34a'];

function validColor(c) {
  return typeof c === 'string' && /^#[0-9a-f]{6}$/i.test(c) ? c : GREY;
}

/** Dark text on light colours, white on dark ones. */
function inkFor(hex) {
  const n = parseInt(hex.slice(1), 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  return (r * 299 + g * 587 + b * 114) / 1000 > 150 ? '#1c2329' : '#ffffff';
}

/** One label as a coloured chip. The CSP forbids style attributes; CSSOM properties are fine. */
export function labelChip(label, extraClass) {
  const color = validColor(label.color);
  const el = h('span', { class: ['label-chip', extraClass], testid: 'label-chip', dataset: { labelId: label.id } },
    label.name);
  el.style.backgroundColor = color;
  el.style.color = inkFor(color);
  return el;
}

/** Up to `max` chips and "+n" for the rest (for list rows). */
export function labelChips(labels, max = 3) {
  if (!labels || !labels.length) return null;
  const more = labels.length - max;
  return h('span', { class: 'label-chips', testid: 'conv-labels-row' },
    labels.slice(0, max).map((l) => labelChip(l, 'label-chip-sm')),
    more > 0 ? h('span', { class: 'label-more' }, `+${more}`) : null);
}

/** Fill the strip under a conversation's header: its labels and a button to change them. */
export function drawLabelBar(el, labels, onEdit) {
  el.classList.toggle('conv-labels-none', !labels.length);
  mount(el, labels.map((l) => labelChip(l)),
    h('button', { type: 'button', class: 'label-edit', testid: 'conv-labels-edit', onClick: onEdit },
      icon('tag', 'icon icon-xs'), h('span', null, labels.length ? t('inbox.labels.edit') : t('inbox.labels.add'))));
}

/**
 * Choose a conversation's labels from every label. `onSave(ids)` returns a
 * promise; its error is shown in the dialog.
 */
export async function pickLabels({ current, onSave }) {
  const dlg = openDialog({ title: t('inbox.labels.title'), testid: 'labels-dialog' });
  dlg.body.append(loading());
  let all;
  try {
    ({ labels: all } = await api.get('/api/labels'));
  } catch (err) {
    mount(dlg.body, loadError(err));
    return;
  }
  if (!all.length) {
    mount(dlg.body, h('p', { class: 'notice', testid: 'labels-none' }, t('inbox.labels.none')),
      isAdmin() ? h('a', { class: 'btn', href: '#/settings/labels', onClick: () => dlg.close() },
        icon('plus', 'icon icon-sm'), h('span', null, t('inbox.labels.manage'))) : null);
    return;
  }
  const chosen = new Set(current.map((l) => l.id));
  const f = form({
    testid: 'labels-form',
    submitLabel: t('common.save'),
    children: h('fieldset', { class: 'field checks' },
      h('legend', { class: 'label' }, t('inbox.labels.pick')),
      all.map((l) => h('label', { class: 'check', testid: 'label-option', dataset: { labelId: l.id } },
        h('input', { type: 'checkbox', name: 'labels', value: String(l.id), checked: chosen.has(l.id) }),
        labelChip(l)))),
    onSubmit: async (v) => {
      await onSave((v.labels || []).map(Number));
      dlg.close();
    },
  });
  mount(dlg.body, f);
  const first = f.querySelector('input');
  if (first) first.focus();
}

function openLabelDialog(count, reload) {
  const dlg = openDialog({ title: t('settings.labels.new'), testid: 'label-dialog' });
  const color = h('input', {
    type: 'color', name: 'color', class: 'color-input', testid: 'label-color-input',
    value: PALETTE[count % PALETTE.length], 'aria-label': t('settings.labels.color'),
  });
  const f = form({
    testid: 'label-form',
    submitLabel: t('settings.labels.create'),
    children: [
      field({ label: t('settings.labels.name'), name: 'name', required: true, testid: 'label-name-input',
        hint: t('settings.labels.name_hint') }),
      h('div', { class: 'field' }, h('span', { class: 'label' }, t('settings.labels.color')),
        h('label', { class: 'color-field' }, color)),
    ],
    onSubmit: async (v) => {
      await api.post('/api/labels', { name: v.name, color: v.color });
      dlg.close();
      toast(t('settings.labels.created', { name: v.name }));
      reload();
    },
  });
  dlg.body.append(f);
  f.querySelector('input').focus();
}

async function deleteLabel(label, reload) {
  const ok = await confirmDialog({
    title: t('settings.labels.delete'),
    message: t('settings.labels.delete_confirm', { name: label.name }),
    confirmLabel: t('settings.labels.delete'),
  });
  if (!ok) return;
  try {
    await api.del(`/api/labels/${label.id}`);
    toast(t('settings.labels.deleted', { name: label.name }));
    reload();
  } catch (err) {
    toast(err.message, 'error');
  }
}

/** Draw Settings → Labels into `body`. */
export function renderLabelsSettings(body) {
  const listBox = h('div', { class: 'list-box' }, loading());
  let count = 0;
  const newBtn = h('button', {
    type: 'button', class: 'btn btn-primary', testid: 'label-new', onClick: () => openLabelDialog(count, load),
  }, icon('plus', 'icon icon-sm'), h('span', null, t('settings.labels.new')));

  async function load() {
    let labels;
    try {
      ({ labels } = await api.get('/api/labels'));
    } catch (err) {
      mount(listBox, loadError(err, load));
      return;
    }
    count = labels.length;
    mount(listBox, labels.length
      ? h('ul', { class: 'list', testid: 'label-list' }, labels.map((l) => h('li', {
        class: 'row row-center', testid: 'label-row', dataset: { labelId: l.id },
      },
      h('div', { class: 'row-main' }, h('div', { class: 'row-title' }, labelChip(l))),
      h('div', { class: 'row-actions' },
        h('button', { type: 'button', class: 'btn btn-small btn-quiet-danger', testid: 'label-delete',
          onClick: () => deleteLabel(l, load) }, t('common.delete'))))))
      : h('p', { class: 'list-empty', testid: 'label-list-empty' }, t('settings.labels.empty')));
  }

  append(body, [sectionHead(t('settings.labels.title'), t('settings.labels.text'), newBtn), listBox]);
  load();
}
