// The reply box under a ticket: Public reply (emailed to the customer) or
// Internal note, an image to attach (button, paste or drop), Ctrl/⌘+Enter
// sends. Unlike chat, Enter starts a new line: these are letters.
import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { toast } from '../ui.js';
import { createAttachment } from './image-upload.js';

const MAX_HEIGHT = 220;

/**
 * `send(body, isPublic, attachmentId)` returns a promise. Returns
 * { el, setContact(contact), focus() }.
 */
export function createTicketComposer({ send }) {
  let mode = null;
  let email = null;
  let sending = false;

  const input = h('textarea', { class: 'composer-input tk-composer-input', rows: 2, testid: 'ticket-reply-input',
    'aria-label': t('tickets.reply_label') });
  const modeBtn = (m) => h('button', {
    type: 'button', class: 'composer-mode', testid: `ticket-mode-${m}`, dataset: { mode: m }, 'aria-pressed': 'false',
    onClick: () => { setMode(m); input.focus(); },
  }, icon(m === 'note' ? 'note' : 'send', 'icon icon-xs'), h('span', null, t(`tickets.mode.${m}`)));
  const modes = h('div', { class: 'composer-modes', role: 'group', 'aria-label': t('tickets.mode.label') },
    modeBtn('public'), modeBtn('note'));
  const hint = h('p', { class: 'tk-composer-hint', testid: 'ticket-composer-hint' });
  const sendBtn = h('button', { type: 'submit', class: 'btn btn-primary composer-send', testid: 'ticket-reply-send' },
    icon('send', 'icon icon-sm'), h('span', { class: 'composer-send-text' }));
  const el = h('form', { class: 'composer tk-composer', testid: 'ticket-composer', novalidate: true });
  const attach = createAttachment({ onChange: sync, dropTarget: el, pasteTarget: input });
  el.append(h('div', { class: 'composer-top' }, modes), attach.el,
    h('div', { class: 'composer-row' }, attach.button, attach.fileInput, input, sendBtn), hint);

  function sync() {
    sendBtn.disabled = sending || attach.busy();
  }

  function setMode(m) {
    mode = m;
    el.classList.toggle('composer-note', m === 'note');
    for (const b of modes.children) b.setAttribute('aria-pressed', String(b.dataset.mode === m));
    input.placeholder = t(m === 'note' ? 'tickets.note_placeholder' : 'tickets.reply_placeholder');
    let text = t('tickets.note_hint');
    if (m === 'public') text = email ? t('tickets.email_hint', { email }) : t('tickets.no_email_hint');
    hint.textContent = text;
    const label = m === 'note' ? t('tickets.add_note') : t('tickets.send_reply');
    sendBtn.lastChild.textContent = label;
    sendBtn.setAttribute('aria-label', label);
  }

  function grow() {
    if (!input.value) {
      input.style.height = '';
      return;
    }
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, MAX_HEIGHT)}px`;
  }

  async function submit() {
    const body = input.value.trim();
    const image = attach.readyId();
    if ((!body && !image) || sending || attach.busy()) return;
    sending = true;
    sync();
    el.setAttribute('aria-busy', 'true');
    attach.sending(true);
    try {
      await send(body, mode === 'public', image);
      input.value = '';
      attach.clear();
      grow();
    } catch (err) {
      attach.sending(false);
      toast(err.message || String(err), 'error');
    } finally {
      sending = false;
      el.removeAttribute('aria-busy');
      sync();
    }
  }

  input.addEventListener('input', grow);
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey) && !ev.isComposing) {
      ev.preventDefault();
      submit();
    } else if (ev.key === 'Escape') {
      input.blur();
    }
  });
  el.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submit();
  });

  return {
    el,
    /** The customer changed (or first load): public by default when they have an email. */
    setContact(contact) {
      const had = email;
      email = (contact && contact.email) || null;
      if (mode === null) setMode(email ? 'public' : 'note');
      else if (had !== email) setMode(mode);
    },
    focus: () => input.focus(),
    destroy: () => attach.clear(),
  };
}
