// Settings → Teams: teams with their members, lead and routing strategy. Admins
// create, rename, delete and choose members, the lead (who hears of the team's SLA
// warnings and breaches) and how its conversations are shared out (round robin,
// least busy, or by skills); other agents see the list read-only.
import { api } from '../api.js';
import { append, h, initial, mount } from '../dom.js';
import { field, form, selectField, textArea } from '../forms.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { isAdmin, session } from '../session.js';
import { badge, confirmDialog, loadError, loading, openDialog, toast } from '../ui.js';
import { STRATEGIES, strategyName } from './routing-common.js';
import { sectionHead } from './settings.js';

function memberPicker(agents, selected) {
  const choices = agents.filter((a) => a.active || selected.has(a.id));
  return h('fieldset', { class: 'field checks' },
    h('legend', { class: 'label' }, t('settings.teams.members')),
    choices.length
      ? choices.map((a) => h('label', { class: 'check', testid: 'member-option' },
        h('input', { type: 'checkbox', name: 'members', value: String(a.id), checked: selected.has(a.id),
          testid: `member-${a.id}` }),
        h('span', { class: 'avatar avatar-xs', 'aria-hidden': 'true' }, initial(a.name)),
        h('span', { class: 'check-text' }, a.name, h('span', { class: 'check-sub' }, a.email))))
      : h('p', { class: 'hint' }, t('settings.teams.no_agents')));
}

function sameMembers(a, b) {
  return a.length === b.length && a.every((id) => b.includes(id));
}

/** The lead: any active agent (or the current lead), or nobody. */
function leadPicker(agents, lead) {
  const choices = agents.filter((a) => a.active || a.id === lead).sort((a, b) => a.name.localeCompare(b.name));
  return selectField({ label: t('settings.teams.lead'), name: 'lead_agent_id', testid: 'team-lead-select',
    value: lead ? String(lead) : '', hint: t('settings.teams.lead_hint'),
    options: [['', t('settings.teams.no_lead')], ...choices.map((a) => [String(a.id), a.name])] });
}

/** Create (team null) or edit a team in a dialog; `reload` after saving. */
function openTeamDialog(team, agents, reload) {
  const dlg = openDialog({
    title: team ? t('settings.teams.edit_title') : t('settings.teams.new'),
    testid: 'team-dialog',
  });
  const before = team ? team.member_ids : [];
  const f = form({
    testid: 'team-form',
    submitLabel: team ? t('common.save') : t('settings.teams.create'),
    children: [
      field({ label: t('settings.teams.name'), name: 'name', required: true, value: team ? team.name : '',
        testid: 'team-name-input' }),
      textArea({ label: t('settings.teams.description'), name: 'description',
        value: team ? team.description : '', testid: 'team-description-input', rows: 2 }),
      leadPicker(agents, team ? team.lead_agent_id : null),
      selectField({ label: t('settings.teams.strategy'), name: 'strategy', testid: 'team-strategy-select',
        value: (team && team.strategy) || 'round_robin', hint: t('settings.teams.strategy_hint'),
        options: STRATEGIES.map((x) => [x, strategyName(x)]) }),
      memberPicker(agents, new Set(before)),
    ],
    onSubmit: async (v) => {
      const members = (v.members || []).map(Number);
      const lead = v.lead_agent_id ? Number(v.lead_agent_id) : null;
      let id = team && team.id;
      const change = {};
      if (!team) {
        const r = await api.post('/api/teams', { name: v.name, description: v.description });
        id = r.team.id;
      } else if (v.name !== team.name || v.description !== (team.description || '')) {
        Object.assign(change, { name: v.name, description: v.description });
      }
      if (lead !== ((team && team.lead_agent_id) ?? null)) change.lead_agent_id = lead;
      if (v.strategy !== ((team && team.strategy) || 'round_robin')) change.strategy = v.strategy;
      if (Object.keys(change).length) await api.patch(`/api/teams/${id}`, change);
      if (!sameMembers(members, before)) await api.put(`/api/teams/${id}/members`, { agent_ids: members });
      dlg.close();
      toast(team ? t('common.saved') : t('settings.teams.created', { name: v.name }));
      reload();
    },
  });
  dlg.body.append(f);
  f.querySelector('input').focus();
}

async function deleteTeam(team, reload) {
  const ok = await confirmDialog({
    title: t('settings.teams.delete'),
    message: t('settings.teams.delete_confirm', { name: team.name }),
    confirmLabel: t('settings.teams.delete'),
  });
  if (!ok) return;
  try {
    await api.del(`/api/teams/${team.id}`);
    toast(t('settings.teams.deleted', { name: team.name }));
    reload();
  } catch (err) {
    toast(err.message, 'error');
  }
}

function teamRow(team, agentsById, agents, reload) {
  const members = team.member_ids.map((id) => agentsById.get(id)).filter(Boolean);
  const mine = session.agent && team.member_ids.includes(session.agent.id);
  return h('li', { class: 'row', testid: 'team-row', dataset: { teamId: team.id } },
    h('span', { class: 'avatar avatar-sm avatar-team', 'aria-hidden': 'true' }, icon('users', 'icon icon-sm')),
    h('div', { class: 'row-main' },
      h('div', { class: 'row-title' }, h('span', { testid: 'team-name' }, team.name),
        mine ? badge(t('settings.teams.mine'), 'accent') : null),
      team.description ? h('div', { class: 'row-sub', testid: 'team-description' }, team.description) : null,
      h('div', { class: 'row-meta' }, members.length
        ? members.map((a) => h('span', { class: 'chip' }, a.name))
        : h('span', null, t('settings.teams.no_members'))),
      team.lead_agent_id ? h('div', { class: 'row-sub', testid: 'team-lead' }, t('settings.teams.lead_named', {
        name: agentsById.has(team.lead_agent_id) ? agentsById.get(team.lead_agent_id).name : `#${team.lead_agent_id}` }))
        : null,
      h('div', { class: 'row-sub', testid: 'team-strategy', dataset: { strategy: team.strategy || 'round_robin' } },
        t('settings.teams.strategy_named', { strategy: strategyName(team.strategy) }))),
    isAdmin()
      ? h('div', { class: 'row-actions' },
        h('button', { type: 'button', class: 'btn btn-small', testid: 'team-edit',
          onClick: () => openTeamDialog(team, agents, reload) }, t('common.edit')),
        h('button', { type: 'button', class: 'btn btn-small btn-quiet-danger', testid: 'team-delete',
          onClick: () => deleteTeam(team, reload) }, t('common.delete')))
      : null);
}

/** Draw the Teams section into `body`. */
export function renderTeams(body) {
  const listBox = h('div', { class: 'list-box' }, loading());
  let agents = [];
  const newBtn = isAdmin()
    ? h('button', { type: 'button', class: 'btn btn-primary', testid: 'team-new',
      onClick: () => openTeamDialog(null, agents, load) }, icon('plus', 'icon icon-sm'),
    h('span', null, t('settings.teams.new')))
    : null;

  async function load() {
    let teams;
    try {
      [{ teams }, { agents }] = await Promise.all([api.get('/api/teams'), api.get('/api/agents')]);
    } catch (err) {
      mount(listBox, loadError(err, load));
      return;
    }
    const agentsById = new Map(agents.map((a) => [a.id, a]));
    teams.sort((a, b) => a.name.localeCompare(b.name));
    mount(listBox, teams.length
      ? h('ul', { class: 'list', testid: 'team-list' }, teams.map((tm) => teamRow(tm, agentsById, agents, load)))
      : h('p', { class: 'list-empty', testid: 'team-list-empty' },
        t(isAdmin() ? 'settings.teams.empty' : 'settings.teams.empty_readonly')));
  }

  append(body, [
    sectionHead(t('settings.teams.title'), t('settings.teams.text'), newBtn),
    isAdmin() ? null : h('p', { class: 'notice', testid: 'teams-readonly' }, t('settings.teams.readonly')),
    listBox]);
  load();
}
