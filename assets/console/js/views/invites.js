// Inviting agents: the invite dialog (shows the link once) and the list of
// pending invitations with a revoke button.
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { field, form, selectField } from '../forms.js';
import { icon } from '../icons.js';
import { fmtDate, t } from '../i18n.js';
import { session } from '../session.js';
import { badge, confirmDialog, loadError, openDialog, secretOnce, toast } from '../ui.js';

function roleOptions() {
  // Only the owner may create administrators.
  const roles = session.agent.role === 'owner' ? ['agent', 'admin'] : ['agent'];
  return roles.map((r) => [r, t(`role.${r}`)]);
}

/**
 * Whether the server also emailed a new link: "Emailed to x", or that it was
 * not (no mail server), so the link must be passed on by hand.
 */
export function emailedNote(emailed, email, what) {
  return emailed
    ? h('p', { class: 'notice notice-ok', role: 'status', testid: `${what}-emailed` },
      t('settings.agents.emailed_to', { email }))
    : h('p', { class: 'notice', testid: `${what}-not-emailed` }, t('settings.agents.not_emailed'));
}

/** The "Invite agent" button; `onDone` runs after an invitation was created. */
export function inviteButton(onDone) {
  return h('button', {
    type: 'button', class: 'btn btn-primary', testid: 'invite-open',
    onClick: () => openInvite(onDone),
  }, icon('plus', 'icon icon-sm'), h('span', null, t('settings.agents.invite')));
}

function openInvite(onDone) {
  const dlg = openDialog({ title: t('settings.agents.invite'), testid: 'invite-dialog' });
  const f = form({
    testid: 'invite-create',
    submitLabel: t('settings.agents.invite_submit'),
    children: [
      field({ label: t('field.email'), name: 'email', type: 'email', required: true, testid: 'invite-email-input',
        attrs: { inputmode: 'email', autocapitalize: 'off', spellcheck: 'false' } }),
      field({ label: t('field.name'), name: 'name', testid: 'invite-name-input',
        hint: t('settings.agents.invite_name_hint') }),
      selectField({ label: t('field.role'), name: 'role', options: roleOptions(), value: 'agent',
        testid: 'invite-role' }),
    ],
    onSubmit: async (v) => {
      const body = { email: v.email, role: v.role };
      if (v.name) body.name = v.name;
      const r = await api.post('/api/invites', body);
      onDone();
      mount(dlg.body,
        h('p', { class: 'dialog-text' }, t('settings.agents.invite_created', { email: r.invite.email })),
        emailedNote(r.emailed, r.invite.email, 'invite'),
        secretOnce({ label: t('settings.agents.invite_link'), value: r.link,
          note: t('settings.agents.invite_link_note') }),
        h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'btn', testid: 'dialog-done', onClick: dlg.close }, t('common.done'))));
    },
  });
  dlg.body.append(f);
  f.querySelector('input').focus();
}

/** Pending invitations, drawn into `box`; returns a reload function. */
export function pendingInvites(box) {
  async function load() {
    let invites;
    try {
      ({ invites } = await api.get('/api/invites'));
    } catch (err) {
      mount(box, loadError(err, load));
      return;
    }
    if (!invites.length) {
      mount(box);
      return;
    }
    mount(box,
      h('h3', { class: 'subhead' }, t('settings.agents.pending')),
      h('ul', { class: 'list', testid: 'invite-list' }, invites.map((inv) => h('li', { class: 'row', testid: 'invite-row' },
        h('span', { class: 'avatar avatar-sm avatar-muted', 'aria-hidden': 'true' }, icon('user', 'icon icon-sm')),
        h('div', { class: 'row-main' },
          h('div', { class: 'row-title' }, inv.name || inv.email),
          h('div', { class: 'row-sub' }, inv.email),
          h('div', { class: 'row-meta' }, badge(t(`role.${inv.role}`)),
            h('span', null, t('settings.agents.invite_expires', { date: fmtDate(inv.expires_at) })))),
        h('div', { class: 'row-actions' },
          h('button', {
            type: 'button', class: 'btn btn-small btn-quiet-danger', testid: 'invite-revoke',
            onClick: () => revoke(inv),
          }, t('settings.agents.invite_revoke')))))));
  }
  async function revoke(inv) {
    const ok = await confirmDialog({
      title: t('settings.agents.invite_revoke'),
      message: t('settings.agents.invite_revoke_confirm', { email: inv.email }),
      confirmLabel: t('settings.agents.invite_revoke'),
    });
    if (!ok) return;
    try {
      await api.del(`/api/invites/${inv.id}`);
      toast(t('settings.agents.invite_revoked'));
      load();
    } catch (err) {
      toast(err.message, 'error');
    }
  }
  load();
  return load;
}
