// The panel of a ticket's fields: status, priority, type, team, assignee,
// order reference and due date (each saved as soon as it changes), the SLA
// targets, the customer, the chat it came from and the customer's status page link.
// Beside the timeline on wide screens; a fold-out above it elsewhere.
import { contactName } from '../desk.js';
import { h, mount } from '../dom.js';
import { icon } from '../icons.js';
import { fmtDateTime, t } from '../i18n.js';
import { session } from '../session.js';
import {
  dir, fromLocalInput, idOrNull, options, plainSelect, priorityTag, statusBadge, toLocalInput,
} from './tickets-common.js';
import { slaPanel, slaTag } from './tickets-sla.js';

const WIDE = '(min-width: 1200px)';

async function copy(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    input.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}

/** A date in the facts list, or nothing when it has not happened. */
function fact(key, ms) {
  return ms ? [h('dt', null, t(key)), h('dd', null, fmtDateTime(ms))] : null;
}

function row(label, control, testid) {
  return h('div', { class: 'tk-field', testid }, h('span', { class: 'tk-field-label' }, label), control);
}

/**
 * `patch(body)` saves a change and resolves when done (it shows its own
 * errors and redraws). Returns { el, update(ticket, slaClocks) }.
 */
export function createFields({ patch }) {
  const summary = h('summary', { class: 'tk-fields-summary', testid: 'ticket-fields-toggle' });
  const body = h('div', { class: 'tk-fields-body' });
  const el = h('details', { class: 'tk-fields', testid: 'ticket-fields' }, summary, body);
  const wide = window.matchMedia(WIDE);
  el.open = wide.matches;
  wide.addEventListener('change', (ev) => { if (ev.matches) el.open = true; });

  function select(name, opts, value, toBody) {
    return plainSelect({ opts, value, testid: `ticket-field-${name}`, label: t(`tickets.field.${name}`),
      onChange: (ev) => patch(toBody(ev.target.value)) });
  }

  function update(tk, clocks) {
    mount(summary,
      h('span', { class: 'tk-fields-title' }, t('tickets.details')),
      statusBadge(tk.status, 'ticket-fields-status'), priorityTag(tk.priority), slaTag(tk),
      h('span', { class: 'tk-fields-sub' }, [dir.teamName(tk.team_id), dir.agentName(tk.assignee_id)].join(' · ')));

    const order = h('input', { class: 'input', value: tk.order_ref || '', testid: 'ticket-field-order_ref',
      'aria-label': t('tickets.field.order_ref'), maxlength: 100,
      onChange: (ev) => patch({ order_ref: ev.target.value.trim() || null }) });
    const due = h('input', { type: 'datetime-local', class: 'input', value: toLocalInput(tk.due_at),
      testid: 'ticket-field-due_at', 'aria-label': t('tickets.field.due_at'),
      onChange: (ev) => patch({ due_at: fromLocalInput(ev.target.value) }) });
    const locked = tk.status === 'closed';
    const clearDue = tk.due_at && !locked ? h('button', { type: 'button', class: 'tk-link-btn', testid: 'ticket-due-clear',
      'aria-label': t('tickets.clear_due'), onClick: () => patch({ due_at: null }) }, t('tickets.clear')) : null;
    const me = session.agent ? session.agent.id : null;
    const takeBtn = me && tk.assignee_id !== me && !locked ? h('button', { type: 'button', class: 'tk-link-btn',
      testid: 'ticket-take', onClick: () => patch({ assignee_id: me }) }, t('tickets.take')) : null;

    const link = h('input', { class: 'input mono', readonly: true, value: tk.status_url || '',
      testid: 'ticket-status-url', 'aria-label': t('tickets.status_page'), onFocus: (ev) => ev.target.select() });
    const copyBtn = h('button', {
      type: 'button', class: 'btn btn-small', testid: 'ticket-status-url-copy',
      onClick: async () => {
        const ok = await copy(link.value, link);
        copyBtn.lastChild.textContent = ok ? t('common.copied') : t('common.copy_failed');
        setTimeout(() => { copyBtn.lastChild.textContent = t('common.copy'); }, 2000);
      },
    }, icon('copy', 'icon icon-sm'), h('span', null, t('common.copy')));

    const c = tk.contact || {};
    mount(body,
      h('div', { class: 'tk-field-grid' },
        row(t('tickets.field.status'), select('status', options('status'), tk.status, (v) => ({ status: v }))),
        row(t('tickets.field.priority'), select('priority', options('priority'), tk.priority,
          (v) => ({ priority: v }))),
        row(t('tickets.field.type'), select('type', options('type', { none: t('tickets.no_type') }),
          tk.type_id, (v) => ({ type_id: idOrNull(v) }))),
        row(t('tickets.field.team'), select('team', options('team', { none: t('tickets.no_team') }),
          tk.team_id, (v) => ({ team_id: idOrNull(v) }))),
        row(h('span', { class: 'tk-field-label-row' }, t('tickets.field.assignee'), takeBtn),
          select('assignee', options('agent', { none: t('tickets.unassigned'), keep: tk.assignee_id }),
            tk.assignee_id, (v) => ({ assignee_id: idOrNull(v) }))),
        row(t('tickets.field.order_ref'), order),
        row(h('span', { class: 'tk-field-label-row' }, t('tickets.field.due_at'), clearDue), due)),
      slaPanel(tk, clocks),
      h('div', { class: 'tk-facts' },
        h('h3', { class: 'facts-title' }, t('tickets.customer')),
        h('p', { class: 'contact-name', testid: 'ticket-contact-name' }, contactName(c)),
        c.email ? h('a', { class: 'link-break', href: `mailto:${c.email}`, testid: 'ticket-contact-email' }, c.email)
          : h('p', { class: 'hint' }, t('tickets.no_email')),
        c.phone ? h('a', { class: 'link-break', href: `tel:${c.phone}` }, c.phone) : null,
        tk.conversation_id ? h('a', { class: 'btn btn-small tk-conv-link', href: `#/inbox/${tk.conversation_id}`,
          testid: 'ticket-conversation-link' }, icon('inbox', 'icon icon-sm'),
        h('span', null, t('tickets.open_chat', { id: tk.conversation_id }))) : null),
      tk.status_url ? h('div', { class: 'tk-facts' },
        h('h3', { class: 'facts-title' }, t('tickets.status_page')),
        h('p', { class: 'hint' }, t('tickets.status_page_hint')),
        h('div', { class: 'secret-row' }, link, copyBtn)) : null,
      h('dl', { class: 'facts facts-stacked tk-dates' },
        fact('tickets.created', tk.created_at), fact('tickets.updated', tk.updated_at),
        fact('tickets.first_response', tk.first_response_at), fact('tickets.solved_at', tk.solved_at)));
    // A closed ticket is final: the server refuses every change.
    if (locked) {
      for (const c of body.querySelectorAll('.tk-field-grid select, .tk-field-grid input, .tk-field-grid button')) {
        c.disabled = true;
      }
    }
  }

  return { el, update };
}
