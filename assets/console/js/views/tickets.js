// #/tickets, #/tickets/<id> and #/tickets/new[?conversation=<id>]: the list
// beside the open ticket (or the new-ticket form) on wide screens; on phones
// the list, then the ticket full screen with a back button. The page is
// kept between visits (filters, scroll position), like the inbox.
import { h, mount } from '../dom.js';
import { icon } from '../icons.js';
import { currentLang, t } from '../i18n.js';
import { onLive } from '../realtime.js';
import { currentPath, go } from '../router.js';
import { session } from '../session.js';
import { emptyState } from '../ui.js';
import { dir, tickDue } from './tickets-common.js';
import { createTicketDetail } from './tickets-detail.js';
import { createTicketList } from './tickets-list.js';
import { createNewTicket } from './tickets-new.js';
import { tickSla } from './tickets-sla.js';

const TICK_EVERY = 30_000;

let inst = null;
let away = false;
window.addEventListener('hashchange', () => {
  if (!currentPath().startsWith('/tickets')) away = true;
});

function createPage() {
  let pane = null;
  const list = createTicketList({
    onBulk: (ids) => {
      if (pane && pane.kind === 'ticket' && ids.includes(pane.id)) pane.reload();
    },
  });
  let listScroll = 0;
  // Phones scroll the page itself: where the list was, for the way back from a ticket.
  let windowScroll = 0;
  const onWindowScroll = () => {
    if (root.isConnected && !root.classList.contains('tk-open')) windowScroll = window.scrollY;
  };
  window.addEventListener('scroll', onWindowScroll, { passive: true });

  const placeholder = emptyState({ iconName: 'ticket', title: t('tickets.pick_title'), text: t('tickets.pick_text'),
    testid: 'ticket-placeholder' });
  placeholder.append(h('a', { class: 'btn btn-primary', href: '#/tickets/new' }, icon('plus', 'icon icon-sm'),
    h('span', null, t('tickets.new'))));
  const paneEl = h('div', { class: 'tk-pane', testid: 'tickets-pane' }, placeholder);
  const root = h('div', { class: 'tk', testid: 'tickets' }, h('div', { class: 'tk-side' }, list.el), paneEl);
  list.scroller.addEventListener('scroll', () => { listScroll = list.scroller.scrollTop; }, { passive: true });

  const toList = () => go('/tickets');

  // Back online after a break: what is shown may be old.
  const unsubscribeLive = onLive((frame) => {
    if (frame.type === 'open' || frame.type === 'resync') {
      list.reload();
      if (pane && pane.reload) pane.reload();
    } else if (frame.type === 'tickets') {
      refreshSoon();
    }
  });
  // The server says "tickets changed" after every change; a burst of them (a bulk
  // change, a mailbox backlog) is fetched once.
  let pending = null;
  function refreshSoon() {
    if (pending || !root.isConnected) return;
    pending = setTimeout(() => {
      pending = null;
      list.refreshQuiet();
      if (pane && pane.reload) pane.reload();
    }, 300);
  }
  // The due times and SLA deadlines count down; what is shown is also fetched again
  // now and then (a safety net while the socket is down).
  const timer = setInterval(() => {
    if (!root.isConnected) return;
    tickDue(root);
    tickSla(root);
    if (document.visibilityState !== 'visible') return;
    list.refreshQuiet();
    if (pane && pane.reload) pane.reload();
  }, TICK_EVERY);

  function setPane(next) {
    if (pane && pane.destroy) pane.destroy();
    pane = next;
    mount(paneEl, next ? next.el : placeholder);
  }

  /** route: { kind: 'list'|'ticket'|'new', id?, conversationId? } */
  function show(route, ctx) {
    const open = route.kind !== 'list';
    ctx.setLayout({ flush: true, chat: open });
    root.classList.toggle('tk-open', open);
    list.select(route.kind === 'ticket' ? route.id : null);
    if (route.kind === 'list') {
      setPane(null);
    } else if (route.kind === 'ticket') {
      if (!pane || pane.kind !== 'ticket' || pane.id !== route.id) {
        const d = createTicketDetail(route.id, { onBack: toList, onChanged: (tk) => list.upsert(tk) });
        d.kind = 'ticket';
        setPane(d);
      }
    } else if (!pane || pane.kind !== 'new' || pane.conversationId !== route.conversationId) {
      const f = createNewTicket({
        conversationId: route.conversationId,
        onBack: () => (route.conversationId ? go(`/inbox/${route.conversationId}`) : toList()),
        onCreated: (tk) => {
          list.reload();
          go(`/tickets/${tk.id}`, { replace: true });
        },
      });
      f.kind = 'new';
      setPane(f);
    }
    list.scroller.scrollTop = listScroll;
    if (!open) window.scrollTo(0, windowScroll);
  }

  return {
    root,
    show,
    lang: currentLang(),
    agentId: session.agent.id,
    refresh() {
      dir.load().then(() => list.redrawFilters());
      list.reload();
      if (pane && pane.reload) pane.reload();
    },
    destroy() {
      unsubscribeLive();
      clearInterval(timer);
      clearTimeout(pending);
      window.removeEventListener('scroll', onWindowScroll);
      list.destroy();
      setPane(null);
    },
  };
}

/** #/tickets, #/tickets/:id (a number or "new"); params.query holds ?conversation=. */
export function renderTickets(page, params, ctx) {
  ctx.setTitle(t('nav.tickets'));
  let route = { kind: 'list' };
  if (params.id === 'new') {
    const conv = Number(params.query ? params.query.get('conversation') : NaN);
    route = { kind: 'new', conversationId: Number.isInteger(conv) && conv > 0 ? conv : null };
  } else if (params.id !== undefined) {
    const id = Number(params.id);
    if (!Number.isInteger(id) || id <= 0) {
      go('/tickets', { replace: true });
      return;
    }
    route = { kind: 'ticket', id };
  }
  if (!inst || inst.lang !== currentLang() || !session.agent || inst.agentId !== session.agent.id) {
    if (inst) inst.destroy();
    dir.load();
    inst = createPage();
  } else if (away) {
    inst.refresh();
  }
  away = false;
  page.classList.add('page-tickets');
  page.append(inst.root);
  inst.show(route, ctx);
}
