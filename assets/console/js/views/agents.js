// Settings → Agents: everyone on the team with role, availability, status and
// skills (the intents they are good at, for teams that route by skills);
// admins can invite, edit role, limit and skills, deactivate/activate and
// create password reset links.
import { api } from '../api.js';
import { h, initial, mount } from '../dom.js';
import { field, form, selectField } from '../forms.js';
import { fmtDateTime, t } from '../i18n.js';
import { isAdmin, session } from '../session.js';
import { availabilityTag, badge, confirmDialog, loadError, loading, openDialog, secretOnce, toast } from '../ui.js';
import { emailedNote, inviteButton, pendingInvites } from './invites.js';
import { checkChips } from './routing-common.js';
import { sectionHead } from './settings.js';

/** May the current agent open the manage dialog for `agent`? */
function canManage(agent) {
  const me = session.agent;
  if (!isAdmin()) return false;
  if (me.role === 'owner' || agent.id === me.id) return true;
  return agent.role === 'agent';
}

/** The intent's label for a skill (its name when the intent is gone). */
const skillLabel = (intents, name) => (intents.find((it) => it.name === name) || { label: name }).label;

function agentRow(agent, teamsById, intents, onManage) {
  const me = session.agent;
  const teamNames = (agent.team_ids || []).map((id) => teamsById.get(id)).filter(Boolean);
  const skills = agent.skills || [];
  return h('li', { class: ['row', !agent.active && 'row-inactive'], testid: 'agent-row', dataset: { agentId: agent.id } },
    h('span', { class: 'avatar avatar-sm', 'aria-hidden': 'true' }, initial(agent.name)),
    h('div', { class: 'row-main' },
      h('div', { class: 'row-title' }, h('span', { testid: 'agent-name' }, agent.name),
        agent.id === me.id ? h('span', { class: 'you' }, t('settings.agents.you')) : null),
      h('div', { class: 'row-sub' }, agent.email),
      h('div', { class: 'row-meta' },
        badge(t(`role.${agent.role}`), agent.role === 'agent' ? 'neutral' : 'accent'),
        agent.active ? availabilityTag(agent.availability) : badge(t('settings.agents.deactivated'), 'muted'),
        h('span', null, t('settings.agents.max_chats', { n: agent.max_concurrent })),
        teamNames.length ? h('span', null, teamNames.join('、')) : null),
      skills.length ? h('div', { class: 'row-meta', testid: 'agent-skills', dataset: { skills: skills.join(',') } },
        h('span', null, t('settings.agents.skills_named')),
        skills.map((n) => h('span', { class: 'chip', testid: 'agent-skill' }, skillLabel(intents, n)))) : null),
    canManage(agent)
      ? h('div', { class: 'row-actions' }, h('button', {
        type: 'button', class: 'btn btn-small', testid: `agent-manage-${agent.id}`, onClick: () => onManage(agent),
      }, t('settings.agents.manage')))
      : null);
}

function openManage(agent, intents, reload) {
  const me = session.agent;
  const self = agent.id === me.id;
  const roleEditable = !self && agent.role !== 'owner' && me.role === 'owner';
  const dlg = openDialog({ title: agent.name, testid: 'agent-dialog' });

  const children = [
    field({ label: t('field.name'), name: 'name', required: true, value: agent.name, testid: 'agent-name-input' }),
    roleEditable
      ? selectField({ label: t('field.role'), name: 'role', value: agent.role, testid: 'agent-role',
        options: [['agent', t('role.agent')], ['admin', t('role.admin')]] })
      : null,
    field({ label: t('settings.agents.max_concurrent'), name: 'max_concurrent', type: 'number', required: true,
      value: String(agent.max_concurrent), testid: 'agent-max', hint: t('settings.agents.max_concurrent_hint'),
      attrs: { min: 1, max: 100, step: 1, inputmode: 'numeric' } }),
    checkChips({ legend: t('settings.agents.skills'), name: 'skills', testid: 'agent-skills-pick',
      hint: t('settings.agents.skills_hint'), empty: t('settings.agents.no_intents'),
      choices: [...intents.map((it) => [it.name, it.label]),
        ...(agent.skills || []).filter((n) => !intents.some((it) => it.name === n)).map((n) => [n, n])],
      selected: agent.skills || [] }),
  ];
  const edit = form({
    testid: 'agent-edit',
    submitLabel: t('common.save'),
    children,
    onSubmit: async (v) => {
      const body = {};
      if (v.name !== agent.name) body.name = v.name;
      if (v.role && v.role !== agent.role) body.role = v.role;
      const max = Number(v.max_concurrent);
      if (max !== agent.max_concurrent) body.max_concurrent = max;
      const skills = v.skills || [];
      const before = agent.skills || [];
      if (skills.length !== before.length || skills.some((n) => !before.includes(n))) body.skills = skills;
      if (Object.keys(body).length) await api.patch(`/api/agents/${agent.id}`, body);
      dlg.close();
      toast(t('common.saved'));
      reload();
    },
  });
  dlg.body.append(edit);

  if (!self) {
    const resetBox = h('div', { class: 'dialog-section' },
      h('h3', { class: 'subhead' }, t('settings.agents.reset_title')),
      h('p', { class: 'hint' }, t('settings.agents.reset_text')),
      h('button', {
        type: 'button', class: 'btn', testid: 'agent-reset',
        onClick: async (ev) => {
          const btn = ev.currentTarget;
          btn.disabled = true;
          try {
            const r = await api.post(`/api/agents/${agent.id}/password-reset`);
            mount(resetBox, h('h3', { class: 'subhead' }, t('settings.agents.reset_title')),
              emailedNote(r.emailed, agent.email, 'reset'),
              secretOnce({ label: t('settings.agents.reset_link'), value: r.link,
                note: t('settings.agents.reset_note', { date: fmtDateTime(r.expires_at) }) }));
          } catch (err) {
            btn.disabled = false;
            toast(err.message, 'error');
          }
        },
      }, t('settings.agents.reset_create')));
    dlg.body.append(resetBox);
  }

  if (!self && agent.role !== 'owner') {
    const action = agent.active ? 'deactivate' : 'activate';
    dlg.body.append(h('div', { class: 'dialog-section' },
      h('h3', { class: 'subhead' }, t('settings.agents.access')),
      h('p', { class: 'hint' }, t(`settings.agents.${action}_text`)),
      h('button', {
        type: 'button', class: ['btn', agent.active ? 'btn-quiet-danger' : ''], testid: `agent-${action}`,
        onClick: async () => {
          if (agent.active) {
            const ok = await confirmDialog({
              title: t('settings.agents.deactivate'),
              message: t('settings.agents.deactivate_confirm', { name: agent.name }),
              confirmLabel: t('settings.agents.deactivate'),
            });
            if (!ok) return;
          }
          try {
            await api.post(`/api/agents/${agent.id}/${action}`);
            dlg.close();
            toast(t(`settings.agents.toast_${action}d`, { name: agent.name }));
            reload();
          } catch (err) {
            toast(err.message, 'error');
          }
        },
      }, t(`settings.agents.${action}`))));
  }
}

/** Draw the Agents section into `body`. */
export function renderAgents(body) {
  const listBox = h('div', { class: 'list-box' }, loading());
  const invitesBox = h('div', { class: 'list-box' });
  let reloadInvites = () => {};

  async function load() {
    let agents;
    let teams;
    let intents = [];
    try {
      [{ agents }, { teams }] = await Promise.all([api.get('/api/agents'), api.get('/api/teams'),
        api.get('/api/routing/intents').then((r) => { intents = r.intents; }, () => {})]);
    } catch (err) {
      mount(listBox, loadError(err, load));
      return;
    }
    const teamsById = new Map(teams.map((tm) => [tm.id, tm.name]));
    agents.sort((a, b) => Number(b.active) - Number(a.active) || a.name.localeCompare(b.name));
    mount(listBox, h('ul', { class: 'list', testid: 'agent-list' },
      agents.map((a) => agentRow(a, teamsById, intents, (agent) => openManage(agent, intents, load)))));
  }

  body.append(
    sectionHead(t('settings.agents.title'), t('settings.agents.text'),
      isAdmin() ? inviteButton(() => reloadInvites()) : null),
    listBox, invitesBox);
  load();
  if (isAdmin()) reloadInvites = pendingInvites(invitesBox);
}
