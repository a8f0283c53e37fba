// The reply form of the status page: a text, at most one image (uploaded as
// soon as it is picked, with a preview and a remove button), Send. What is
// typed stays in sessionStorage until kefu has it, so a reload loses nothing.
import { api, chars, h, icon, session, t } from './util.js';

// As kefu counts (characters, not bytes): tickets::TEXT_MAX on the server.
export const MAX_BODY = 10000;
const COUNTER_FROM = MAX_BODY - 500;
export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
export const MAX_IMAGE = 5 * 1024 * 1024;
const EXT = /\.(png|jpe?g|gif|webp)$/i;
const TYPE_BY_EXT = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp' };

/** Why `file` cannot be attached ('' when it can). The server checks the bytes again. */
export function imageProblem(file) {
  const typed = file.type ? IMAGE_TYPES.includes(file.type) : EXT.test(file.name || '');
  if (!typed) return t('status_page.image_type');
  if (file.size > MAX_IMAGE) return t('status_page.image_too_large', { max: MAX_IMAGE >> 20 });
  return '';
}

function sizeText(n) {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(n / 1024))} KB`;
}

/**
 * `env`: token, image (a state object kept by the caller across redraws:
 * { file, preview, uploading, attachment }), onSent(event), onClosed(message).
 * Returns { el, focus() }.
 */
export function createReply(env) {
  const { token, image } = env;
  const draftKey = `kefu.status.draft.${token}`;
  const base = `/api/status/${encodeURIComponent(token)}`;
  let sending = false;
  let noteTimer = 0;

  const input = h('textarea', {
    id: 'reply-input', class: 'input', rows: '4', name: 'body', testid: 'reply-input',
    placeholder: t('status_page.placeholder'), autocomplete: 'off',
  });
  input.value = session.get(draftKey) || '';
  // The image outlives a redraw (language switch): whoever drew last shows its changes.
  image.changed = () => update();
  const counter = h('span', { class: 'count', testid: 'reply-counter', 'aria-live': 'polite', hidden: true });
  const fileInput = h('input', {
    type: 'file', accept: IMAGE_TYPES.join(','), hidden: true, testid: 'reply-image-input',
    onChange: () => {
      const [file] = fileInput.files;
      fileInput.value = '';
      if (file) pick(file);
    },
  });
  const attach = h('button', {
    type: 'button', class: 'btn ghost', testid: 'reply-image-button', onClick: () => fileInput.click(),
  }, icon('image'), h('span', null, t('status_page.attach')));
  const preview = h('div', { class: 'preview', testid: 'reply-preview', hidden: true });
  const error = h('p', { class: 'err', role: 'alert', testid: 'reply-error', hidden: true });
  const note = h('p', { class: 'note', role: 'status', testid: 'reply-note' });
  const send = h('button', { type: 'submit', class: 'btn primary', testid: 'reply-send' },
    icon('send'), h('span', null, t('status_page.send')));
  const form = h('form', { class: 'reply-form', testid: 'reply-form', novalidate: true },
    h('label', { class: 'label', for: 'reply-input' }, t('status_page.reply_label')),
    h('div', { class: 'field' }, input, counter),
    preview,
    error,
    h('div', { class: 'actions' }, attach, fileInput, h('span', { class: 'grow' }), send),
    note);

  function showError(text) {
    error.textContent = text || '';
    error.hidden = !text;
  }

  function update() {
    const n = chars(input.value);
    const over = n > MAX_BODY;
    counter.hidden = n < COUNTER_FROM;
    counter.textContent = over ? t('status_page.too_long', { count: n, max: MAX_BODY }) : `${n}/${MAX_BODY}`;
    counter.classList.toggle('over', over);
    input.toggleAttribute('aria-invalid', over);
    const empty = !input.value.trim() && !image.attachment;
    send.disabled = sending || image.uploading || over || empty;
    send.setAttribute('aria-busy', String(sending));
    send.lastChild.textContent = sending ? t('status_page.sending') : t('status_page.send');
    attach.disabled = sending || Boolean(image.file);
    input.readOnly = sending;
    renderPreview();
  }

  function renderPreview() {
    if (!image.file) {
      preview.hidden = true;
      preview.replaceChildren();
      return;
    }
    preview.hidden = false;
    preview.setAttribute('data-state', image.uploading ? 'uploading' : image.attachment ? 'ready' : 'failed');
    const thumb = preview.querySelector('img');
    const remove = h('button', {
      type: 'button', class: 'icon-btn', testid: 'reply-image-remove', disabled: sending,
      'aria-label': t('status_page.remove_image'), title: t('status_page.remove_image'), onClick: clearImage,
    }, icon('close'));
    preview.replaceChildren(
      thumb && thumb.src === image.preview ? thumb : h('img', { src: image.preview, alt: t('status_page.image') }),
      h('div', { class: 'pinfo' },
        h('span', { class: 'pname' }, image.file.name || t('status_page.image')),
        h('span', { class: 'psize' }, image.uploading ? t('status_page.uploading') : sizeText(image.file.size))),
      remove);
  }

  function clearImage() {
    if (image.preview) URL.revokeObjectURL(image.preview);
    image.file = null;
    image.preview = '';
    image.uploading = false;
    image.attachment = null;
    image.seq = (image.seq || 0) + 1; // an upload still running is forgotten
    image.changed();
  }

  async function pick(file) {
    showError('');
    const problem = imageProblem(file);
    if (problem) {
      showError(problem);
      return;
    }
    clearImage();
    // A file from a picker without a type (some Android galleries): name it by its extension.
    const ext = (file.name || '').split('.').pop().toLowerCase();
    const blob = file.type ? file : new Blob([file], { type: TYPE_BY_EXT[ext] || 'image/png' });
    image.file = file;
    image.preview = URL.createObjectURL(file);
    image.uploading = true;
    const seq = image.seq;
    image.changed();
    try {
      const r = await api.post(`${base}/attachments`, blob, { timeout: 120000 });
      if (image.seq !== seq) return;
      const a = (r && r.attachment) || r;
      if (!a || typeof a.id !== 'number') throw new Error(t('status_page.upload_failed'));
      image.attachment = a;
      image.uploading = false;
      image.changed();
    } catch (err) {
      if (image.seq !== seq) return;
      // Too large, not an image, too many: say so in kefu's words and forget the file.
      clearImage();
      showError(err.message);
    }
  }

  async function submit() {
    if (send.disabled) return;
    const body = input.value.trim();
    sending = true;
    showError('');
    update();
    const payload = { body };
    if (image.attachment) payload.attachment_id = image.attachment.id;
    try {
      const r = await api.post(`${base}/replies`, payload);
      sending = false;
      input.value = '';
      session.set(draftKey, '');
      clearImage();
      clearTimeout(noteTimer);
      note.textContent = t('status_page.sent');
      noteTimer = setTimeout(() => { note.textContent = ''; }, 5000);
      env.onSent(r && r.event);
    } catch (err) {
      sending = false;
      if (err.code === 'unknown_attachment') clearImage();
      if (err.code === 'ticket_closed') {
        env.onClosed(err.message);
        return;
      }
      showError(err.message);
      update();
    }
  }

  input.addEventListener('input', () => {
    session.set(draftKey, input.value);
    showError('');
    update();
  });
  input.addEventListener('paste', (ev) => {
    const file = Array.from((ev.clipboardData && ev.clipboardData.files) || []).find((f) => f.type.startsWith('image/'));
    if (!file || image.file) return;
    ev.preventDefault();
    pick(file);
  });
  input.addEventListener('keydown', (ev) => {
    // Enter is a new line here (a letter, not a chat); Ctrl/⌘+Enter sends.
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey) && !ev.isComposing) {
      ev.preventDefault();
      submit();
    }
  });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submit();
  });
  update();

  return {
    el: form,
    focus() {
      input.focus({ preventScroll: true });
    },
    isBusy: () => sending,
  };
}
