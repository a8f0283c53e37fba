// Settings → SLA: the policies, tried in order (the first whose conditions on
// priority, team and type all hold applies), each with a first-response and/or
// a resolution target, counted in business hours or around the clock, and when
// to warn; then the shop's business hours. Admins edit, reorder and delete;
// other agents read.
import { api } from '../api.js';
import { append, h, mount } from '../dom.js';
import { field, form, selectField } from '../forms.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { isAdmin } from '../session.js';
import { fmtHoursMinutes } from '../time.js';
import { confirmDialog, loadError, loading, openDialog, toast } from '../ui.js';
import { renderHours } from './sla-hours.js';
import { sectionHead } from './settings.js';
import { PRIORITIES, dir, idOrNull, options } from './tickets-common.js';

const METRICS = ['first_response', 'resolution'];
const NEW_POLICY = {
  name: '', priority: null, team_id: null, type_id: null, first_response_mins: null, resolution_mins: null,
  business_hours: true, warn_percent: 80,
};

const fmtMins = (mins) => fmtHoursMinutes(mins * 60_000);

/** "Urgent priority · Team 售后 · any type"; "All tickets" without conditions. */
function conditionsText(p) {
  if (!p.priority && !p.team_id && !p.type_id) return t('sla.cond.all');
  return [
    p.priority ? t('sla.cond.priority', { priority: t(`tickets.priority.${p.priority}`) }) : t('sla.cond.any_priority'),
    p.team_id ? t('sla.cond.team', { team: dir.teamName(p.team_id) }) : t('sla.cond.any_team'),
    p.type_id ? t('sla.cond.type', { type: dir.typeName(p.type_id) }) : t('sla.cond.any_type'),
  ].join(' · ');
}

/** A target as a number and a unit (minutes or hours); empty for none. */
function targetField(metric, mins) {
  const id = `sla-${metric}-${Math.random().toString(36).slice(2, 8)}`;
  const inHours = mins ? mins % 60 === 0 : metric === 'resolution';
  const label = t(`sla.metric.${metric}`);
  const value = h('input', {
    id, type: 'number', class: 'input', name: `${metric}_value`, min: 0, step: 'any', inputmode: 'decimal',
    value: mins ? String(inHours ? mins / 60 : mins) : '', testid: `sla-${metric}-value`, 'data-label': label,
  });
  const unit = h('select', { class: 'input sla-unit', name: `${metric}_unit`, testid: `sla-${metric}-unit`,
    'aria-label': t('sla.unit', { target: label }) },
  h('option', { value: 'min', selected: !inHours }, t('sla.unit_minutes')),
  h('option', { value: 'h', selected: inHours }, t('sla.unit_hours')));
  return h('div', { class: 'field' }, h('label', { class: 'label', for: id }, label),
    h('div', { class: 'sla-target' }, value, unit));
}

/** Minutes from the form's number and unit; null when left empty. */
function toMinutes(value, unit) {
  if (value === '' || value === undefined) return null;
  return Math.round(Number(value) * (unit === 'h' ? 60 : 1));
}

/** Mark the inputs a refusal names (`field`), or both targets when neither was set. */
function markRefused(f, err) {
  const field = err.details && err.details.field;
  const names = err.code === 'sla_target_required' ? METRICS.map((m) => `${m}_value`)
    : [field && String(field).replace(/_mins$/, '_value')];
  for (const name of names) {
    const input = name && f.querySelector(`[name="${CSS.escape(name)}"]`);
    if (input) input.setAttribute('aria-invalid', 'true');
  }
}

/** Add (policy null) or change a policy; `done(policy)` after saving. */
function policyDialog(policy, done) {
  const p = policy || NEW_POLICY;
  const dlg = openDialog({ title: policy ? t('sla.edit') : t('sla.new'), testid: 'sla-policy-dialog' });
  const f = form({
    testid: 'sla-policy-form',
    submitLabel: policy ? t('common.save') : t('sla.create'),
    children: [
      field({ label: t('sla.name'), name: 'name', required: true, value: p.name, testid: 'sla-name',
        hint: t('sla.name_hint'), attrs: { maxlength: 100 } }),
      h('fieldset', { class: 'field sla-fieldset' },
        h('legend', { class: 'label' }, t('sla.applies_to')),
        h('p', { class: 'hint' }, t('sla.applies_hint')),
        h('div', { class: 'sla-grid' },
          selectField({ label: t('tickets.field.priority'), name: 'priority', value: p.priority || '',
            testid: 'sla-priority', options: [['', t('sla.cond.any_priority')],
              ...PRIORITIES.map((x) => [x, t(`tickets.priority.${x}`)])] }),
          selectField({ label: t('tickets.field.team'), name: 'team_id', value: p.team_id ? String(p.team_id) : '',
            testid: 'sla-team', options: options('team', { none: t('sla.cond.any_team') }) }),
          selectField({ label: t('tickets.field.type'), name: 'type_id', value: p.type_id ? String(p.type_id) : '',
            testid: 'sla-type', options: options('type', { none: t('sla.cond.any_type') }) }))),
      h('fieldset', { class: 'field sla-fieldset' },
        h('legend', { class: 'label' }, t('sla.targets')),
        h('p', { class: 'hint' }, t('sla.targets_hint')),
        h('div', { class: 'sla-grid' }, METRICS.map((m) => targetField(m, p[`${m}_mins`])))),
      h('label', { class: 'switch' },
        h('input', { type: 'checkbox', class: 'switch-input', role: 'switch', name: 'business_hours', value: 'on',
          checked: p.business_hours, testid: 'sla-business-hours' }),
        h('span', { class: 'switch-track', 'aria-hidden': 'true' }),
        h('span', { class: 'switch-text' }, h('span', { class: 'switch-label' }, t('sla.business_hours')),
          h('span', { class: 'hint' }, t('sla.business_hours_hint')))),
      field({ label: t('sla.warn_percent'), name: 'warn_percent', type: 'number', value: String(p.warn_percent),
        testid: 'sla-warn', hint: t('sla.warn_hint'), attrs: { min: 1, max: 99, step: 1, inputmode: 'numeric' } }),
    ],
    onSubmit: async (v, el) => {
      const body = {
        name: v.name,
        priority: v.priority || null,
        team_id: idOrNull(v.team_id),
        type_id: idOrNull(v.type_id),
        first_response_mins: toMinutes(v.first_response_value, v.first_response_unit),
        resolution_mins: toMinutes(v.resolution_value, v.resolution_unit),
        business_hours: (v.business_hours || []).length > 0,
        warn_percent: v.warn_percent === '' ? NEW_POLICY.warn_percent : Number(v.warn_percent),
      };
      let r;
      try {
        r = policy ? await api.patch(`/api/sla-policies/${policy.id}`, body) : await api.post('/api/sla-policies', body);
      } catch (err) {
        markRefused(el, err);
        throw err;
      }
      dlg.close();
      toast(t(policy ? 'common.saved' : 'sla.created', { name: r.policy.name }));
      done(r.policy);
    },
  });
  dlg.body.append(f);
  f.querySelector('input').focus();
}

async function deletePolicy(p, reload) {
  const ok = await confirmDialog({ title: t('sla.delete'), message: t('sla.delete_confirm', { name: p.name }),
    confirmLabel: t('sla.delete') });
  if (!ok) return;
  try {
    await api.del(`/api/sla-policies/${p.id}`);
    toast(t('sla.deleted', { name: p.name }));
  } catch (err) {
    toast(err.message, 'error');
  }
  reload();
}

/** Draw Settings → SLA into `body`. */
export function renderSla(body) {
  const admin = isAdmin();
  const listBox = h('div', { class: 'list-box' }, loading());
  const hoursBox = h('div', { class: 'list-box' });
  const newBtn = admin ? h('button', { type: 'button', class: 'btn btn-primary', testid: 'sla-policy-new',
    onClick: () => policyDialog(null, load) }, icon('plus', 'icon icon-sm'), h('span', null, t('sla.new'))) : null;

  async function load() {
    try {
      const [r] = await Promise.all([api.get('/api/sla-policies'), dir.load()]);
      draw(r.policies);
    } catch (err) {
      mount(listBox, loadError(err, load));
    }
  }

  /** Swap a policy with its neighbour; focus stays on the button pressed. */
  async function move(policies, i, delta) {
    const ids = policies.map((p) => p.id);
    [ids[i], ids[i + delta]] = [ids[i + delta], ids[i]];
    try {
      const r = await api.put('/api/sla-policies/order', { ids });
      draw(r.policies);
      const which = delta < 0 ? 'up' : 'down';
      const btn = listBox.querySelector(`[data-policy-id="${policies[i].id}"] [data-testid="sla-policy-${which}"]`);
      if (btn && !btn.disabled) btn.focus();
    } catch (err) {
      toast(err.message, 'error');
      load();
    }
  }

  function row(p, i, policies) {
    const targets = METRICS.filter((m) => p[`${m}_mins`]).map((m) => h('span', { class: 'chip', testid: `sla-policy-${m}` },
      t('sla.target_named', { metric: t(`sla.metric.${m}`), time: fmtMins(p[`${m}_mins`]) })));
    return h('li', { class: 'row row-center', testid: 'sla-policy-row', dataset: { policyId: p.id } },
      h('span', { class: 'sla-pos', 'aria-hidden': 'true' }, String(i + 1)),
      h('div', { class: 'row-main' },
        h('div', { class: 'row-title', testid: 'sla-policy-name' }, p.name),
        h('div', { class: 'row-sub', testid: 'sla-policy-conditions' }, conditionsText(p)),
        h('div', { class: 'row-meta' }, targets,
          h('span', null, t(p.business_hours ? 'sla.in_business_hours' : 'sla.around_the_clock')),
          h('span', null, t('sla.warn_at', { n: p.warn_percent })))),
      admin ? h('div', { class: 'row-actions' },
        h('button', { type: 'button', class: 'btn btn-small sla-move', testid: 'sla-policy-up', disabled: i === 0,
          'aria-label': t('sla.move_up', { name: p.name }), title: t('sla.move_up', { name: p.name }),
          onClick: () => move(policies, i, -1) }, icon('up', 'icon icon-sm')),
        h('button', { type: 'button', class: 'btn btn-small sla-move', testid: 'sla-policy-down',
          disabled: i === policies.length - 1, 'aria-label': t('sla.move_down', { name: p.name }),
          title: t('sla.move_down', { name: p.name }), onClick: () => move(policies, i, 1) }, icon('down', 'icon icon-sm')),
        h('button', { type: 'button', class: 'btn btn-small', testid: 'sla-policy-edit',
          onClick: () => policyDialog(p, load) }, t('common.edit')),
        h('button', { type: 'button', class: 'btn btn-small btn-quiet-danger', testid: 'sla-policy-delete',
          onClick: () => deletePolicy(p, load) }, t('common.delete'))) : null);
  }

  function draw(policies) {
    mount(listBox, policies.length
      ? [h('p', { class: 'subhead' }, t('sla.order_hint')),
        h('ol', { class: 'list', testid: 'sla-policy-list' }, policies.map((p, i) => row(p, i, policies)))]
      : h('p', { class: 'list-empty', testid: 'sla-policy-empty' }, t(admin ? 'sla.empty' : 'sla.empty_readonly')));
  }

  append(body, [
    sectionHead(t('settings.sla.title'), t('sla.text'), newBtn),
    admin ? null : h('p', { class: 'notice', testid: 'sla-readonly' }, t('sla.readonly')),
    listBox, hoursBox]);
  load();
  renderHours(hoursBox, admin);
}
