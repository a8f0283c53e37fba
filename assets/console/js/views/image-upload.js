// Images in the reply box: the agent picks a file, pastes or drops one; it
// is checked here (type, 5 MiB), uploaded at once (POST /api/attachments)
// and previewed while a caption is written. Send posts the message with the
// attachment's id. Nothing is sent while an upload runs or after it failed.
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';

/** The server's limit (attachments::MAX_BYTES), checked here first for a clear message. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
const TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];

// Rounded up: a file just over the limit must not read "5.0 MiB".
const mib = (bytes) => (Math.ceil((bytes / (1024 * 1024)) * 10) / 10).toFixed(1);

/** Why this file cannot be sent, or null. The server checks the bytes again. */
export function imageProblem(file) {
  if (file.type && !file.type.startsWith('image/')) return t('inbox.image.not_image', { name: file.name || '' });
  if (file.size > MAX_IMAGE_BYTES) return t('inbox.image.too_large', { size: mib(file.size), max: 5 });
  if (file.size === 0) return t('inbox.image.empty');
  return null;
}

/** The first image file in a paste or drop, or null. */
function imageIn(dataTransfer) {
  if (!dataTransfer) return null;
  for (const item of Array.from(dataTransfer.items || [])) {
    if (item.kind === 'file') {
      const f = item.getAsFile();
      if (f) return f;
    }
  }
  return dataTransfer.files && dataTransfer.files[0] ? dataTransfer.files[0] : null;
}

/**
 * The attach button, its hidden file input (place both) and the preview strip.
 * `onChange()` runs when the state changes (the composer enables Send).
 * `dropTarget` and `pasteTarget` also accept images.
 */
export function createAttachment({ onChange, dropTarget, pasteTarget }) {
  // { file, url, state: 'uploading'|'ready'|'error', id, error }
  let cur = null;
  let seq = 0;

  const fileInput = h('input', {
    type: 'file', accept: TYPES.join(','), hidden: true, testid: 'attach-input',
    onChange: () => {
      const f = fileInput.files && fileInput.files[0];
      fileInput.value = '';
      if (f) take(f);
    },
  });
  const button = h('button', {
    type: 'button', class: 'btn-icon composer-attach', testid: 'attach-image',
    'aria-label': t('inbox.image.attach'), title: t('inbox.image.attach'),
    onClick: () => fileInput.click(),
  }, icon('image'));
  const el = h('div', { class: 'attach', testid: 'attach-preview', hidden: true, 'aria-live': 'polite' });

  function draw() {
    el.hidden = !cur;
    if (!cur) {
      mount(el);
      onChange();
      return;
    }
    el.dataset.state = cur.state;
    const status = {
      uploading: () => h('span', { class: 'attach-status' },
        h('span', { class: 'spinner spinner-sm', 'aria-hidden': 'true' }), t('inbox.image.uploading')),
      ready: () => h('span', { class: 'attach-status' }, t('inbox.image.ready')),
      sending: () => h('span', { class: 'attach-status' },
        h('span', { class: 'spinner spinner-sm', 'aria-hidden': 'true' }), t('inbox.image.sending')),
      error: () => h('span', { class: 'attach-error', role: 'alert', testid: 'attach-error' }, cur.error),
    }[cur.state]();
    mount(el,
      cur.url ? h('img', { class: 'attach-thumb', src: cur.url, alt: '' }) : icon('image', 'icon attach-icon'),
      h('span', { class: 'attach-text' },
        h('span', { class: 'attach-name' }, cur.file.name || t('inbox.image.pasted')), status),
      h('button', {
        type: 'button', class: 'btn-icon attach-remove', testid: 'attach-remove',
        'aria-label': t('inbox.image.remove'), onClick: () => clear(),
      }, icon('close', 'icon icon-sm')));
    onChange();
  }

  async function take(file) {
    clear();
    const mine = (seq += 1);
    const problem = imageProblem(file);
    cur = { file, url: null, state: problem ? 'error' : 'uploading', id: null, error: problem };
    if (!problem) cur.url = URL.createObjectURL(file);
    draw();
    if (problem) return;
    try {
      const r = await api.upload('/api/attachments', file);
      if (mine !== seq) return;
      cur.state = 'ready';
      cur.id = r.id;
    } catch (err) {
      if (mine !== seq) return;
      // 413 image_too_large / 415 not_an_image: the server's own words.
      cur.state = 'error';
      cur.error = err.message;
    }
    draw();
  }

  function clear() {
    seq += 1;
    if (cur && cur.url) URL.revokeObjectURL(cur.url);
    cur = null;
    draw();
  }

  if (pasteTarget) {
    pasteTarget.addEventListener('paste', (ev) => {
      const f = imageIn(ev.clipboardData);
      if (!f) return;
      ev.preventDefault();
      take(f);
    });
  }
  if (dropTarget) {
    dropTarget.addEventListener('dragover', (ev) => {
      if (ev.dataTransfer && Array.from(ev.dataTransfer.types || []).includes('Files')) ev.preventDefault();
    });
    dropTarget.addEventListener('drop', (ev) => {
      const f = imageIn(ev.dataTransfer);
      if (!f) return;
      ev.preventDefault();
      take(f);
    });
  }

  return {
    el,
    button,
    fileInput,
    take,
    clear,
    /** The uploaded image's id when it is ready to send. */
    readyId: () => (cur && cur.state === 'ready' ? cur.id : null),
    busy: () => Boolean(cur && cur.state === 'uploading'),
    /** Show "sending…" (true) or go back to ready (false). */
    sending: (on) => {
      if (!cur || cur.state === 'error' || cur.state === 'uploading') return;
      cur.state = on ? 'sending' : 'ready';
      draw();
    },
  };
}
