// Settings → Ticket types (admins): the shop's own kinds of ticket, such as
// 退款 (refund) or 物流 (delivery). Add, rename, delete.
import { api } from '../api.js';
import { append, h, mount } from '../dom.js';
import { field, form } from '../forms.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { confirmDialog, loadError, loading, openDialog, toast } from '../ui.js';
import { dir } from './tickets-common.js';
import { sectionHead } from './settings.js';

/** Add (type null) or rename a type. */
function typeDialog(type, reload) {
  const dlg = openDialog({ title: type ? t('tickets.types.rename') : t('tickets.types.new'), testid: 'ticket-type-dialog' });
  const name = field({ label: t('tickets.types.name'), name: 'name', required: true, value: type ? type.name : '',
    testid: 'ticket-type-name-input', hint: t('tickets.types.name_hint'), attrs: { maxlength: 60 } });
  const f = form({
    testid: 'ticket-type-form',
    submitLabel: type ? t('common.save') : t('tickets.types.create'),
    children: [name],
    onSubmit: async (v) => {
      if (type) await api.patch(`/api/ticket-types/${type.id}`, { name: v.name });
      else await api.post('/api/ticket-types', { name: v.name });
      dlg.close();
      toast(t(type ? 'tickets.types.renamed' : 'tickets.types.created', { name: v.name }));
      dir.load();
      reload();
    },
  });
  dlg.body.append(f);
  name.input.focus();
  name.input.select();
}

async function deleteType(type, reload) {
  const ok = await confirmDialog({
    title: t('tickets.types.delete'),
    message: t('tickets.types.delete_confirm', { name: type.name }),
    confirmLabel: t('tickets.types.delete'),
  });
  if (!ok) return;
  try {
    await api.del(`/api/ticket-types/${type.id}`);
    toast(t('tickets.types.deleted', { name: type.name }));
    dir.load();
    reload();
  } catch (err) {
    toast(err.message, 'error');
  }
}

/** Draw Settings → Ticket types into `body`. */
export function renderTicketTypes(body) {
  const listBox = h('div', { class: 'list-box' }, loading());
  const newBtn = h('button', { type: 'button', class: 'btn btn-primary', testid: 'ticket-type-new',
    onClick: () => typeDialog(null, load) }, icon('plus', 'icon icon-sm'), h('span', null, t('tickets.types.new')));

  async function load() {
    let types;
    try {
      ({ types } = await api.get('/api/ticket-types'));
    } catch (err) {
      mount(listBox, loadError(err, load));
      return;
    }
    types.sort((a, b) => (a.position - b.position) || a.name.localeCompare(b.name));
    mount(listBox, types.length
      ? h('ul', { class: 'list', testid: 'ticket-type-list' }, types.map((ty) => h('li', {
        class: 'row row-center', testid: 'ticket-type-row', dataset: { typeId: ty.id },
      },
      h('div', { class: 'row-main' }, h('div', { class: 'row-title', testid: 'ticket-type-name' }, ty.name)),
      h('div', { class: 'row-actions' },
        h('button', { type: 'button', class: 'btn btn-small', testid: 'ticket-type-rename',
          onClick: () => typeDialog(ty, load) }, t('tickets.types.rename')),
        h('button', { type: 'button', class: 'btn btn-small btn-quiet-danger', testid: 'ticket-type-delete',
          onClick: () => deleteType(ty, load) }, t('common.delete'))))))
      : h('p', { class: 'list-empty', testid: 'ticket-type-list-empty' }, t('tickets.types.empty')));
  }

  append(body, [sectionHead(t('tickets.types.title'), t('tickets.types.text'), newBtn), listBox]);
  load();
}
