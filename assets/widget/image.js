// Images in the chat: the checks made before an upload, the upload, the pending
// image's life in the outbox, and the picture shown in a bubble. A file that is
// not an image (one the customer sent by email, say) shows as a download link.
//
// An image is an outbox item like a text message ({ client_id, body: '' }) that
// first needs its upload: until kefu has the file the item holds the File and a
// preview (memory only: a File cannot be kept across a reload) and the link
// does not send it. Once uploaded, `attachment_id` is kept in the stored outbox,
// so the message is sent exactly once like any other, whatever the connection.
import { api, currentLang, h, icon, t } from './util.js';

export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];
export const MAX_IMAGE = 5 * 1024 * 1024;
const EXT = /\.(png|jpe?g|gif|webp)$/i;

/** Why `file` cannot be sent ('' when it can). The server checks the bytes again. */
export function imageProblem(file) {
  const typed = file.type ? IMAGE_TYPES.includes(file.type) : EXT.test(file.name || '');
  if (!typed) return t('widget.image_type');
  if (file.size > MAX_IMAGE) return t('widget.image_too_large', { max: MAX_IMAGE >> 20 });
  return '';
}

/** Only kefu's own paths: an attachment URL never becomes javascript: or another site. */
export const localUrl = (u) => (typeof u === 'string' && /^\/(?![/\\])/.test(u) ? u : null);

/** The image of a message: fits the bubble, loads when scrolled to, opens full size in a new tab. */
export function picture(src, href, onLoad) {
  const img = h('img', { loading: 'lazy', decoding: 'async', src, alt: t('widget.image'), testid: 'widget-image' });
  img.addEventListener('load', onLoad);
  return href
    ? h('a', { class: 'pic', href, target: '_blank', rel: 'noopener noreferrer', title: t('widget.image_open') }, img)
    : h('span', { class: 'pic' }, img);
}

/** Whether an attachment is a picture to draw in the bubble (anything else is a download). */
export const isPicture = (a) => String((a && a.mime) || '').startsWith('image/');

/** A size for people: "820 KB", "3.4 MB". */
function fileSize(bytes) {
  const n = Math.max(0, Number(bytes) || 0);
  const mb = n / (1024 * 1024);
  const num = (x) => new Intl.NumberFormat(currentLang(), { maximumFractionDigits: x < 10 ? 1 : 0 }).format(x);
  return mb >= 1 ? `${num(mb)} MB` : `${num(Math.max(1, Math.ceil(n / 1024)))} KB`;
}

/** A file that is not an image, at kefu's own `href`: a link that downloads it, with its name and size. */
export function fileLink(a, href) {
  const name = a.filename || t('widget.file');
  return h('a', { class: 'bubble file', href, download: a.filename || '', testid: 'widget-file',
    title: t('widget.file_download', { name }) },
  icon('file'), h('span', { class: 'fname', testid: 'widget-file-name' }, name),
  a.size ? h('span', { class: 'fsize', testid: 'widget-file-size' }, fileSize(a.size)) : null);
}

/** The stored form of an attachment (from the server or an old outbox), or null. */
export function cleanAttachment(a) {
  if (!a || typeof a !== 'object' || typeof a.id !== 'number' || !localUrl(a.url)) return null;
  return { id: a.id, url: a.url, mime: String(a.mime || ''), size: Number(a.size) || 0 };
}

/**
 * The upload side of the outbox. `env`: st (shared state), session() → Promise,
 * flush() (send what is ready), save() (store the outbox), renderList(forceBottom),
 * refused(message) (a file kefu will never take), unknownVisitor().
 */
export function createImages(env) {
  const { st } = env;
  const has = (item) => st.outbox.includes(item);

  function drop(item) {
    const i = st.outbox.indexOf(item);
    if (i >= 0) st.outbox.splice(i, 1);
    if (item.preview) URL.revokeObjectURL(item.preview);
    env.save();
  }

  function fail(item, code, message) {
    item.uploading = false;
    item.failed = true;
    item.code = code;
    item.error = message;
    env.renderList();
  }

  async function upload(item) {
    item.failed = false;
    item.error = '';
    item.code = '';
    item.uploading = true;
    env.renderList();
    if (navigator.onLine === false) {
      fail(item, 'offline', t('widget.image_offline'));
      return;
    }
    try {
      await env.session();
      const a = cleanAttachment(await api.post('/api/widget/attachments', item.file, { timeout: 120000 }));
      if (!has(item)) return; // removed while uploading
      if (!a) throw new Error(t('widget.state_failed'));
      item.uploading = false;
      item.attachment_id = a.id;
      item.attachment = a;
      env.save();
      env.renderList();
      env.flush();
    } catch (err) {
      if (!has(item)) return;
      if (err.status === 413 || err.status === 415) {
        // Retrying cannot help: say why next to the composer and forget the file.
        drop(item);
        env.renderList();
        env.refused(err.message);
      } else if (err.status === 0 && err.code !== 'aborted') {
        fail(item, 'offline', t('widget.image_offline'));
      } else {
        fail(item, err.code || 'failed', err.message);
        if (err.status === 401) env.unknownVisitor();
      }
    }
  }

  return {
    /** Check, show the preview at once, upload, then send. Returns the problem, if any. */
    send(file, newClientId) {
      const problem = imageProblem(file);
      if (problem) return problem;
      const item = { client_id: newClientId(), body: '', created_at: Date.now(), file, preview: URL.createObjectURL(file) };
      st.outbox.push(item);
      env.renderList(true);
      upload(item);
      return '';
    },
    /** True when the retry button means "upload again" (the file was never taken). */
    retry(item) {
      if (!item.file || item.attachment_id) return false;
      upload(item);
      return true;
    },
    /** The remove button: forget a message that was not sent. */
    dismiss(item) {
      drop(item);
      env.renderList();
    },
    /** An outbox item left kefu's hands (acknowledged): free its preview. */
    done(item) {
      if (item.preview) URL.revokeObjectURL(item.preview);
    },
    /** The network is back: upload what waited for it. */
    online() {
      for (const item of st.outbox) if (item.code === 'offline' && item.file && !item.attachment_id) upload(item);
    },
  };
}
