// What the routing views share: the directory they pick from (teams, agents,
// inboxes, labels, intents by id or name), the choices of a multi-select as a
// row of check chips, three-way selects ("any", yes, no), and the words typed
// one per line or with commas.
import { api } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { isAdmin } from '../session.js';

export { splitWords } from './inbox-bot.js';

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
export const CHANNELS = ['web', 'email'];
export const LANGUAGES = ['zh-CN', 'en'];
export const SENTIMENTS = ['negative', 'neutral', 'positive'];
export const STRATEGIES = ['round_robin', 'least_busy', 'skills'];

/** Teams, agents, inboxes, labels and intents; `load()` fetches them (again). */
export const rdir = {
  teams: [],
  agents: [],
  inboxes: [],
  labels: [],
  intents: [],
  async load() {
    const [tm, ag, ib, lb, it] = await Promise.allSettled([
      api.get('/api/teams'), api.get('/api/agents'),
      // Only admins list inboxes; everyone else sees "inbox #3".
      isAdmin() ? api.get('/api/inboxes') : Promise.resolve({ inboxes: [] }),
      api.get('/api/labels'), api.get('/api/routing/intents')]);
    if (tm.status === 'fulfilled') rdir.teams = tm.value.teams.slice().sort((a, b) => a.name.localeCompare(b.name));
    if (ag.status === 'fulfilled') rdir.agents = ag.value.agents.slice().sort((a, b) => a.name.localeCompare(b.name));
    if (ib.status === 'fulfilled') rdir.inboxes = ib.value.inboxes;
    if (lb.status === 'fulfilled') rdir.labels = lb.value.labels;
    if (it.status === 'rejected') throw it.reason;
    rdir.intents = it.value.intents;
  },
  teamName(id) {
    const tm = rdir.teams.find((x) => x.id === id);
    return tm ? tm.name : `#${id}`;
  },
  agentName(id) {
    const a = rdir.agents.find((x) => x.id === id);
    return a ? a.name : `#${id}`;
  },
  inboxName(id) {
    const ib = rdir.inboxes.find((x) => x.id === id);
    return ib ? ib.name : t('routing.inbox_n', { id });
  },
  labelName(id) {
    const l = rdir.labels.find((x) => x.id === id);
    return l ? l.name : `#${id}`;
  },
  /** The intent's label (its name when unknown). */
  intentLabel(name) {
    const it = rdir.intents.find((x) => x.name === name);
    return it ? it.label : name;
  },
};

/** "93 %" in the console's language, from 0.93. */
export function percent(x) {
  return t('routing.percent', { n: Math.round((Number(x) || 0) * 100) });
}

/**
 * A multi-select as a wrapping row of check chips. `choices` are [value, text]
 * pairs; the checked values come back through formValues() under `name`.
 */
export function checkChips({ legend, name, choices, selected = [], testid, hint, empty }) {
  const chosen = new Set(selected.map(String));
  return h('fieldset', { class: 'field rt-fieldset', testid },
    h('legend', { class: 'label' }, legend),
    choices.length
      ? h('div', { class: 'rt-chips' }, choices.map(([v, text]) => h('label', { class: 'rt-chip' },
        h('input', { type: 'checkbox', name, value: String(v), checked: chosen.has(String(v)),
          testid: `${testid}-${v}` }),
        h('span', null, text))))
      : h('p', { class: 'hint' }, empty || t('routing.none_to_pick')),
    hint ? h('p', { class: 'hint' }, hint) : null);
}

/** A plain labelled select; `options` are [value, text] pairs. */
export function pick({ label, name, options, value, testid }) {
  const id = `rt-${name}-${Math.random().toString(36).slice(2, 8)}`;
  return h('div', { class: 'field' },
    h('label', { class: 'label', for: id }, label),
    h('select', { id, name, class: 'input', testid },
      options.map(([v, text]) => h('option', { value: v, selected: String(value ?? '') === v }, text))));
}

/** An on/off switch with a label and a hint; `name` with value "on" for formValues(). */
export function switchField({ name, label, hint, checked, testid }) {
  return h('label', { class: 'switch' },
    h('input', { type: 'checkbox', class: 'switch-input', role: 'switch', name, value: 'on', checked, testid }),
    h('span', { class: 'switch-track', 'aria-hidden': 'true' }),
    h('span', { class: 'switch-text' }, h('span', { class: 'switch-label' }, label),
      hint ? h('span', { class: 'hint' }, hint) : null));
}

/** A checkbox read back by formValues(): ["on"] or []. */
export const isOn = (v) => Array.isArray(v) && v.length > 0;

/** The strategy's name ("Round robin"). */
export const strategyName = (s) => t(`routing.strategy.${s || 'round_robin'}`);
