// The ticket's public history as the customer sees it: their own messages on
// the right, the shop's replies on the left with the agent's name, status
// changes as small lines. Every text from people goes in as a text node.
import { h, localUrl, t, timeEl } from './util.js';

const URL_RE = /https?:\/\/[^\s<>"'，。、！？；（）【】「」]+/g;
export const STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'];

/** The customer's word for a status ('' for one this page does not know). */
export const statusName = (s) => (STATUSES.includes(s) ? t(`status_page.status.${s}`) : String(s || ''));

/** Text with http(s) links made clickable; everything else stays text. */
export function linkify(text) {
  const out = [];
  let last = 0;
  for (const m of String(text).matchAll(URL_RE)) {
    const url = m[0].replace(/[.,;:!?)\]]+$/, '');
    out.push(text.slice(last, m.index),
      h('a', { href: url, target: '_blank', rel: 'noopener noreferrer nofollow' }, url));
    last = m.index + url.length;
  }
  out.push(text.slice(last));
  return out;
}

/** An attached image: fits the bubble, loads when scrolled to, opens full size in a new tab. */
export function picture(src, href) {
  const img = h('img', { loading: 'lazy', decoding: 'async', src, alt: t('status_page.image'), testid: 'event-image' });
  return href
    ? h('a', {
      class: 'pic', href, target: '_blank', rel: 'noopener noreferrer', title: t('status_page.image_open'),
      testid: 'event-image-link',
    }, img)
    : h('span', { class: 'pic' }, img);
}

function attachmentOf(ev) {
  const a = ev.attachment;
  const url = a && localUrl(a.url);
  if (!url) return null;
  if (String(a.mime || '').startsWith('image/')) return picture(url, url);
  return h('a', { class: 'file', href: url, target: '_blank', rel: 'noopener noreferrer' }, t('status_page.attachment'));
}

function authorKind(ev) {
  return ev.author && typeof ev.author === 'object' ? ev.author.kind : '';
}

function authorName(ev, shop) {
  const name = ev.author && typeof ev.author.name === 'string' ? ev.author.name.trim() : '';
  if (authorKind(ev) === 'contact') return t('status_page.you');
  if (authorKind(ev) === 'system') return name || shop;
  return name || t('status_page.agent');
}

/**
 * One event as a node; null for an event the customer has nothing to read in.
 * `ctx`: shop (its name), request (the ticket's request text, if kefu shows it).
 */
export function eventNode(ev, ctx) {
  const { shop } = ctx;
  const kind = String(ev.kind || '');
  const author = authorKind(ev);
  const base = { testid: 'event', 'data-kind': kind, 'data-author': author, 'data-id': ev.id };
  let body = typeof ev.body === 'string' ? ev.body : '';
  if (kind === 'created' && !body && typeof ctx.request === 'string') body = ctx.request;
  if (kind === 'status') {
    const to = ev.data && ev.data.to;
    if (!to) return null;
    return h('li', { ...base, class: 'ev line' },
      h('span', null, t('status_page.ev.status', { status: statusName(to) })),
      timeEl(ev.created_at, 'when'));
  }
  if (kind === 'created') {
    // The request itself, however it was written down (by the customer or an agent for them).
    const pic = attachmentOf(ev);
    return h('li', { ...base, class: 'ev request' },
      h('div', { class: 'line' }, h('span', null, t('status_page.ev.created')), timeEl(ev.created_at, 'when')),
      body.trim() || pic
        ? h('div', { class: 'req' }, h('p', { class: 'who' }, t('status_page.your_request')),
          pic, body.trim() ? h('div', { class: 'text', testid: 'event-body' }, linkify(body)) : null)
        : null);
  }
  if (kind !== 'public_reply' && kind !== 'customer_reply' && !body && !ev.attachment) return null;
  const mine = kind === 'customer_reply' || (kind !== 'public_reply' && author === 'contact');
  const pic = attachmentOf(ev);
  return h('li', { ...base, class: `ev msg ${mine ? 'me' : 'them'}` },
    h('p', { class: 'who' }, mine ? t('status_page.you') : authorName(ev, shop)),
    pic,
    body ? h('div', { class: 'bubble', testid: 'event-body' }, linkify(body)) : null,
    h('p', { class: 'meta' }, timeEl(ev.created_at, 'when')));
}

/**
 * The list, kept in `ol`: unchanged events keep their nodes (an image does not
 * load again every poll). `events` oldest first.
 */
export function createTimeline(ol) {
  const nodes = new Map(); // id → { el, sig }
  return {
    /** `ctx`: { shop, request } as for eventNode. */
    render(events, ctx) {
      const keep = new Set();
      const els = [];
      for (const ev of events) {
        const sig = JSON.stringify([ev.kind, ev.body, ev.data, ev.attachment, ev.author, ev.created_at,
          ev.kind === 'created' ? ctx.request : null]);
        let n = nodes.get(ev.id);
        if (!n || n.sig !== sig) {
          n = { el: eventNode(ev, ctx), sig };
          nodes.set(ev.id, n);
        }
        keep.add(ev.id);
        if (n.el) els.push(n.el);
      }
      for (const id of nodes.keys()) if (!keep.has(id)) nodes.delete(id);
      if (els.length !== ol.children.length || els.some((el, i) => ol.children[i] !== el)) ol.replaceChildren(...els);
    },
    /** After a language switch every node is drawn again. */
    reset() {
      nodes.clear();
    },
  };
}
