// Settings → API tokens: tokens for scripts and integrations. The secret
// is shown once at creation; afterwards only its prefix is known.
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { field, form, selectField } from '../forms.js';
import { icon } from '../icons.js';
import { fmtDateTime, t } from '../i18n.js';
import { session } from '../session.js';
import { badge, confirmDialog, loadError, loading, openDialog, secretOnce, toast } from '../ui.js';
import { sectionHead } from './settings.js';

function openCreate(reload) {
  const dlg = openDialog({ title: t('settings.tokens.new'), testid: 'token-dialog' });
  const roles = session.agent.role === 'owner' ? ['agent', 'admin'] : ['agent'];
  const f = form({
    testid: 'token-form',
    submitLabel: t('settings.tokens.create'),
    children: [
      field({ label: t('settings.tokens.name'), name: 'name', required: true, testid: 'token-name-input',
        hint: t('settings.tokens.name_hint') }),
      selectField({ label: t('settings.tokens.role'), name: 'role', value: 'agent', testid: 'token-role',
        options: roles.map((r) => [r, t(`role.${r}`)]), hint: t('settings.tokens.role_hint') }),
    ],
    onSubmit: async (v) => {
      const r = await api.post('/api/tokens', { name: v.name, role: v.role });
      reload();
      mount(dlg.body,
        h('p', { class: 'dialog-text' }, t('settings.tokens.created', { name: r.token.name })),
        secretOnce({ label: t('settings.tokens.secret'), value: r.secret, note: t('settings.tokens.secret_note') }),
        h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'btn', testid: 'dialog-done', onClick: dlg.close }, t('common.done'))));
    },
  });
  dlg.body.append(f);
  f.querySelector('input').focus();
}

async function revoke(token, reload) {
  const ok = await confirmDialog({
    title: t('settings.tokens.revoke'),
    message: t('settings.tokens.revoke_confirm', { name: token.name }),
    confirmLabel: t('settings.tokens.revoke'),
  });
  if (!ok) return;
  try {
    await api.del(`/api/tokens/${token.id}`);
    toast(t('settings.tokens.revoked', { name: token.name }));
    reload();
  } catch (err) {
    toast(err.message, 'error');
  }
}

function tokenRow(token, agentsById, reload) {
  const creator = agentsById.get(token.created_by);
  return h('li', { class: 'row', testid: 'token-row', dataset: { tokenId: token.id } },
    h('span', { class: 'avatar avatar-sm avatar-team', 'aria-hidden': 'true' }, icon('key', 'icon icon-sm')),
    h('div', { class: 'row-main' },
      h('div', { class: 'row-title' }, h('span', { testid: 'token-name' }, token.name),
        badge(t(`role.${token.role}`), token.role === 'agent' ? 'neutral' : 'accent')),
      h('div', { class: 'row-sub mono' }, `${token.prefix}…`),
      h('div', { class: 'row-meta' },
        h('span', null, t('settings.tokens.created_by', {
          name: creator ? creator.name : '—', date: fmtDateTime(token.created_at),
        })),
        h('span', null, token.last_used_at
          ? t('settings.tokens.last_used', { date: fmtDateTime(token.last_used_at) })
          : t('settings.tokens.never_used')))),
    h('div', { class: 'row-actions' },
      h('button', { type: 'button', class: 'btn btn-small btn-quiet-danger', testid: 'token-revoke',
        onClick: () => revoke(token, reload) }, t('settings.tokens.revoke'))));
}

/** Draw the API tokens section into `body`. */
export function renderTokens(body) {
  const listBox = h('div', { class: 'list-box' }, loading());

  async function load() {
    let tokens;
    let agents;
    try {
      [{ tokens }, { agents }] = await Promise.all([api.get('/api/tokens'), api.get('/api/agents')]);
    } catch (err) {
      mount(listBox, loadError(err, load));
      return;
    }
    const agentsById = new Map(agents.map((a) => [a.id, a]));
    mount(listBox, tokens.length
      ? h('ul', { class: 'list', testid: 'token-list' }, tokens.map((tk) => tokenRow(tk, agentsById, load)))
      : h('p', { class: 'list-empty', testid: 'token-list-empty' }, t('settings.tokens.empty')));
  }

  body.append(
    sectionHead(t('settings.tokens.title'), t('settings.tokens.text'),
      h('button', { type: 'button', class: 'btn btn-primary', testid: 'token-new', onClick: () => openCreate(load) },
        icon('plus', 'icon icon-sm'), h('span', null, t('settings.tokens.new')))),
    listBox);
  load();
}
