// How the email that carried one of our replies went — queued, sent, or failed
// with the reason and a Retry button — as a small line under the reply, in a
// ticket's timeline and in a chat whose customer is answered by email.
import { api } from '../api.js';
import { h } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { toast } from '../ui.js';

const ICON = { queued: 'clock', sent: 'check', failed: 'info' };

/**
 * The line: `status` (queued, sent, failed) and the `text` to say; `onRetry()`
 * gives a failed one its Retry button (`retryTestid`), disabled once pressed.
 */
export function mailStateEl({ status, text, testid, onRetry, retryTestid }) {
  const el = h('span', { class: ['mail-state', `mail-state-${status}`], testid, dataset: { status } },
    icon(ICON[status] || 'clock', 'icon icon-xs'), h('span', { class: 'mail-state-text' }, text));
  if (status === 'failed' && onRetry) {
    el.append(h('button', { type: 'button', class: 'btn btn-small mail-state-retry', testid: retryTestid,
      onClick: (ev) => { ev.currentTarget.disabled = true; onRetry(); } }, t('common.retry')));
  }
  return el;
}

/**
 * Queue a failed email again (`POST /api/mail/{id}/retry`). Resolves to the
 * outbox row as it now stands, or null after saying why it was refused.
 */
export async function retryMail(id) {
  try {
    return await api.post(`/api/mail/${id}/retry`);
  } catch (err) {
    toast(err.message, 'error');
    return null;
  }
}
