// #/tickets/new (and ?conversation=<id>, filled in from that chat): subject,
// the customer (typed in, or the chat's customer shown read-only), the
// request, type, priority, team, assignee, order reference, due date and
// whether to email the customer a confirmation.
import { api } from '../api.js';
import { contactName } from '../desk.js';
import { h, mount } from '../dom.js';
import { field, form, selectField, textArea } from '../forms.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { loadError, loading, toast } from '../ui.js';
import { dir, fromLocalInput, idOrNull, options } from './tickets-common.js';

function contactCard(c) {
  return h('div', { class: 'field' },
    h('span', { class: 'label' }, t('tickets.customer')),
    h('div', { class: 'tk-contact-card', testid: 'ticket-new-contact' },
      h('span', { class: 'avatar avatar-sm avatar-muted', 'aria-hidden': 'true' }, icon('user', 'icon icon-sm')),
      h('div', { class: 'contact-card-text' },
        h('p', { class: 'contact-name' }, contactName(c)),
        c.email ? h('p', { class: 'contact-sub', testid: 'ticket-new-contact-email' }, c.email) : null,
        c.phone ? h('p', { class: 'contact-sub' }, c.phone) : null)));
}

function buildForm(draft, onCreated) {
  const c = draft && draft.contact;
  const hasEmail = c ? Boolean(c.email) : true;
  const customer = c ? [contactCard(c)] : [
    h('fieldset', { class: 'field tk-fieldset' },
      h('legend', { class: 'label' }, t('tickets.customer')),
      h('p', { class: 'hint' }, t('tickets.new.customer_hint')),
      h('div', { class: 'tk-form-grid' },
        field({ label: t('tickets.new.name'), name: 'name', testid: 'ticket-new-name', autocomplete: 'off' }),
        field({ label: t('tickets.new.email'), name: 'email', type: 'email', testid: 'ticket-new-email',
          autocomplete: 'off' }),
        field({ label: t('tickets.new.phone'), name: 'phone', type: 'tel', testid: 'ticket-new-phone',
          autocomplete: 'off' }))),
  ];
  const notify = h('label', { class: 'switch' },
    h('input', { type: 'checkbox', class: 'switch-input', name: 'notify', value: '1', checked: hasEmail,
      disabled: !hasEmail, testid: 'ticket-new-notify' }),
    h('span', { class: 'switch-track', 'aria-hidden': 'true' }),
    h('span', { class: 'switch-text' }, h('span', { class: 'switch-label' }, t('tickets.new.notify')),
      h('span', { class: 'hint' }, hasEmail ? t('tickets.new.notify_hint') : t('tickets.no_email'))));

  return form({
    testid: 'ticket-new-form',
    submitLabel: t('tickets.new.submit'),
    wide: true,
    extraActions: h('a', { class: 'btn', href: '#/tickets', testid: 'ticket-new-cancel' }, t('common.cancel')),
    children: [
      field({ label: t('tickets.field.subject'), name: 'subject', required: true, testid: 'ticket-new-subject',
        value: draft ? draft.subject : '', attrs: { maxlength: 200 } }),
      ...customer,
      textArea({ label: t('tickets.field.request'), name: 'request', rows: 5, testid: 'ticket-new-request',
        value: draft ? draft.request : '' }),
      h('div', { class: 'tk-form-grid' },
        selectField({ label: t('tickets.field.type'), name: 'type_id', testid: 'ticket-new-type',
          options: options('type', { none: t('tickets.no_type') }), value: '' }),
        selectField({ label: t('tickets.field.priority'), name: 'priority', testid: 'ticket-new-priority',
          options: options('priority'), value: 'normal' }),
        selectField({ label: t('tickets.field.team'), name: 'team_id', testid: 'ticket-new-team',
          options: options('team', { none: t('tickets.no_team') }), value: '' }),
        selectField({ label: t('tickets.field.assignee'), name: 'assignee_id', testid: 'ticket-new-assignee',
          options: options('agent', { none: t('tickets.unassigned') }), value: '' }),
        field({ label: t('tickets.field.order_ref'), name: 'order_ref', testid: 'ticket-new-order',
          value: (draft && draft.order_ref) || '', attrs: { maxlength: 100 } }),
        field({ label: t('tickets.field.due_at'), name: 'due_at', type: 'datetime-local', testid: 'ticket-new-due' })),
      notify,
    ],
    onSubmit: async (v) => {
      const body = {
        subject: v.subject, request: v.request, priority: v.priority,
        type_id: idOrNull(v.type_id), team_id: idOrNull(v.team_id), assignee_id: idOrNull(v.assignee_id),
        order_ref: v.order_ref || null, due_at: fromLocalInput(v.due_at),
        notify_customer: hasEmail && (v.notify || []).includes('1'),
      };
      if (c) body.contact_id = c.id;
      else body.contact = { name: v.name || '', email: v.email || null, phone: v.phone || null };
      if (draft && draft.conversation_id) body.conversation_id = draft.conversation_id;
      const r = await api.post('/api/tickets', body);
      toast(t('tickets.new.created', { number: `#${r.ticket.number}` }));
      onCreated(r.ticket);
    },
  });
}

/**
 * The form in its pane. `conversationId` fills it in from that chat;
 * `onBack()` leaves, `onCreated(ticket)` after saving.
 */
export function createNewTicket({ conversationId, onBack, onCreated }) {
  const body = h('div', { class: 'tk-new-body' }, loading());
  const el = h('section', { class: 'tk-new', testid: 'ticket-new-pane' },
    h('header', { class: 'tk-head' },
      h('button', { type: 'button', class: 'btn-icon tk-back', testid: 'ticket-back', 'aria-label': t('tickets.back'),
        onClick: onBack }, icon('back')),
      h('div', { class: 'tk-head-text' },
        h('h2', { class: 'tk-head-subject' }, t('tickets.new.title')),
        conversationId ? h('a', { class: 'tk-head-sub', href: `#/inbox/${conversationId}` },
          t('tickets.new.from_chat', { id: conversationId })) : null)),
    body);

  async function load() {
    mount(body, loading());
    try {
      const [draft] = await Promise.all([
        conversationId ? api.get(`/api/conversations/${conversationId}/ticket-draft`) : null, dir.load()]);
      const f = buildForm(draft, onCreated);
      mount(body, f);
      if (!draft || !draft.subject) f.querySelector('input').focus();
    } catch (err) {
      mount(body, loadError(err, load));
    }
  }
  load();
  return { el, conversationId };
}
