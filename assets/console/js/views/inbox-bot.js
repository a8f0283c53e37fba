// The "Bot" block of a web inbox's settings: whether the bot answers the
// inbox's chats from the knowledge base, and the words that make it hand the
// chat to a person at once (empty: the built-in ones).
import { h } from '../dom.js';
import { t } from '../i18n.js';

let uid = 0;

/** Words typed one per line or with commas (either kind) or 、 between them; no repeats. */
export function splitWords(text) {
  const out = [];
  for (const w of text.split(/[\n,，、]/).map((x) => x.trim()).filter(Boolean)) {
    if (!out.includes(w)) out.push(w);
  }
  return out;
}

/**
 * The block for `inbox` (null for a new one). Returns { el, body(), showError(err) }:
 * body() is what goes into the inbox's POST or PATCH; showError marks the words
 * when the server refused one (true if it did).
 */
export function botFields(inbox) {
  const id = `inbox-words-${(uid += 1)}`;
  const hintId = `${id}-hint`;
  const enabled = h('input', {
    type: 'checkbox', class: 'switch-input', role: 'switch', testid: 'inbox-bot-enabled',
    checked: Boolean(inbox && inbox.bot_enabled),
  });
  const words = h('textarea', {
    id, class: 'input', rows: 3, testid: 'inbox-handoff-words', 'aria-describedby': hintId,
    autocapitalize: 'off', placeholder: t('settings.inboxes.handoff_words_placeholder'),
  });
  words.value = inbox && inbox.handoff_words ? inbox.handoff_words.join('\n') : '';
  const error = h('p', { class: 'field-error', role: 'alert', testid: 'inbox-handoff-words-error', hidden: true });
  words.addEventListener('input', () => {
    words.removeAttribute('aria-invalid');
    error.hidden = true;
  });

  const el = h('fieldset', { class: 'field inbox-bot', testid: 'inbox-bot' },
    h('legend', { class: 'label' }, t('settings.inboxes.bot')),
    h('label', { class: 'switch' }, enabled,
      h('span', { class: 'switch-track', 'aria-hidden': 'true' }),
      h('span', { class: 'switch-text' },
        h('span', { class: 'switch-label' }, t('settings.inboxes.bot_enabled')),
        h('span', { class: 'hint' }, t('settings.inboxes.bot_enabled_hint')))),
    h('div', { class: 'field' },
      h('label', { class: 'label', for: id }, t('settings.inboxes.handoff_words')),
      words,
      h('p', { class: 'hint', id: hintId }, t('settings.inboxes.handoff_words_hint')),
      error));

  return {
    el,
    body: () => ({ bot_enabled: enabled.checked, handoff_words: splitWords(words.value) }),
    showError(err) {
      if (!['handoff_word_invalid', 'handoff_words_too_many'].includes(err.code)
        && !(err.details && err.details.field === 'handoff_words')) return false;
      error.textContent = err.message;
      error.hidden = false;
      words.setAttribute('aria-invalid', 'true');
      words.focus();
      return true;
    },
  };
}

/** "On" or "Off" for an inbox card. */
export function botState(inbox) {
  const on = Boolean(inbox.bot_enabled);
  return h('span', { class: ['badge', on ? 'badge-ok' : 'badge-muted'], testid: 'inbox-bot-state', dataset: { on: String(on) } },
    t(on ? 'settings.inboxes.bot_on' : 'settings.inboxes.bot_off'));
}
