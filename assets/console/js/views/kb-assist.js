// Suggested articles over the reply box: while an agent reads a conversation,
// the knowledge base articles that best match the customer's latest message,
// each with a button that puts its answer and public link into the reply box
// to edit before sending (nothing is sent). Looked up again when a new
// customer message arrives, never while the agent types. One line ("3
// suggested articles") until opened on phones; open where there is room.
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { toast } from '../ui.js';
import { KB_LANGS } from './kb-common.js';

const LIMIT = 3;
// Below this a match is noise (where the bot starts offering articles).
const SHOWN_FROM = 0.4;
// A long message (an email) is searched by its start.
const QUERY_MAX = 500;
const WIDE = '(min-width: 768px)';
// Open or closed as the agent last left it, in every conversation; at first,
// open where there is room.
let openChoice = null;
let uid = 0;

/** The customer's latest message if it has text; null when there is none or it is only a picture. */
export function latestQuestion(messages) {
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    const m = messages[i];
    if (m.sender === 'contact') return m.body && m.body.trim() ? m : null;
  }
  return null;
}

/** The reply for an article (GET /api/kb/articles/<id>): its answer, a blank line, its public page. */
export function articleReply(a) {
  return `${a.body_text.trim()}\n\n${location.origin}/help/${a.locale}/articles/${a.id}`;
}

/**
 * The strip. `insert(text)` puts text in the reply box; `onResize()` runs
 * when the strip appears, goes or opens (the history above keeps its end in
 * view). `update(detail)` after every load of the conversation and every new
 * message: it searches only when the latest customer message changed.
 */
export function createKbAssist({ insert, onResize }) {
  const listId = `kb-assist-${(uid += 1)}`;
  const label = h('span', { class: 'kb-assist-label', testid: 'kb-assist-label' });
  const toggle = h('button', {
    type: 'button', class: 'kb-assist-toggle', testid: 'kb-assist-toggle', 'aria-controls': listId,
    'aria-expanded': 'false', onClick: () => setOpen(toggle.getAttribute('aria-expanded') !== 'true', true),
  }, icon('book', 'icon icon-xs'), label, icon('down', 'icon icon-xs kb-assist-chevron'));
  const list = h('ul', { class: 'kb-assist-list', id: listId, testid: 'kb-assist-list', hidden: true });
  const el = h('section', { class: 'kb-assist', testid: 'kb-assist', hidden: true, 'aria-label': t('inbox.assist.title') },
    toggle, list);
  let key = null;
  let seq = 0;

  function setOpen(open, chosen) {
    if (chosen) openChoice = open;
    toggle.setAttribute('aria-expanded', String(open));
    list.hidden = !open;
    el.classList.toggle('kb-assist-open', open);
    onResize();
  }

  function hide() {
    if (el.hidden) return;
    el.hidden = true;
    mount(list);
    onResize();
  }

  async function pick(hit, button) {
    button.disabled = true;
    try {
      insert(articleReply(await api.get(`/api/kb/articles/${hit.article_id}`)));
      // On a phone the keyboard comes up: give the reply box the room.
      if (!window.matchMedia(WIDE).matches) setOpen(false, true);
    } catch (err) {
      toast(err.message, 'error');
    } finally {
      button.disabled = false;
    }
  }

  function hitRow(hit) {
    const button = h('button', {
      type: 'button', class: 'btn btn-small kb-assist-insert', testid: 'kb-assist-insert',
      title: t('inbox.assist.insert_title'), onClick: () => pick(hit, button),
    }, icon('plus', 'icon icon-xs'), h('span', null, t('inbox.assist.insert')));
    return h('li', {
      class: 'kb-assist-hit', testid: 'kb-assist-hit',
      dataset: { articleId: hit.article_id, confidence: hit.confidence },
    },
    h('div', { class: 'kb-assist-text' },
      h('a', {
        class: 'kb-assist-title', href: `#/kb/articles/${hit.article_id}`, target: '_blank', rel: 'noopener',
        title: t('inbox.assist.open_title'), testid: 'kb-assist-title',
      }, hit.title),
      hit.snippet ? h('span', { class: 'kb-assist-snippet', testid: 'kb-assist-snippet' }, hit.snippet) : null),
    button);
  }

  function draw(r, messageId) {
    const from = Math.min(SHOWN_FROM, r.answer_threshold);
    const hits = r.hits.filter((x) => x.confidence >= from);
    if (!hits.length) {
      hide();
      return;
    }
    label.textContent = hits.length === 1 ? t('inbox.assist.count_one') : t('inbox.assist.count', { n: hits.length });
    mount(list, hits.map(hitRow));
    el.dataset.messageId = messageId;
    el.hidden = false;
    setOpen(openChoice ?? window.matchMedia(WIDE).matches, false);
  }

  function update(detail) {
    const m = latestQuestion(detail.messages);
    const inbox = detail.conversation.inbox_id;
    const locale = KB_LANGS.includes(detail.contact.locale) ? detail.contact.locale : '';
    const next = m ? `${m.id} ${inbox} ${locale}` : null;
    if (next === key) return;
    key = next;
    const mine = (seq += 1);
    if (!m) {
      hide();
      return;
    }
    const params = new URLSearchParams({
      q: m.body.trim().slice(0, QUERY_MAX), inbox_id: String(inbox), limit: String(LIMIT),
    });
    if (locale) params.set('locale', locale);
    api.get(`/api/kb/search?${params}`).then((r) => {
      if (mine === seq) draw(r, m.id);
    }, () => {
      // Suggestions are a help, not the conversation: no error shown; the next load tries again.
      if (mine !== seq) return;
      key = null;
      hide();
    });
  }

  return {
    el,
    update,
    destroy: () => { seq += 1; },
  };
}
