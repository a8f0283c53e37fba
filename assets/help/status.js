// The customer's status page for one ticket: /s/<token>, no login (the token
// is the only secret). Shows where the request stands in plain words, its
// public history, and a form to reply; asks kefu again every 30 s while the
// page is visible. The page speaks the customer's language as the ticket
// knows it, unless they pick the other one with the switch in the corner.
import { ApiError, LANGS, api, browserLang, currentLang, h, icon, loadLang, local, normLang, t, timeEl } from './util.js';
import { STATUSES, createTimeline, statusName } from './timeline.js';
import { createReply } from './reply.js';

const POLL_MS = 30000;
const LANG_KEY = 'kefu.status.lang';
const root = document.getElementById('kf');
const match = /^\/s\/([^/?#]+)\/?$/.exec(location.pathname);
const token = match ? decodeURIComponent(match[1]) : '';

const st = {
  data: null, // { shop_name, locale, ticket }
  events: new Map(), // id → event
  closedMessage: '', // kefu's words when a reply was refused because the ticket is closed
  image: { file: null, preview: '', uploading: false, attachment: null, seq: 0 },
  lastFetch: 0,
  gone: false,
};
let view = null;
let pollTimer = 0;

// ---- language ----

/** The language picked with the switch on this browser, else null. */
const chosenLang = () => normLang(local.get(LANG_KEY));

function langSwitch(after) {
  const other = currentLang() === 'zh-CN' ? 'en' : 'zh-CN';
  return h('button', {
    type: 'button', class: 'lang', lang: other, testid: 'lang-switch',
    title: t('status_page.switch_title'), 'aria-label': t('status_page.switch_title'),
    onClick: async () => {
      if (view && view.busy()) return; // a reply on its way finishes in the words it started in
      local.set(LANG_KEY, other);
      try {
        await loadLang(other);
      } catch {
        return; // the dictionary could not be fetched: stay as we are
      }
      after();
    },
  }, icon('globe'), h('span', null, t('status_page.switch_to')));
}

// ---- the whole-page states: loading failed, not a valid link ----

function renderInvalid() {
  st.gone = true;
  clearTimeout(pollTimer);
  document.title = t('status_page.invalid_title');
  root.removeAttribute('aria-busy');
  root.replaceChildren(
    h('div', { class: 'bar' }, h('span', { class: 'shop' }), langSwitch(renderInvalid)),
    h('section', { class: 'card fatal', role: 'alert', testid: 'status-invalid' },
      icon('link', 'ic big'),
      h('h1', null, t('status_page.invalid_title')),
      h('p', null, t('status_page.invalid_text'))));
}

function renderFailed(message) {
  root.removeAttribute('aria-busy');
  const known = t('status_page.load_failed') !== 'status_page.load_failed';
  root.replaceChildren(h('section', { class: 'card fatal', role: 'alert', testid: 'status-failed' },
    icon('alert', 'ic big'),
    h('h1', null, known ? t('status_page.load_failed') : 'kefu · 加载失败 · Could not load'),
    message ? h('p', null, message) : null,
    h('button', { type: 'button', class: 'btn primary', onClick: () => location.reload() },
      known ? t('status_page.retry') : '重试 · Retry')));
}

// ---- the page ----

function sortedEvents() {
  return Array.from(st.events.values()).sort((a, b) => (a.created_at - b.created_at) || (a.id - b.id));
}

function addEvents(list) {
  for (const ev of list || []) {
    if (ev && typeof ev === 'object' && ev.id !== undefined && ev.id !== null) st.events.set(ev.id, ev);
  }
}

function createView() {
  const shop = h('span', { class: 'shop', testid: 'status-shop' });
  const number = h('p', { class: 'num', testid: 'status-number' });
  const subject = h('h1', { class: 'subject', testid: 'status-subject' });
  const dates = h('p', { class: 'dates', testid: 'status-dates' });
  const header = h('header', { class: 'top' },
    h('div', { class: 'bar' }, shop, langSwitch(redraw)), number, subject, dates);

  const sname = h('p', { class: 'sname', testid: 'status-name' });
  const statusText = h('p', { class: 'explain', testid: 'status-text' });
  const replyNow = h('button', {
    type: 'button', class: 'btn primary', testid: 'status-reply-now', hidden: true,
    onClick: () => {
      const form = document.getElementById('reply');
      if (form) form.scrollIntoView({ behavior: 'smooth', block: 'center' });
      reply.focus();
    },
  }, t('status_page.reply_now'));
  const card = h('section', { class: 'card status', testid: 'status-card', 'aria-labelledby': 'status-label' },
    h('p', { class: 'label', id: 'status-label' }, t('status_page.status_label')), sname, statusText, replyNow);

  const ol = h('ol', { class: 'timeline', testid: 'timeline', 'aria-live': 'polite' });
  const timeline = createTimeline(ol);
  const history = h('section', { class: 'history', 'aria-labelledby': 'history-title' },
    h('h2', { id: 'history-title' }, t('status_page.history')), ol);

  const reply = createReply({
    token,
    image: st.image,
    onSent(event) {
      st.closedMessage = '';
      if (event) addEvents([event]);
      update();
      // A reply may reopen a solved ticket: fetch the new status (and anything else new).
      refresh();
    },
    onClosed(message) {
      st.closedMessage = message;
      if (st.data) st.data.ticket.status = 'closed';
      update();
      refresh();
    },
  });
  const closedNote = h('p', { class: 'closed-note', role: 'status', testid: 'reply-closed', hidden: true });
  const replySection = h('section', { class: 'reply', id: 'reply', 'aria-labelledby': 'reply-title' },
    h('h2', { id: 'reply-title' }, t('status_page.reply_title')), reply.el, closedNote);

  const footer = h('footer', { class: 'foot' }, h('p', null, t('status_page.private')));

  root.removeAttribute('aria-busy');
  root.replaceChildren(header, card, history, replySection, footer);

  function update() {
    const { shop_name: shopName, ticket } = st.data;
    const status = STATUSES.includes(ticket.status) ? ticket.status : 'open';
    const num = t('status_page.number', { number: ticket.number });
    document.title = shopName ? `${num} · ${shopName}` : num;
    shop.textContent = shopName || '';
    number.textContent = num;
    subject.textContent = ticket.subject || '';
    dates.replaceChildren(
      h('span', null, t('status_page.opened'), ' ', timeEl(ticket.created_at)),
      h('span', { class: 'sep', 'aria-hidden': 'true' }, ' · '),
      h('span', null, t('status_page.updated'), ' ', timeEl(ticket.updated_at)));

    card.setAttribute('data-status', status);
    card.classList.toggle('hl', status === 'pending');
    sname.replaceChildren(h('span', { class: 'dot', 'aria-hidden': 'true' }), statusName(status));
    statusText.textContent = t(`status_page.explain.${status}`, { shop: shopName || '' });
    replyNow.hidden = status !== 'pending';

    timeline.render(sortedEvents(), { shop: shopName || '', request: ticket.request });

    const closed = status === 'closed';
    reply.el.hidden = closed;
    closedNote.hidden = !closed;
    closedNote.textContent = st.closedMessage || t('status_page.closed_note');
    replySection.classList.toggle('is-closed', closed);
  }

  return { update, busy: () => reply.isBusy() };
}

function redraw() {
  view = createView();
  view.update();
}

function schedule() {
  clearTimeout(pollTimer);
  if (!st.gone) pollTimer = setTimeout(poll, POLL_MS);
}

function poll() {
  if (document.visibilityState === 'visible') refresh();
  else schedule();
}

async function fetchStatus() {
  const r = await api.get(`/api/status/${encodeURIComponent(token)}`);
  if (!r || !r.ticket) throw new ApiError(500, 'bad_response', t('status_page.server_error', { status: 500 }));
  st.lastFetch = Date.now();
  return r;
}

let refreshing = null;
let again = false;

/**
 * Ask kefu again; a failure leaves the page as it is (the next poll tries
 * again). Asked while a request is on its way (which may have left before a
 * reply was sent), one more follows it.
 */
function refresh() {
  if (st.gone) return Promise.resolve();
  if (refreshing) {
    again = true;
    return refreshing;
  }
  refreshing = fetchStatus().then((r) => {
    st.data = r;
    st.events.clear();
    addEvents(r.events);
    if (r.ticket.status !== 'closed') st.closedMessage = '';
    if (view) view.update();
  }).catch((err) => {
    if (err instanceof ApiError && err.status === 404) renderInvalid();
  }).finally(() => {
    refreshing = null;
    if (again) {
      again = false;
      refresh();
    } else {
      schedule();
    }
  });
  return refreshing;
}

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && st.data && Date.now() - st.lastFetch >= POLL_MS) refresh();
});

async function boot() {
  const chosen = chosenLang();
  const first = chosen || browserLang();
  try {
    await loadLang(first);
  } catch (err) {
    renderFailed('');
    return;
  }
  if (!token) {
    renderInvalid();
    return;
  }
  let r;
  try {
    r = await fetchStatus();
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 400)) renderInvalid();
    else renderFailed(err.message);
    return;
  }
  // The customer's language as the ticket knows it, unless they chose on this browser.
  const want = chosen || (LANGS.includes(r.locale) ? r.locale : first);
  if (want !== currentLang()) {
    try {
      await loadLang(want);
    } catch {
      // keep the dictionary we have
    }
  }
  st.data = r;
  addEvents(r.events);
  redraw();
  schedule();
}

boot();
