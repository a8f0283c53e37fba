// Pickers for a conversation's actions (assign, team, snooze, the phone's
// "more" menu) and the contact's details. Pickers are dialogs: centred on
// wide screens, a bottom sheet under the thumb on phones.
import { h, initial } from '../dom.js';
import { icon } from '../icons.js';
import { fmtDateTime, t } from '../i18n.js';
import { session } from '../session.js';
import { fmtShort, snoozePresets } from '../time.js';
import { openDialog } from '../ui.js';
import { contactName } from '../desk.js';

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

function fact(label, value, testid) {
  if (value === null || value === undefined || value === '') return [];
  return [h('dt', null, label), h('dd', { testid }, value)];
}

function langName(code) {
  if (!code) return '';
  try {
    const names = new Intl.DisplayNames([document.documentElement.lang || 'en'], { type: 'language' });
    return names.of(code) || code;
  } catch {
    return code;
  }
}

/** The contact's details and a few facts about the conversation. */
export function contactFacts(contact, summary, teamName) {
  const page = contact.last_page || '';
  const url = page.match(/https?:\/\/\S+$/);
  const pageEl = url
    ? h('a', { href: url[0], target: '_blank', rel: 'noopener noreferrer', class: 'link-break' }, page)
    : page;
  return h('div', { class: 'contact-facts', testid: 'contact-panel' },
    h('div', { class: 'contact-card' },
      h('span', { class: 'avatar', 'aria-hidden': 'true' }, initial(contactName(contact))),
      h('div', { class: 'contact-card-text' },
        h('p', { class: 'contact-name', testid: 'contact-name' }, contactName(contact)),
        contact.email ? h('p', { class: 'contact-sub' }, contact.email) : null)),
    h('dl', { class: 'facts facts-stacked' },
      fact(t('field.name'), contact.name, 'contact-fullname'),
      fact(t('field.email'), contact.email, 'contact-email'),
      fact(t('inbox.contact.phone'), contact.phone, 'contact-phone'),
      fact(t('inbox.contact.language'), langName(contact.locale), 'contact-locale'),
      fact(t('inbox.contact.page'), page ? pageEl : '', 'contact-page'),
      fact(t('inbox.contact.first_seen'), fmtDateTime(contact.first_seen_at), 'contact-first-seen'),
      fact(t('inbox.contact.last_seen'), fmtDateTime(contact.last_seen_at), 'contact-last-seen')),
    h('h3', { class: 'facts-title' }, t('inbox.contact.conversation')),
    h('dl', { class: 'facts facts-stacked' },
      fact(t('inbox.contact.status'), t(`status.${summary.status}`)),
      fact(t('inbox.contact.assignee'), summary.assignee_name || t('inbox.unassigned_short')),
      fact(t('inbox.contact.team'), teamName || t('inbox.no_team')),
      fact(t('inbox.contact.started'), fmtDateTime(summary.created_at)),
      fact(t('inbox.contact.first_reply'), summary.first_reply_at ? fmtDateTime(summary.first_reply_at) : null),
      fact(t('inbox.contact.snoozed_until'), summary.status === 'snoozed' && summary.snoozed_until
        ? fmtDateTime(summary.snoozed_until) : null)));
}
