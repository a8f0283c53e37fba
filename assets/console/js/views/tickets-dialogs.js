// Dialogs on a ticket: Transfer to another department (a team, maybe
// someone in it, and a note for them, which is required) and editing the
// subject.
import { h, mount } from '../dom.js';
import { field, form, selectField, textArea } from '../forms.js';
import { t } from '../i18n.js';
import { openDialog } from '../ui.js';
import { dir, idOrNull, ticketNo } from './tickets-common.js';

/**
 * Transfer `tk`. `save(body)` PATCHes { team_id, note, assignee_id? } and
 * returns a promise (its error shows in the dialog).
 */
export function transferDialog(tk, save) {
  const dlg = openDialog({ title: t('tickets.transfer.title', { number: ticketNo(tk) }), testid: 'ticket-transfer-dialog' });
  const teams = dir.teamList().filter((tm) => tm.id !== tk.team_id);
  if (!teams.length) {
    dlg.body.append(h('p', { class: 'notice', testid: 'ticket-transfer-no-teams' }, t('tickets.transfer.no_teams')));
    return;
  }
  const team = selectField({ label: t('tickets.transfer.team'), name: 'team_id', testid: 'ticket-transfer-team',
    options: teams.map((tm) => [String(tm.id), tm.name]), value: String(teams[0].id) });
  const agentBox = h('div');
  const note = textArea({ label: t('tickets.transfer.note'), name: 'note', required: true, rows: 4,
    testid: 'ticket-transfer-note' });
  note.append(h('p', { class: 'hint' }, t('tickets.transfer.note_hint')));

  function drawAgents() {
    const teamId = Number(team.input.value);
    const tm = dir.teams.get(teamId);
    const members = dir.agentList().filter((a) => tm && (tm.member_ids || []).includes(a.id));
    mount(agentBox, selectField({
      label: t('tickets.transfer.assignee'), name: 'assignee_id', testid: 'ticket-transfer-assignee',
      options: [['', t('tickets.transfer.anyone')], ...members.map((a) => [String(a.id), a.name])], value: '',
      hint: members.length ? t('tickets.transfer.assignee_hint') : t('tickets.transfer.no_members'),
    }));
  }
  team.input.addEventListener('change', drawAgents);
  drawAgents();

  const f = form({
    testid: 'ticket-transfer-form',
    submitLabel: t('tickets.transfer.submit'),
    children: [team, agentBox, note],
    onSubmit: async (v) => {
      const teamId = Number(v.team_id);
      const body = { team_id: teamId, note: v.note };
      const chosen = idOrNull(v.assignee_id);
      if (chosen !== null) body.assignee_id = chosen;
      else if (tk.assignee_id !== null) {
        // Nobody chosen: whoever has it keeps it only if they are in the new team.
        const tm = dir.teams.get(teamId);
        if (!tm || !(tm.member_ids || []).includes(tk.assignee_id)) body.assignee_id = null;
      }
      await save(body);
      dlg.close();
    },
  });
  dlg.body.append(f);
  team.input.focus();
}

/** Edit the subject. `save(subject)` returns a promise. */
export function subjectDialog(tk, save) {
  const dlg = openDialog({ title: t('tickets.edit_subject'), testid: 'ticket-subject-dialog' });
  const subject = field({ label: t('tickets.field.subject'), name: 'subject', required: true, value: tk.subject,
    testid: 'ticket-subject-input', attrs: { maxlength: 200 } });
  const f = form({
    testid: 'ticket-subject-form',
    submitLabel: t('common.save'),
    children: [subject],
    onSubmit: async (v) => {
      await save(v.subject);
      dlg.close();
    },
  });
  dlg.body.append(f);
  subject.input.focus();
}
