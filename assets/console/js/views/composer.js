// The reply box: Enter sends, Shift+Enter starts a new line, a Reply /
// Note toggle (notes are for colleagues only), "agent is typing" signals
// for the customer (throttled, never while writing a note), an image to
// attach (button, paste or drop) and "/" for saved replies.
import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { toast } from '../ui.js';
import { cannedSuggest } from './canned-suggest.js';
import { createAttachment } from './image-upload.js';

const TYPING_EVERY = 3000;
const TYPING_IDLE = 4000;
const MAX_HEIGHT = 180;

/**
 * `onSend(body, isPrivate, attachmentId)` returns a promise; `onTyping(bool)`
 * tells the customer; `vars()` gives the saved replies' variables.
 * Returns { el, focus(mode?), setMode(mode), insert(text), stopTyping(), destroy() }.
 */
export function createComposer({ onSend, onTyping, vars }) {
  let mode = 'reply';
  let typingSince = 0;
  let idleTimer = null;
  let sending = false;

  const input = h('textarea', {
    class: 'composer-input', rows: 1, testid: 'reply-input', enterkeyhint: 'send',
    'aria-label': t('inbox.reply_label'),
  });
  const modeBtn = (m) => h('button', {
    type: 'button', class: 'composer-mode', testid: `composer-mode-${m}`, dataset: { mode: m },
    'aria-pressed': String(m === mode), onClick: () => { setMode(m); input.focus(); },
  }, icon(m === 'note' ? 'note' : 'send', 'icon icon-xs'), h('span', null, t(`inbox.mode.${m}`)));
  const modes = h('div', { class: 'composer-modes', role: 'group', 'aria-label': t('inbox.mode.label') },
    modeBtn('reply'), modeBtn('note'));
  const hint = h('span', { class: 'composer-hint' });
  const send = h('button', {
    type: 'submit', class: 'btn btn-primary composer-send', testid: 'reply-send', 'aria-label': t('inbox.send'),
  }, icon('send', 'icon icon-sm'), h('span', { class: 'composer-send-text' }, t('inbox.send')));
  const suggest = cannedSuggest(input, { vars });
  const el = h('form', { class: 'composer', testid: 'composer', novalidate: true });
  const attach = createAttachment({ onChange: syncSend, dropTarget: el, pasteTarget: input });
  el.append(suggest.list,
    h('div', { class: 'composer-top' }, modes, hint),
    attach.el,
    h('div', { class: 'composer-row' }, attach.button, attach.fileInput, input, send));

  /** Send is off while an image uploads (a click would send the text without it). */
  function syncSend() {
    send.disabled = sending || attach.busy();
  }

  function setMode(m) {
    mode = m;
    el.classList.toggle('composer-note', m === 'note');
    for (const b of modes.children) b.setAttribute('aria-pressed', String(b.dataset.mode === m));
    input.placeholder = t(m === 'note' ? 'inbox.note_placeholder' : 'inbox.reply_placeholder');
    hint.textContent = m === 'note' ? t('inbox.note_hint') : t('inbox.enter_hint');
    send.lastChild.textContent = m === 'note' ? t('inbox.add_note') : t('inbox.send');
    send.setAttribute('aria-label', send.lastChild.textContent);
    if (m === 'note') stopTyping();
    grow();
  }

  function grow() {
    // Empty: the CSS height (the placeholder must not make it taller).
    if (!input.value) {
      input.style.height = '';
      return;
    }
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, MAX_HEIGHT)}px`;
  }

  function stopTyping() {
    clearTimeout(idleTimer);
    idleTimer = null;
    if (typingSince) {
      typingSince = 0;
      onTyping(false);
    }
  }

  function typed() {
    if (mode === 'note' || !input.value.trim()) {
      stopTyping();
      return;
    }
    const now = Date.now();
    if (!typingSince || now - typingSince > TYPING_EVERY) {
      typingSince = now;
      onTyping(true);
    }
    clearTimeout(idleTimer);
    idleTimer = setTimeout(stopTyping, TYPING_IDLE);
  }

  async function submit() {
    const body = input.value.trim();
    const image = attach.readyId();
    if ((!body && !image) || sending || attach.busy()) return;
    sending = true;
    syncSend();
    el.setAttribute('aria-busy', 'true');
    attach.sending(true);
    stopTyping();
    try {
      await onSend(body, mode === 'note', image);
      input.value = '';
      attach.clear();
      grow();
    } catch (err) {
      attach.sending(false);
      toast(err.message || String(err), 'error');
    } finally {
      sending = false;
      el.removeAttribute('aria-busy');
      syncSend();
    }
  }

  input.addEventListener('input', () => {
    grow();
    typed();
  });
  input.addEventListener('keydown', (ev) => {
    if (suggest.handleKey(ev)) return;
    // isComposing: Enter that confirms a Chinese IME candidate must not send.
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing && ev.keyCode !== 229) {
      ev.preventDefault();
      submit();
    } else if (ev.key === 'Escape') {
      input.blur();
    }
  });
  input.addEventListener('blur', () => stopTyping());
  el.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submit();
  });
  setMode('reply');

  return {
    el,
    input,
    setMode,
    stopTyping,
    destroy: () => {
      stopTyping();
      attach.clear();
    },
    mode: () => mode,
    /** Put `text` in the box (after what is there, a blank line between), the caret at its end. */
    insert: (text) => {
      const before = input.value.replace(/\s+$/, '');
      input.value = before ? `${before}\n\n${text}` : text;
      input.focus();
      input.setSelectionRange(input.value.length, input.value.length);
      grow();
      input.scrollTop = input.scrollHeight;
      typed();
    },
    focus: (m) => {
      if (m) setMode(m);
      input.focus();
    },
  };
}
