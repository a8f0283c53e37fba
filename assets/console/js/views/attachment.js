// A file sent with a message, in a chat or a ticket: an image is drawn (and opens
// full size), anything else — a PDF from an email, say — is a link that
// downloads it, with its name and size.
import { h } from '../dom.js';
import { icon } from '../icons.js';
import { fmtSize, t } from '../i18n.js';

/** Whether the attachment is a picture the browser can show in the bubble. */
export const isImage = (a) => String((a && a.mime) || '').startsWith('image/');

/** An image: fits the bubble, loads when scrolled to, opens full size in a new tab. */
function imageEl(a) {
  return h('a', {
    class: 'msg-image-link', href: a.url, target: '_blank', rel: 'noopener', testid: 'msg-image-link',
    title: t('inbox.image.open'),
  }, h('img', { class: 'msg-image', src: a.url, alt: t('inbox.image.alt'), loading: 'lazy', decoding: 'async',
    testid: 'msg-image' }));
}

/**
 * Anything but an image: a link that downloads it. `label` is what the link
 * says (default: the file's name, or "File" when it has none).
 */
function fileEl(a, { testid, label }) {
  const name = label || a.filename || t('inbox.file.unnamed');
  return h('a', {
    class: 'file-link', href: a.url, download: a.filename || '', testid, dataset: { mime: a.mime || '' },
    title: t('inbox.file.download', { name: a.filename || t('inbox.file.unnamed') }),
  },
  icon('file', 'icon icon-sm'), h('span', { class: 'file-link-name', testid: `${testid}-name` }, name),
  a.size ? h('span', { class: 'file-link-size', testid: `${testid}-size` }, fmtSize(a.size)) : null);
}

/**
 * The attachment `a` for a bubble. `fileTestid` names a file's link
 * (msg-file, ticket-file); `fileLabel` replaces its file name.
 */
export function attachmentEl(a, { fileTestid = 'msg-file', fileLabel } = {}) {
  return isImage(a) ? imageEl(a) : fileEl(a, { testid: fileTestid, label: fileLabel });
}
