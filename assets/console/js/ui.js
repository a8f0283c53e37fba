// Shared UI pieces: toasts, dialogs, confirmations, "shown once" secrets,
// badges, empty and loading states.
import { h } from './dom.js';
import { icon } from './icons.js';
import { t } from './i18n.js';

/** A short message that fades away; kind is "ok" or "error". */
export function toast(message, kind = 'ok') {
  const box = document.getElementById('toasts');
  if (!box) return;
  const el = h('div', { class: ['toast', `toast-${kind}`], testid: 'toast' },
    kind === 'ok' ? icon('check', 'icon icon-sm') : null, h('span', null, message));
  box.append(el);
  setTimeout(() => el.classList.add('toast-out'), 3200);
  setTimeout(() => el.remove(), 3600);
}

/**
 * A modal dialog. Returns { el, body, close }. `onClose` runs once when it
 * closes by any means (button, Escape, code).
 */
export function openDialog({ title, testid, onClose }) {
  const body = h('div', { class: 'dialog-body' });
  const titleId = `dlg-${Math.random().toString(36).slice(2, 8)}`;
  const el = h('dialog', { class: 'dialog', testid, 'aria-labelledby': titleId },
    h('div', { class: 'dialog-head' },
      h('h2', { id: titleId, class: 'dialog-title' }, title),
      h('button', {
        type: 'button', class: 'btn-icon', 'aria-label': t('common.close'),
        testid: 'dialog-close', onClick: () => el.close(),
      }, icon('close'))),
    body);
  el.addEventListener('close', () => {
    el.remove();
    if (onClose) onClose();
  });
  // A click on the backdrop (the dialog element itself) closes it.
  el.addEventListener('click', (ev) => {
    if (ev.target === el) el.close();
  });
  document.body.append(el);
  el.showModal();
  return { el, body, close: () => el.close() };
}

/** Ask before something that cannot be undone. Resolves true if confirmed. */
export function confirmDialog({ title, message, confirmLabel, danger = true }) {
  return new Promise((resolve) => {
    let answer = false;
    const dlg = openDialog({ title, testid: 'confirm-dialog', onClose: () => resolve(answer) });
    dlg.body.append(
      h('p', { class: 'dialog-text' }, message),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'btn', testid: 'confirm-cancel', onClick: () => dlg.close() },
          t('common.cancel')),
        h('button', {
          type: 'button', class: ['btn', danger ? 'btn-danger' : 'btn-primary'], testid: 'confirm-ok',
          onClick: () => { answer = true; dlg.close(); },
        }, confirmLabel || t('common.confirm'))));
  });
}

async function copyText(input) {
  try {
    await navigator.clipboard.writeText(input.value);
    return true;
  } catch {
    // Clipboard API needs a secure context; fall back to selecting the text.
    input.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}

/** A secret or link that the server shows only once, with a copy button. */
export function secretOnce({ label, value, note }) {
  const input = h('input', {
    class: 'input mono', readonly: true, value, testid: 'secret-value', 'aria-label': label,
    onFocus: (ev) => ev.target.select(),
  });
  const btn = h('button', {
    type: 'button', class: 'btn btn-primary', testid: 'copy-secret',
    onClick: async () => {
      const ok = await copyText(input);
      btn.lastChild.textContent = ok ? t('common.copied') : t('common.copy_failed');
      setTimeout(() => { btn.lastChild.textContent = t('common.copy'); }, 2000);
    },
  }, icon('copy', 'icon icon-sm'), h('span', null, t('common.copy')));
  return h('div', { class: 'secret' },
    h('p', { class: 'secret-label' }, label),
    h('div', { class: 'secret-row' }, input, btn),
    h('p', { class: 'notice notice-warn' }, note || t('common.shown_once')));
}

/** A small pill. */
export function badge(text, kind = 'neutral') {
  return h('span', { class: ['badge', `badge-${kind}`] }, text);
}

/** Coloured dot + label for online/away/offline. */
export function availabilityTag(availability) {
  return h('span', { class: 'avail' },
    h('span', { class: ['dot', `dot-${availability}`], 'aria-hidden': 'true' }),
    t(`availability.${availability}`));
}

/** Big calm empty state. */
export function emptyState({ iconName, title, text, testid }) {
  return h('div', { class: 'empty', testid },
    h('div', { class: 'empty-icon' }, icon(iconName, 'icon icon-xl')),
    h('h2', { class: 'empty-title' }, title),
    h('p', { class: 'empty-text' }, text));
}

export function loading() {
  return h('div', { class: 'loading', 'aria-busy': 'true' },
    h('span', { class: 'spinner', 'aria-hidden': 'true' }), h('span', null, t('common.loading')));
}

/** A page-level error (e.g. the list could not be loaded) with a retry button. */
export function loadError(err, retry) {
  return h('div', { class: 'notice notice-error', role: 'alert', testid: 'load-error' },
    h('span', null, err.message),
    retry ? h('button', { type: 'button', class: 'btn btn-small', onClick: retry }, t('common.retry')) : null);
}

/** A titled card section. */
export function card(title, ...children) {
  return h('section', { class: 'card' }, title ? h('h2', { class: 'card-title' }, title) : null, ...children);
}
