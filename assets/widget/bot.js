// The bot in the chat: "solved / not solved" under its latest answer, the
// articles it offers when unsure, and its greeting about a recent order
// (docs/widget-protocol.md, BotMeta). All its text goes in as text nodes.
import { api, h, icon, t } from './util.js';

const hasFeedback = (k) => k === 'answer' || k === 'order';

/**
 * The bot's actions. `ctx`: st, session() → the visitor's session, upsert(message),
 * render(), error(err) shows a failure like any other, resync() fetches the
 * conversation again, send(body) sends as if typed.
 */
export function createBotActions(ctx) {
  const { st } = ctx;

  async function post(path, body) {
    if (st.botBusy) return;
    st.botBusy = body.message_id;
    try {
      await ctx.session();
      const r = await api.post(path, body);
      if (r && r.message) ctx.upsert(r.message);
      if (r && r.conversation) st.conversation = r.conversation;
      if (st.noticeBad) {
        st.notice = '';
        st.noticeBad = false;
      }
    } catch (err) {
      ctx.error(err);
      // Answered already (another tab, a lost reply): show the message as kefu has it.
      if (err.status === 409) ctx.resync();
    } finally {
      st.botBusy = 0;
      ctx.render();
    }
  }

  return {
    botFeedback: (messageId, solved) => post('/api/widget/bot/feedback', { message_id: messageId, solved }),
    botPick: (messageId, articleId) => post('/api/widget/bot/pick', { message_id: messageId, article_id: articleId }),
    botTrack() {
      st.botGreetingUsed = true;
      ctx.send(t('widget.track_order_text'));
    },
  };
}

/** The newest bot message's id (its buttons are the only live ones), or 0. */
export function latestBotId(messages) {
  let last = 0;
  for (const m of messages) if (m.sender === 'bot' && m.id > last) last = m.id;
  return last;
}

/** What decides how a bot message's extras look (for reusing its node). */
export function botSig(m, latest) {
  const b = m.bot;
  return b ? [b.kind, b.feedback, b.picked, latest].join('/') : '';
}

/**
 * A button that runs `action` (→ a promise). While it runs, its row says it is
 * busy (aria-disabled, not disabled: the focus stays where it is); `after` runs
 * when it is done.
 */
function choice(testid, label, action, after, extra) {
  return h('button', {
    type: 'button', class: 'chip', testid, ...extra,
    onClick(ev) {
      const row = ev.currentTarget.parentElement;
      const buttons = Array.from(row.querySelectorAll('button'));
      if (buttons.some((b) => b.getAttribute('aria-disabled'))) return;
      for (const b of buttons) b.setAttribute('aria-disabled', 'true');
      Promise.resolve(action()).finally(() => {
        for (const b of buttons) b.removeAttribute('aria-disabled');
        after();
      });
    },
  }, label);
}

/**
 * What goes under a bot message: its buttons while it is the latest and
 * unanswered, afterwards what the customer chose. `act` has botFeedback/botPick;
 * `after()` runs once a button's request is done (focus moves on).
 */
export function botExtras(m, latest, act, after) {
  const b = m.bot;
  if (!b || typeof b !== 'object') return null;
  if (hasFeedback(b.kind)) {
    if (b.feedback === 'solved') {
      return h('p', { class: 'bnote', testid: 'widget-bot-solved-note' }, icon('check'), t('widget.bot_solved_note'));
    }
    if (b.feedback || !latest) return null;
    return h('div', { class: 'bact', role: 'group', 'aria-label': t('widget.bot_feedback_label'), testid: 'widget-bot-feedback' },
      choice('widget-bot-solved', t('widget.bot_solved'), () => act.botFeedback(m.id, true), after),
      choice('widget-bot-unsolved', t('widget.bot_unsolved'), () => act.botFeedback(m.id, false), after));
  }
  if (b.kind === 'suggest') {
    const articles = Array.isArray(b.articles) ? b.articles.filter((a) => a && typeof a.title === 'string') : [];
    if (b.picked !== null && b.picked !== undefined) {
      const a = articles.find((x) => x.article_id === b.picked);
      return a ? h('p', { class: 'bnote', testid: 'widget-bot-picked' }, t('widget.bot_picked', { title: a.title })) : null;
    }
    if (!latest || !articles.length) return null;
    return h('div', { class: 'bact offers', role: 'group', 'aria-label': t('widget.bot_offers_label'), testid: 'widget-bot-offers' },
      articles.map((a) => choice('widget-bot-offer', a.title, () => act.botPick(m.id, a.article_id), after,
        { 'data-article-id': a.article_id })));
  }
  return null;
}

/** The bot's greeting about the customer's latest order (not stored), with "Track it" until tapped. */
export function botGreeting(text, used, act, after) {
  return h('div', { class: 'msg them greet', testid: 'widget-bot-greeting', 'data-sender': 'bot' },
    h('div', { class: 'who' }, t('widget.bot')),
    h('div', { class: 'bubble' }, text),
    used ? null : h('div', { class: 'bact' },
      choice('widget-bot-track', t('widget.bot_track'), () => act.botTrack(), after)));
}
