// The bar over the tickets list while some are ticked: "3 selected", set
// their status, assign them, move them to a team, or clear the selection.
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { toast } from '../ui.js';
import { STATUSES, confirmClose, dir } from './tickets-common.js';

/**
 * `selected()` gives the ticked ids; `onDone(ids)` runs after a change,
 * `onClear()` when the agent clears the selection. Returns { el, sync(n) }.
 */
export function createBulkBar({ selected, onDone, onClear }) {
  const count = h('span', { class: 'tk-bulk-count', testid: 'tickets-bulk-count', role: 'status' });
  const selects = h('div', { class: 'tk-bulk-actions' });
  const el = h('div', { class: 'tk-bulk', testid: 'tickets-bulk', hidden: true },
    h('div', { class: 'tk-bulk-top' }, count,
      h('button', { type: 'button', class: 'btn-icon', testid: 'tickets-bulk-clear', 'aria-label': t('tickets.bulk.clear'),
        title: t('tickets.bulk.clear'), onClick: onClear }, icon('close', 'icon icon-sm'))),
    selects);
  let busy = false;

  async function apply(body) {
    const ids = selected();
    if (!ids.length || busy) return;
    if (body.status === 'closed' && !(await confirmClose(ids.length))) return;
    busy = true;
    el.setAttribute('aria-busy', 'true');
    try {
      const r = await api.post('/api/tickets/bulk', { ids, ...body });
      toast(t('tickets.bulk.done', { n: r && typeof r.updated === 'number' ? r.updated : ids.length }));
      onDone(ids);
    } catch (err) {
      toast(err.message, 'error');
    } finally {
      busy = false;
      el.removeAttribute('aria-busy');
    }
  }

  /** A select whose first option is the action's name; picking a value applies it at once. */
  function action(key, opts, toBody) {
    const s = h('select', {
      class: 'input input-compact', testid: `tickets-bulk-${key}`, 'aria-label': t(`tickets.bulk.${key}`),
      onChange: (ev) => {
        const v = ev.target.value;
        ev.target.value = '';
        if (v !== '') apply(toBody(v));
      },
    }, h('option', { value: '' }, t(`tickets.bulk.${key}`)), opts.map(([v, l]) => h('option', { value: v }, l)));
    return s;
  }

  function drawActions() {
    const idOf = (v) => (v === 'none' ? null : Number(v));
    mount(selects,
      action('status', STATUSES.map((s) => [s, t(`tickets.status.${s}`)]), (v) => ({ status: v })),
      action('assignee', [...dir.agentList().map((a) => [String(a.id), a.name]), ['none', t('tickets.unassigned')]],
        (v) => ({ assignee_id: idOf(v) })),
      dir.teams.size ? action('team', [...dir.teamList().map((tm) => [String(tm.id), tm.name]),
        ['none', t('tickets.no_team')]], (v) => ({ team_id: idOf(v) })) : null);
  }

  return {
    el,
    sync(n) {
      const was = el.hidden;
      el.hidden = n === 0;
      count.textContent = t('tickets.bulk.selected', { n });
      if (was && n > 0) drawActions();
    },
  };
}
