// #/inbox, #/inbox/<id> and #/inbox/<id>/contact: the list beside the open
// conversation on wide screens; on phones the list, then the conversation
// full screen with a back button, and the customer's details as a screen
// of their own. The page is kept between visits (filters, scroll position,
// the open conversation) and follows the live feed all the time.
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { icon } from '../icons.js';
import { currentLang, t } from '../i18n.js';
import { liveConnected, onLive } from '../realtime.js';
import { currentPath, go } from '../router.js';
import { session } from '../session.js';
import { bindShortcuts, showShortcuts } from '../shortcuts.js';
import { emptyState } from '../ui.js';
import { createConversation } from './conversation.js';
import { createList } from './inbox-list.js';

const TICK_EVERY = 20_000;
// Show "reconnecting" only when the connection stays down a moment.
const OFFLINE_GRACE = 2500;

let inst = null;
// Set when the agent goes to another page; the list reloads on the way back.
let away = false;
window.addEventListener('hashchange', () => {
  if (!currentPath().startsWith('/inbox')) away = true;
});

/** Agents, teams and labels, for names in the timeline and the pickers. */
function directory() {
  // Label ids seen missing, and those still missing after a refresh (deleted labels).
  const asked = new Set();
  const gone = new Set();
  const labelIds = (x) => (x ? [...(x.added || []), ...(x.removed || [])] : []);
  const dir = {
    agents: new Map(),
    teams: new Map(),
    labels: new Map(),
    ready: Promise.resolve(),
    async refresh() {
      try {
        const [{ agents }, { teams }, { labels }] = await Promise.all([api.get('/api/agents'),
          api.get('/api/teams'), api.get('/api/labels')]);
        dir.agents = new Map(agents.map((a) => [a.id, a]));
        dir.teams = new Map(teams.map((tm) => [tm.id, tm]));
        dir.labels = new Map(labels.map((l) => [l.id, l]));
        for (const l of asked) if (!dir.labels.has(l)) gone.add(l);
        asked.clear();
      } catch {
        // Names fall back to ids; pickers show what we had.
      }
    },
    /** Whether a conversation names an agent, team or label created since the last refresh. */
    lacks(d) {
      const newLabels = d.events.flatMap((e) => labelIds(e.detail)).filter((l) => !dir.labels.has(l) && !gone.has(l));
      for (const l of newLabels) asked.add(l);
      return newLabels.length > 0 || d.events.some(({ detail: x }) => x && ((x.agent_id && !dir.agents.has(x.agent_id))
        || (x.team_id && !dir.teams.has(x.team_id))))
        || Boolean(d.conversation.team_id && !dir.teams.has(d.conversation.team_id));
    },
  };
  return dir;
}

function createInbox() {
  const dir = directory();
  const list = createList();
  let conv = null;
  let listScroll = 0;
  let windowScroll = 0;
  let offlineTimer = null;
  // The open conversation may have changed while another page was shown.
  let stale = false;

  const placeholder = emptyState({
    iconName: 'inbox', title: t('inbox.pick_title'), text: t('inbox.pick_text'), testid: 'conv-placeholder',
  });
  const help = h('button', {
    type: 'button', class: 'btn btn-small shortcuts-btn', testid: 'shortcuts-open', onClick: showShortcuts,
  }, icon('keyboard', 'icon icon-sm'), h('span', null, t('shortcuts.open')));
  placeholder.append(help);
  const convPane = h('div', { class: 'inbox-conv', testid: 'inbox-conv' }, placeholder);
  const offline = h('p', { class: 'live-banner', role: 'status', testid: 'live-offline', hidden: true },
    t('inbox.reconnecting'));
  const root = h('div', { class: 'inbox', testid: 'inbox', dataset: { live: liveConnected() ? 'on' : 'off' } },
    h('div', { class: 'inbox-side' }, offline, list.el), convPane);

  list.scroller.addEventListener('scroll', () => { listScroll = list.scroller.scrollTop; }, { passive: true });
  const onWindowScroll = () => {
    if (root.isConnected && !conv) windowScroll = window.scrollY;
  };
  window.addEventListener('scroll', onWindowScroll, { passive: true });

  const unsubscribeLive = onLive((frame) => {
    if (frame.type === 'closed') {
      root.dataset.live = 'off';
      clearTimeout(offlineTimer);
      offlineTimer = setTimeout(() => { offline.hidden = false; }, OFFLINE_GRACE);
      return;
    }
    if (frame.type === 'open') {
      root.dataset.live = 'on';
      clearTimeout(offlineTimer);
      offline.hidden = true;
    }
    if (frame.type === 'open' || frame.type === 'resync') {
      // Frames may have been missed (before the first connect, too): load what is shown again.
      list.reload();
      if (conv) conv.reload();
      return;
    }
    list.handleFrame(frame);
    if (conv) conv.handleFrame(frame);
  });

  const timer = setInterval(() => {
    if (!root.isConnected) return;
    list.tick();
    if (conv) conv.tick();
  }, TICK_EVERY);

  const onVisibility = () => {
    if (document.visibilityState === 'visible' && conv && root.isConnected) conv.onVisible();
  };
  document.addEventListener('visibilitychange', onVisibility);

  function step(delta) {
    const ids = list.ids();
    if (!ids.length) return;
    const at = conv ? ids.indexOf(conv.id) : -1;
    const next = at < 0 ? (delta > 0 ? 0 : ids.length - 1) : Math.min(ids.length - 1, Math.max(0, at + delta));
    if (ids[next] !== (conv && conv.id)) go(`/inbox/${ids[next]}`);
  }

  const unbindKeys = bindShortcuts(() => root.isConnected, {
    next: () => step(1),
    previous: () => step(-1),
    reply: () => conv && conv.focusReply('reply'),
    note: () => conv && conv.focusReply('note'),
    resolve: () => conv && conv.toggleResolved(),
    assign_me: () => conv && conv.assignToMe(),
    search: () => list.focusSearch(),
    back: () => conv && go(conv.panelOpen() ? `/inbox/${conv.id}` : '/inbox'),
  });

  /** Show the list with conversation `id` open (or none); `panel`: its contact screen. */
  function show(id, ctx, panel) {
    ctx.setLayout({ flush: true, chat: id !== null });
    root.classList.toggle('inbox-open', id !== null);
    list.select(id);
    if (conv && conv.id === id && stale) conv.reload();
    stale = false;
    if (!conv || conv.id !== id) {
      if (conv) conv.destroy();
      conv = null;
      if (id !== null) {
        conv = createConversation(id, { dir, onBack: () => go('/inbox') });
        mount(convPane, conv.el);
      } else {
        mount(convPane, placeholder);
      }
    }
    if (conv) conv.setPanel(panel);
    list.scroller.scrollTop = listScroll;
    if (id === null) window.scrollTo(0, windowScroll);
    else if (conv) conv.onVisible();
  }

  /** Back from another page: what changed meanwhile (deleted inboxes, for one) shows. */
  function refresh() {
    list.reload();
    stale = true;
  }

  dir.ready = dir.refresh();
  return {
    root,
    show,
    refresh,
    lang: currentLang(),
    agentId: session.agent.id,
    destroy() {
      unsubscribeLive();
      unbindKeys();
      clearInterval(timer);
      clearTimeout(offlineTimer);
      window.removeEventListener('scroll', onWindowScroll);
      document.removeEventListener('visibilitychange', onVisibility);
      list.destroy();
      if (conv) conv.destroy();
    },
  };
}

/** #/inbox, #/inbox/:id and #/inbox/:id/contact */
export function renderInbox(page, params, ctx) {
  ctx.setTitle(t('nav.inbox'));
  const id = params.id !== undefined ? Number(params.id) : null;
  if ((id !== null && !(Number.isInteger(id) && id > 0)) || (params.panel && params.panel !== 'contact')) {
    go('/inbox', { replace: true });
    return;
  }
  if (!inst || inst.lang !== currentLang() || !session.agent || inst.agentId !== session.agent.id) {
    if (inst) inst.destroy();
    inst = createInbox();
  } else if (away) {
    inst.refresh();
  }
  away = false;
  page.classList.add('page-inbox');
  page.append(inst.root);
  inst.show(id, ctx, Boolean(params.panel));
}
