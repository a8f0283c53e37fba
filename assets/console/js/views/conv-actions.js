// A conversation's header, pickers for its actions (assign, team, snooze,
// intent), "Email transcript" and the phone's "more" menu. Pickers are
// dialogs: centred on wide screens, a bottom sheet under the thumb on phones.
import { h, initial, mount } from '../dom.js';
import { field, form } from '../forms.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { session } from '../session.js';
import { fmtShort, fmtWaiting, snoozePresets } from '../time.js';
import { emptyState, openDialog } from '../ui.js';
import { intentChip, negativeFlag } from './conv-intent.js';
import { mailMark, STATUS_BADGE } from './inbox-list.js';

/**
 * A list of choices in a dialog. Each choice: { key, label, sub?, lead?,
 * current?, danger? }. `onPick(key)` runs after the dialog closes.
 */
export function choiceDialog({ title, testid, choices, onPick }) {
  const dlg = openDialog({ title, testid });
  const list = h('div', { class: 'choices', role: 'menu' }, choices.map((c) => h('button', {
    type: 'button', role: 'menuitem', class: ['choice', c.current && 'choice-current', c.danger && 'choice-danger'],
    testid: `choice-${c.key}`, 'aria-current': c.current ? 'true' : null,
    onClick: () => {
      dlg.close();
      onPick(c.key);
    },
  },
  c.lead || null,
  h('span', { class: 'choice-text' }, h('span', { class: 'choice-label' }, c.label),
    c.sub ? h('span', { class: 'choice-sub' }, c.sub) : null),
  c.current ? icon('check', 'icon icon-sm choice-check') : null)));
  dlg.body.append(list);
  const first = list.querySelector('.choice-current') || list.firstChild;
  if (first) first.focus();
  return dlg;
}

/** Choose an agent (or nobody: back to the queue). `onPick(agentId|null)`. */
export function pickAgent({ agents, current, onPick }) {
  const me = session.agent.id;
  const active = agents.filter((a) => a.active || a.id === current)
    .sort((a, b) => (a.id === me ? -1 : b.id === me ? 1 : a.name.localeCompare(b.name)));
  choiceDialog({
    title: t('inbox.assign_title'),
    testid: 'assign-dialog',
    choices: [
      ...active.map((a) => ({
        key: `agent-${a.id}`,
        label: a.id === me ? t('inbox.assign_me', { name: a.name }) : a.name,
        sub: t(`availability.${a.availability}`),
        lead: h('span', { class: 'avatar avatar-xs avatar-dot', 'aria-hidden': 'true' }, initial(a.name),
          h('span', { class: ['dot', `dot-${a.availability}`] })),
        current: a.id === current,
      })),
      { key: 'agent-none', label: t('inbox.unassign'), sub: t('inbox.unassign_sub'),
        lead: h('span', { class: 'avatar avatar-xs avatar-muted', 'aria-hidden': 'true' }, icon('inbox', 'icon icon-xs')),
        current: current === null || current === undefined },
    ],
    onPick: (key) => onPick(key === 'agent-none' ? null : Number(key.slice(6))),
  });
}

/** Choose a team (or none). `onPick(teamId|null)`. */
export function pickTeam({ teams, current, onPick }) {
  choiceDialog({
    title: t('inbox.team_title'),
    testid: 'team-pick-dialog',
    choices: [
      ...teams.map((tm) => ({
        key: `team-${tm.id}`, label: tm.name, sub: tm.description || null, current: tm.id === current,
        lead: h('span', { class: 'avatar avatar-xs avatar-team', 'aria-hidden': 'true' }, icon('users', 'icon icon-xs')),
      })),
      { key: 'team-none', label: t('inbox.no_team'), current: current === null || current === undefined },
    ],
    onPick: (key) => onPick(key === 'team-none' ? null : Number(key.slice(5))),
  });
}

/** Choose how long to snooze. `onPick(untilMs)`. */
export function pickSnooze({ onPick }) {
  const presets = snoozePresets();
  choiceDialog({
    title: t('inbox.snooze_title'),
    testid: 'snooze-dialog',
    choices: presets.map(([key, until]) => ({
      key: `snooze-${key}`, label: t(`inbox.snooze.${key}`), sub: fmtShort(until),
      lead: h('span', { class: 'avatar avatar-xs avatar-muted', 'aria-hidden': 'true' }, icon('clock', 'icon icon-xs')),
    })),
    onPick: (key) => onPick(presets.find(([k]) => `snooze-${k}` === key)[1]),
  });
}

/**
 * Choose the conversation's intent among the shop's `intents`. `onPick(name)`.
 * Without intents the dialog says where an admin adds them.
 */
export function pickIntent({ intents, current, onPick }) {
  if (!intents.length) {
    const dlg = openDialog({ title: t('inbox.intent.dialog_title'), testid: 'intent-dialog' });
    dlg.body.append(emptyState({ iconName: 'tag', title: t('inbox.intent.empty_title'),
      text: t('inbox.intent.empty_text'), testid: 'intent-dialog-empty' }));
    return dlg;
  }
  return choiceDialog({
    title: t('inbox.intent.dialog_title'),
    testid: 'intent-dialog',
    choices: intents.map((i) => ({
      key: `intent-${i.name}`, label: i.label, sub: i.examples && i.examples[0] ? i.examples[0] : i.name,
      lead: h('span', { class: 'avatar avatar-xs avatar-muted', 'aria-hidden': 'true' }, icon('tag', 'icon icon-xs')),
      current: i.name === current,
    })),
    onPick: (key) => onPick(key.slice(7)),
  });
}

/**
 * "Email transcript": a copy of the chat to the customer's address (filled
 * in, editable) or another. `send(to)` posts it ('' for the customer's own
 * address) and throws what the server refused; that shows in the dialog.
 */
export function transcriptDialog({ email, send }) {
  const dlg = openDialog({ title: t('inbox.transcript.title'), testid: 'transcript-dialog' });
  const to = field({ label: t('inbox.transcript.to'), name: 'to', type: 'email', value: email || '',
    testid: 'transcript-to', autocomplete: 'off', hint: t('inbox.transcript.hint'),
    attrs: { inputmode: 'email', autocapitalize: 'off', spellcheck: 'false' } });
  const f = form({
    testid: 'transcript-form',
    submitLabel: t('inbox.transcript.send'),
    extraActions: h('button', { type: 'button', class: 'btn', testid: 'transcript-cancel', onClick: () => dlg.close() },
      t('common.cancel')),
    children: [to],
    onSubmit: async (v) => {
      try {
        await send(v.to);
      } catch (err) {
        if (['contact_has_no_email', 'invalid_email', 'email_invalid'].includes(err.code)) {
          to.input.setAttribute('aria-invalid', 'true');
          to.input.focus();
        }
        throw err;
      }
      dlg.close();
    },
  });
  dlg.body.append(f);
  to.input.focus();
  return dlg;
}

/**
 * The phone's "more" menu (and a menu for narrow panes): every action on
 * the conversation. `run` maps choice keys to functions.
 */
export function moreMenu({ summary: c, me, teamName, run }) {
  const resolved = c.status === 'resolved';
  const lead = (name) => h('span', { class: 'avatar avatar-xs avatar-muted', 'aria-hidden': 'true' },
    icon(name, 'icon icon-xs'));
  const choices = [
    resolved ? { key: 'reopen', label: t('inbox.reopen'), lead: lead('reopen') }
      : { key: 'resolve', label: t('inbox.resolve'), lead: lead('check') },
    c.assignee_id === me ? null : { key: 'take', label: t('inbox.take'), lead: lead('user') },
    { key: 'assign', label: t('inbox.assign_more'), sub: c.assignee_name || t('inbox.unassigned_short'),
      lead: lead('assign') },
    { key: 'team', label: t('inbox.team_more'), sub: teamName || t('inbox.no_team'), lead: lead('users') },
    { key: 'labels', label: t('inbox.labels.title'), sub: c.labels.map((l) => l.name).join(', ') || null,
      lead: lead('tag') },
    { key: 'intent', label: t('inbox.intent.change'), sub: c.intent ? c.intent.label : t('inbox.intent.none'),
      lead: lead('bolt') },
    resolved ? null : { key: 'snooze', label: t('inbox.snooze_more'), lead: lead('clock') },
    resolved || c.status === 'pending' ? null
      : { key: 'pending', label: t('inbox.mark_pending'), sub: t('inbox.mark_pending_sub'), lead: lead('reopen') },
    { key: 'contact', label: t('inbox.contact.title'), lead: lead('info') },
    { key: 'ticket', label: t('tickets.create_from_chat'), sub: t('tickets.create_from_chat_sub'), lead: lead('ticket') },
    { key: 'transcript', label: t('inbox.transcript.action'), sub: t('inbox.transcript.action_sub'), lead: lead('mail') },
  ].filter(Boolean);
  choiceDialog({ title: t('inbox.actions'), testid: 'conv-menu', choices, onPick: (key) => run[key]() });
}

function actionButton(key, iconName, label, onClick, primary = false) {
  return h('button', {
    type: 'button', class: ['btn', 'btn-small', primary ? 'btn-primary' : null, 'conv-action'],
    // The label is hidden on narrower screens: the title names the icon.
    testid: `conv-${key}`, title: label, onClick,
  }, icon(iconName, 'icon icon-sm'), h('span', { class: 'conv-action-text' }, label));
}

/**
 * Draw the header into `head`: back (phones), the customer (with an envelope
 * when `email`: the conversation is the email inbox's), status, whether the
 * customer is upset, the intent (`offerIntent`: a chip to set one when there
 * is none), who has it, and the actions. `on` holds the handlers by name.
 */
export function drawConvHead(head, { summary: c, name, teamName, email, offerIntent, on }) {
  const resolved = c.status === 'resolved';
  const sub = [
    h('span', { class: ['badge', `badge-${STATUS_BADGE[c.status] || 'muted'}`], testid: 'conv-head-status' },
      t(`status.${c.status}`)),
    c.waiting_since && !resolved
      ? h('span', { class: 'waiting', dataset: { since: c.waiting_since } }, fmtWaiting(c.waiting_since)) : null,
    h('span', { class: 'conv-head-assignee', testid: 'conv-head-assignee' },
      c.assignee_name || t('inbox.unassigned_short')),
    teamName ? h('span', { class: 'conv-head-team' }, teamName) : null,
  ];
  // What routing found: on the same line when there is room, under it otherwise.
  const found = [
    c.negative ? negativeFlag('conv-negative') : null,
    intentChip(c.intent || null, { offer: offerIntent, onClick: on.intent }),
  ].filter(Boolean);
  mount(head,
    h('button', { type: 'button', class: 'btn-icon conv-back', testid: 'conv-back', 'aria-label': t('inbox.back'),
      onClick: on.back }, icon('back')),
    h('span', { class: 'avatar avatar-sm avatar-muted conv-head-avatar', 'aria-hidden': 'true' }, initial(name)),
    h('div', { class: 'conv-head-text' },
      h('h2', { class: 'conv-head-name', testid: 'conv-head-name' }, email ? mailMark() : null, name),
      h('div', { class: 'conv-head-sub' }, sub),
      found.length ? h('div', { class: 'conv-head-routing' }, found) : null),
    h('button', { type: 'button', class: 'btn-icon conv-contact', testid: 'conv-contact',
      'aria-label': t('inbox.contact.title'), onClick: on.contact }, icon('user')),
    h('div', { class: 'conv-actions' },
      actionButton('assign', 'assign', t('inbox.assign'), on.assign),
      actionButton('team', 'users', t('inbox.team'), on.team),
      resolved ? null : actionButton('snooze', 'clock', t('inbox.snooze_action'), on.snooze),
      actionButton('info', 'info', t('inbox.contact.title'), on.contact),
      actionButton('ticket', 'ticket', t('tickets.create_from_chat'), on.ticket),
      actionButton('transcript', 'mail', t('inbox.transcript.action'), on.transcript),
      resolved
        ? actionButton('reopen', 'reopen', t('inbox.reopen'), on.reopen, true)
        : actionButton('resolve', 'check', t('inbox.resolve'), on.resolve, true)),
    h('button', { type: 'button', class: 'btn-icon conv-more', testid: 'conv-more', 'aria-label': t('inbox.more'),
      onClick: on.more }, icon('more')));
}
