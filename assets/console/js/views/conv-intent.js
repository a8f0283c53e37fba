// What routing found in a conversation, as the agent sees it: the intent (a
// chip in the header, a label in the list row), the flag on a customer whose
// recent messages read as upset, and a small dot on a customer's message that
// was negative, positive or urgent. The shop's intents are fetched once and
// kept for the page (the picker fetches them again).
import { api } from '../api.js';
import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';

let intents = null; // [Intent] once loaded
let pending = null;

/** The shop's intents ([] when there are none or they cannot be read); `fresh` asks the server again. */
export function loadIntents(fresh = false) {
  if (pending && !fresh) return pending;
  if (intents && !fresh) return Promise.resolve(intents);
  pending = api.get('/api/routing/intents')
    .then((r) => {
      intents = r.intents || [];
      return intents;
    })
    .catch(() => intents || [])
    .finally(() => { pending = null; });
  return pending;
}

/** The intents last loaded (null before the first load). */
export const knownIntents = () => intents;

/** An intent's label by name (a timeline event may name one since renamed or deleted). */
export function intentLabel(x) {
  if (x === null || x === undefined) return null;
  if (typeof x === 'object') return x.label || x.name || null;
  const found = intents && intents.find((i) => i.name === x);
  return found ? found.label : String(x);
}

const percent = (confidence) => Math.round(Math.max(0, Math.min(1, Number(confidence) || 0)) * 100);

/** How the intent was decided, for the chip's title and the picker. */
export function intentHow(intent) {
  const source = ['model', 'agent', 'rule'].includes(intent.source) ? intent.source : 'model';
  return t(`inbox.intent.source_${source}`, { confidence: percent(intent.confidence) });
}

/**
 * The header's chip: the intent's label and, when the model guessed it, how
 * sure it was. Without an intent it offers to set one (only when the shop has
 * intents: `offer`). `onClick` opens the picker.
 */
export function intentChip(intent, { offer, onClick }) {
  if (!intent) {
    if (!offer) return null;
    return h('button', {
      type: 'button', class: 'intent-chip intent-none', testid: 'conv-intent', dataset: { intent: '', source: '' },
      title: t('inbox.intent.set'), onClick,
    }, icon('tag', 'icon icon-xs'), h('span', { class: 'intent-label' }, t('inbox.intent.set')));
  }
  const pct = percent(intent.confidence);
  const how = intentHow(intent);
  const title = t('inbox.intent.title', { label: intent.label, how });
  return h('button', {
    type: 'button', class: ['intent-chip', `intent-${intent.source}`], testid: 'conv-intent',
    dataset: { intent: intent.name, source: intent.source, confidence: String(pct) },
    title, 'aria-label': `${title}. ${t('inbox.intent.change')}`, onClick,
  },
  icon(intent.source === 'agent' ? 'user' : intent.source === 'rule' ? 'bolt' : 'tag', 'icon icon-xs'),
  h('span', { class: 'intent-label' }, intent.label),
  intent.source === 'model' ? h('span', { class: 'intent-conf' }, `${pct}%`) : null);
}

/** The intent's label in a list row (plain text: the row is a link). */
export function intentTag(intent) {
  if (!intent) return null;
  return h('span', {
    class: 'intent-tag', testid: 'conv-row-intent', dataset: { intent: intent.name, source: intent.source },
    title: t('inbox.intent.title', { label: intent.label, how: intentHow(intent) }),
  }, icon('tag', 'icon icon-xs'), h('span', { class: 'intent-tag-text' }, intent.label));
}

/** "Upset": the customer's recent messages read as negative. */
export function negativeFlag(testid) {
  const title = t('inbox.negative_title');
  return h('span', { class: 'neg-flag', testid, title, 'aria-label': title, role: 'img' },
    h('span', { class: 'neg-dot', 'aria-hidden': 'true' }), h('span', { class: 'neg-text', 'aria-hidden': 'true' },
      t('inbox.negative')));
}

const score = (n) => {
  const v = Number(n) || 0;
  return `${v > 0 ? '+' : ''}${v.toFixed(1)}`;
};

/**
 * The dot beside a customer's message: red when it reads negative, green when
 * positive, amber when neutral but urgent (nothing for a calm neutral one).
 */
export function sentimentMark(s) {
  if (!s || !s.label || (s.label === 'neutral' && !s.urgent)) return null;
  const parts = [t(`inbox.sentiment.${s.label}`), score(s.score)];
  if (s.urgent) parts.push(t('inbox.sentiment.urgent'));
  const text = parts.join(' · ');
  return h('span', {
    class: ['sent-mark', `sent-${s.label}`, s.urgent && 'sent-urgent'], testid: 'msg-sentiment',
    dataset: { label: s.label, urgent: String(Boolean(s.urgent)) },
    role: 'img', title: text, 'aria-label': t('inbox.sentiment.aria', { text }),
  });
}
