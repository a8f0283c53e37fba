// What the customer sees: header, notices, the message list and the
// composer (or the pre-chat form before the first message). All text from
// customers and agents goes in as text nodes.
import { fmtTime, h, icon, t } from './util.js';
import { fileLink, IMAGE_TYPES, isPicture, localUrl, picture } from './image.js';
import { createHelp } from './help.js';
import { botExtras, botGreeting, botSig, latestBotId } from './bot.js';

export const MAX_BODY = 5000;
const COUNTER_FROM = 4500;
const TYPING_EVERY = 3000;
const TYPING_IDLE = 5000;
const EMOJI = '😀 😂 😊 😍 🥰 😘 😉 😎 🤔 😅 😭 😢 😡 😱 😴 🙄 🙏 👍 👎 👌 👏 🙌 💪 🤝 👋 ❤️ 💔 🎉 🎁 🌹 🔥 ✨ ⭐ ✅ ❌ ❓ 💯 📦 🚚 💰'
  .split(' ');
const TICK = { sending: 'clock', sent: 'check', delivered: 'double', read: 'double', failed: 'alert' };
const URL_RE = /https?:\/\/[^\s<>"'，。、！？；（）【】「」]+/g;

const chars = (s) => Array.from(s).length;
const isThem = (m) => m.sender === 'agent' || m.sender === 'bot';
const nameOf = (m) => (m.sender === 'bot' ? t('widget.bot') : m.agent_name || t('widget.agent'));
const touch = () => window.matchMedia('(pointer: coarse)').matches;

/** Text with http(s) links made clickable; everything else stays text. */
function linkify(text) {
  const out = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    const url = m[0].replace(/[.,;:!?)\]]+$/, '');
    out.push(text.slice(last, m.index),
      h('a', { href: url, target: '_blank', rel: 'noopener noreferrer nofollow' }, url));
    last = m.index + url.length;
  }
  out.push(text.slice(last));
  return out;
}

/** Build the frame's UI in `root`. `st` is the shared state, `act` the actions. */
export function createView(root, st, act) {
  const cfg = st.cfg.inbox;
  const nodes = new Map(); // key → { el, sig }: unchanged messages keep their nodes

  // ---- header ----
  const sub = h('p', { class: 'sub', testid: 'widget-status' });
  const handoff = h('button', {
    type: 'button', class: 'human', testid: 'widget-handoff',
    onClick: () => {
      showHelp(false);
      act.handoff();
    },
  }, icon('human'), h('span', null, t('widget.handoff')));
  const helpBtn = h('button', {
    type: 'button', class: 'icon-btn hopen', testid: 'widget-help-open', 'aria-label': t('widget.help_open'),
    title: t('widget.help_open'), 'aria-pressed': 'false', onClick: () => showHelp(!helping),
  }, icon('help'));
  const close = h('button', {
    type: 'button', class: 'icon-btn', testid: 'widget-close', 'aria-label': t('widget.close'),
    title: t('widget.close'), onClick: act.close, hidden: !st.embedded,
  }, icon('close'));
  const head = h('header', { class: 'head' },
    h('h1', { class: 'title', testid: 'widget-title', title: cfg.name }, cfg.name), helpBtn, handoff, close, sub);

  const banner = h('div', { class: 'banner', role: 'status', testid: 'widget-banner', hidden: true });
  const list = h('div', {
    class: 'list', role: 'log', 'aria-live': 'polite', 'aria-label': t('widget.messages'),
    testid: 'widget-messages', tabindex: '0',
  });
  const greeting = cfg.greeting
    ? h('div', { class: 'msg them greet', testid: 'widget-greeting' },
      h('div', { class: 'who' }, cfg.name), h('div', { class: 'bubble' }, linkify(cfg.greeting)))
    : null;
  const typing = h('div', { class: 'msg them', testid: 'widget-typing', hidden: true },
    h('div', { class: 'who' }), h('div', { class: 'bubble dots', 'aria-hidden': 'true' }, h('i'), h('i'), h('i')));
  const conn = h('div', { class: 'conn', role: 'status', testid: 'widget-connection', hidden: true },
    t('widget.reconnecting'));
  const foot = h('div', { class: 'foot' });
  // The help view covers the chat without touching it: a draft, the scroll
  // position and the live line all stay as they are.
  const help = createHelp({ onChat: () => showHelp(false) });
  let helping = false;

  function showHelp(on) {
    if (on === helping) return;
    helping = on;
    root.classList.toggle('helping', on);
    help.el.hidden = !on;
    helpBtn.setAttribute('aria-pressed', String(on));
    if (on) {
      help.unread(unread());
      if (!touch()) help.focus();
      return;
    }
    stickToBottom();
    act.chatShown();
    if (!touch()) {
      const target = foot.querySelector('textarea, input:not([type="file"])');
      if (target) target.focus();
    }
  }

  root.replaceChildren(head, help.el, banner, list, conn, foot);
  root.removeAttribute('aria-busy');

  // ---- composer ----
  const input = h('textarea', {
    class: 'input', rows: '1', placeholder: t('widget.placeholder'), 'aria-label': t('widget.placeholder'),
    testid: 'widget-input', enterkeyhint: touch() ? 'enter' : 'send',
  });
  const counter = h('span', { class: 'count', testid: 'widget-counter', 'aria-live': 'polite', hidden: true });
  const send = h('button', {
    type: 'submit', class: 'send', testid: 'widget-send', 'aria-label': t('widget.send'), title: t('widget.send'),
  }, icon('send'));
  const emojiGrid = h('div', { class: 'emoji', role: 'group', 'aria-label': t('widget.emoji'), hidden: true },
    EMOJI.map((e) => h('button', { type: 'button', class: 'emo', onClick: () => insert(e) }, e)));
  const emojiBtn = h('button', {
    type: 'button', class: 'icon-btn', 'aria-label': t('widget.emoji'), title: t('widget.emoji'),
    'aria-expanded': 'false', testid: 'widget-emoji', onClick: () => toggleEmoji(),
  }, icon('smile'));
  const fileInput = h('input', {
    type: 'file', accept: IMAGE_TYPES.join(','), hidden: true, testid: 'widget-image-input',
    onChange: () => {
      const [file] = fileInput.files;
      fileInput.value = ''; // picking the same file again is a new message
      if (file) pick(file);
    },
  });
  const imageBtn = h('button', {
    type: 'button', class: 'icon-btn', 'aria-label': t('widget.image_send'), title: t('widget.image_send'),
    testid: 'widget-image-button', onClick: () => fileInput.click(),
  }, icon('image'));
  const imageErr = h('p', { class: 'cerr', role: 'alert', testid: 'widget-image-error', hidden: true });
  const composer = h('form', { class: 'composer', testid: 'widget-composer', novalidate: true },
    emojiGrid, imageErr, emojiBtn, imageBtn, fileInput, input, counter, send);

  let typingSentAt = 0;
  let typingIdle = 0;

  function toggleEmoji(show = emojiGrid.hidden) {
    emojiGrid.hidden = !show;
    emojiBtn.setAttribute('aria-expanded', String(show));
  }

  function insert(text) {
    input.setRangeText(text, input.selectionStart, input.selectionEnd, 'end');
    toggleEmoji(false);
    input.focus();
    changed();
  }

  function showImageError(text) {
    imageErr.textContent = text;
    imageErr.hidden = !text;
  }

  function pick(file) {
    toggleEmoji(false);
    showImageError(act.sendImage(file));
    if (!touch()) input.focus();
  }

  function stopTyping() {
    clearTimeout(typingIdle);
    if (typingSentAt) {
      typingSentAt = 0;
      act.typing(false);
    }
  }

  function changed() {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, 132)}px`;
    const n = chars(input.value);
    const over = n > MAX_BODY;
    counter.hidden = n < COUNTER_FROM;
    counter.textContent = over ? t('widget.too_long', { count: n, max: MAX_BODY }) : `${n}/${MAX_BODY}`;
    counter.classList.toggle('over', over);
    send.disabled = over || !input.value.trim();
    if (input.value.trim()) {
      if (Date.now() - typingSentAt > TYPING_EVERY) {
        typingSentAt = Date.now();
        act.typing(true);
      }
      clearTimeout(typingIdle);
      typingIdle = setTimeout(stopTyping, TYPING_IDLE);
    } else {
      stopTyping();
    }
  }

  function submit() {
    const body = input.value.trim();
    if (!body || chars(body) > MAX_BODY) return;
    stopTyping();
    showImageError('');
    act.send(body);
    input.value = '';
    changed();
    if (!touch()) input.focus();
  }

  input.addEventListener('input', () => {
    showImageError('');
    changed();
  });
  input.addEventListener('paste', (ev) => {
    const file = Array.from((ev.clipboardData && ev.clipboardData.files) || []).find((f) => f.type.startsWith('image/'));
    if (!file) return;
    ev.preventDefault();
    pick(file);
  });
  input.addEventListener('keydown', (ev) => {
    // isComposing / 229: Enter that picks a candidate in a Chinese IME is not "send".
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing && ev.keyCode !== 229 && !touch()) {
      ev.preventDefault();
      submit();
    }
  });
  composer.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submit();
  });
  document.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Escape') return;
    if (!emojiGrid.hidden) toggleEmoji(false);
    else act.close();
  });
  document.addEventListener('click', (ev) => {
    if (!emojiGrid.hidden && !composer.contains(ev.target)) toggleEmoji(false);
  });
  changed();

  // ---- pre-chat form ----
  let prechat = null;

  function prechatForm(fields) {
    const error = h('p', { class: 'ferr', role: 'alert', testid: 'widget-prechat-error', hidden: true });
    const inputs = fields.map(([name, mode]) => {
      const id = `pc-${name}`;
      const req = mode === 'required';
      const el = h('input', {
        id, name, class: 'input', testid: `widget-prechat-${name}`, required: req,
        type: name === 'email' ? 'email' : name === 'phone' ? 'tel' : 'text',
        autocomplete: name === 'phone' ? 'tel' : name, value: (st.contact && st.contact[name]) || '',
      });
      return h('div', { class: 'field' },
        h('label', { for: id }, t(`widget.prechat_${name}`), req ? h('span', { class: 'req' }, ' *') : null), el);
    });
    const button = h('button', { type: 'submit', class: 'btn', testid: 'widget-prechat-submit' },
      t('widget.prechat_submit'));
    const form = h('form', { class: 'prechat', testid: 'widget-prechat', novalidate: true },
      h('p', { class: 'lead' }, t('widget.prechat_title')), inputs, error, button);
    form.addEventListener('input', () => {
      error.hidden = true;
    });
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const values = {};
      let problem = '';
      for (const el of form.querySelectorAll('input')) {
        const v = el.value.trim();
        el.removeAttribute('aria-invalid');
        if (!problem && el.required && !v) problem = t('widget.required', { field: t(`widget.prechat_${el.name}`) });
        else if (!problem && v && el.name === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) problem = t('widget.email_invalid');
        else if (!problem && v && el.name === 'phone' && !/^\+?[\d\s().-]{5,20}$/.test(v)) problem = t('widget.phone_invalid');
        else {
          if (v) values[el.name] = v;
          continue;
        }
        el.setAttribute('aria-invalid', 'true');
        el.focus();
      }
      error.textContent = problem;
      error.hidden = !problem;
      if (problem) return;
      button.disabled = true;
      try {
        await act.prechat(values);
      } catch (err) {
        error.textContent = err.message;
        error.hidden = false;
      } finally {
        button.disabled = false;
      }
    });
    return form;
  }

  function renderFoot() {
    const fields = act.prechatFields();
    if (fields) {
      if (!prechat) prechat = prechatForm(fields);
      if (foot.firstChild !== prechat) foot.replaceChildren(prechat);
    } else {
      prechat = null;
      if (foot.firstChild !== composer) foot.replaceChildren(composer);
    }
  }

  // ---- offline card ----
  let offline = null;
  let botGreet = null; // the bot's greeting about an order: { el, sig }

  function offlineCard() {
    const email = st.contact && st.contact.email;
    const text = h('p', null, cfg.offline_message || t('widget.offline_default'));
    if (email) {
      return h('div', { class: 'card', testid: 'widget-offline' }, text,
        h('p', { class: 'ok', testid: 'widget-email-saved' }, t('widget.email_saved', { email })));
    }
    const field = h('input', {
      class: 'input', type: 'email', name: 'email', autocomplete: 'email', testid: 'widget-email',
      'aria-label': t('widget.email_label'), placeholder: t('widget.email_label'),
    });
    const error = h('p', { class: 'ferr', role: 'alert', hidden: true });
    const button = h('button', { type: 'submit', class: 'btn', testid: 'widget-email-submit' }, t('widget.email_submit'));
    const form = h('form', { class: 'row', novalidate: true }, field, button);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const v = field.value.trim();
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) {
        error.textContent = t('widget.email_invalid');
        error.hidden = false;
        return;
      }
      button.disabled = true;
      try {
        await act.email(v);
      } catch (err) {
        error.textContent = err.message;
        error.hidden = false;
        button.disabled = false;
      }
    });
    return h('div', { class: 'card', testid: 'widget-offline' }, text, form, error);
  }

  // ---- messages ----

  /** After a bot button: its row is gone, so the keyboard goes on in the composer. */
  function afterBot() {
    if (!touch() && !root.contains(document.activeElement)) {
      const target = foot.querySelector('textarea, input:not([type="file"])');
      if (target) target.focus();
    }
  }

  function bubble(m, showName, key, latestBot) {
    if (m.sender === 'system') {
      return h('div', { class: 'msg sys', testid: 'widget-msg', 'data-sender': 'system', 'data-key': key },
        h('span', null, m.body));
    }
    const mine = m.sender === 'contact';
    const state = m.pending ? (m.failed ? 'failed' : 'sending') : m.delivery || 'sent';
    const label = m.uploading ? t('widget.uploading') : t(`widget.state_${state}`);
    const full = m.attachment && localUrl(m.attachment.url);
    // The customer's own uploads are images; a file from an email may be anything.
    const file = !m.pending && full && !isPicture(m.attachment) ? fileLink(m.attachment, full) : null;
    const pic = !file && (m.preview || full) ? picture(m.preview || full, full, stickToBottom) : null;
    return h('div', {
      class: `msg ${mine ? 'me' : 'them'}`, testid: 'widget-msg', 'data-sender': m.sender,
      'data-state': mine ? state : null, 'data-key': key,
    },
    showName ? h('div', { class: 'who' }, nameOf(m)) : null,
    pic,
    file,
    m.body || !(pic || file) ? h('div', { class: 'bubble' }, linkify(m.body)) : null,
    m.sender === 'bot' ? botExtras(m, m.id === latestBot, act, afterBot) : null,
    h('div', { class: 'meta' }, m.created_at ? h('time', null, fmtTime(m.created_at)) : null,
      mine ? h('span', { class: `tick ${state}`, title: label },
        icon(TICK[state]), h('span', { class: state === 'sending' ? null : 'sr' }, label)) : null),
    m.failed ? h('div', { class: 'err', role: 'alert', testid: 'widget-error' },
      h('span', null, m.error || t('widget.state_failed')),
      h('button', { type: 'button', class: 'link', testid: 'widget-retry', onClick: () => act.retry(m.client_id) },
        t('widget.retry')),
      h('button', { type: 'button', class: 'link', testid: 'widget-dismiss', onClick: () => act.dismiss(m.client_id) },
        t('widget.dismiss'))) : null);
  }

  // An image that finishes loading makes the list taller: stay at the bottom if the reader was there.
  let stick = true;
  list.addEventListener('scroll', () => {
    stick = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  }, { passive: true });
  function stickToBottom() {
    if (stick) list.scrollTop = list.scrollHeight;
  }

  /** Redraw the list, reusing unchanged nodes; stick to the bottom when the reader is there. */
  function renderList(forceBottom = false) {
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    const stored = Array.from(st.messages.values()).sort((a, b) => a.id - b.id);
    const pending = st.outbox.map((o) => ({ ...o, sender: 'contact', pending: true }));
    const latestBot = latestBotId(stored);
    const els = [];
    const keep = new Set();
    let prev = null;
    for (const m of stored.concat(pending)) {
      const key = m.client_id ? `c${m.client_id}` : `m${m.id}`;
      const showName = isThem(m) && !(prev && isThem(prev) && nameOf(prev) === nameOf(m));
      const sig = [m.id, m.delivery, m.pending, m.failed, m.error, m.uploading, m.attachment_id, showName,
        m.body, botSig(m, m.id === latestBot)].join('|');
      let n = nodes.get(key);
      if (!n || n.sig !== sig) {
        n = { el: bubble(m, showName, key, latestBot), sig };
        nodes.set(key, n);
      }
      keep.add(key);
      els.push(n.el);
      prev = m;
    }
    for (const key of nodes.keys()) if (!keep.has(key)) nodes.delete(key);
    if (!st.online) {
      const sig = `${st.contact && st.contact.email}`;
      if (!offline || offline.sig !== sig) offline = { el: offlineCard(), sig };
    } else {
      offline = null;
    }
    if (st.botGreeting) {
      const sig = `${st.botGreeting}|${st.botGreetingUsed}`;
      if (!botGreet || botGreet.sig !== sig) botGreet = { el: botGreeting(st.botGreeting, st.botGreetingUsed, act, afterBot), sig };
    } else {
      botGreet = null;
    }
    const want = [greeting, botGreet && botGreet.el, ...els, offline && offline.el, typing].filter(Boolean);
    if (want.length !== list.children.length || want.some((el, i) => list.children[i] !== el)) {
      list.replaceChildren(...want);
    }
    if (forceBottom || atBottom) list.scrollTop = list.scrollHeight;
    stick = forceBottom || atBottom;
  }

  /** Agent messages the customer has not seen (they arrived while the help view was open). */
  function unread() {
    let n = 0;
    for (const m of st.messages.values()) if (isThem(m) && m.id > st.seen) n += 1;
    return n;
  }

  function renderTyping() {
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    typing.hidden = st.typing === null;
    typing.firstChild.textContent = st.typing ? t('widget.typing', { name: st.typing }) : t('widget.typing_anon');
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  function replyText() {
    if (!st.online) return t('widget.offline');
    const min = st.cfg.reply_estimate_minutes;
    if (typeof min !== 'number') return t('widget.online');
    if (min <= 1) return t('widget.reply_soon');
    if (min < 90) return t('widget.reply_minutes', { minutes: Math.round(min) });
    return t('widget.reply_hours', { hours: Math.round(min / 60) });
  }

  /** "You are number 2 in the queue · about 3 min", from the position and the estimated wait. */
  function queueText(c) {
    const position = c.queue_position;
    const ms = c.estimated_wait_ms;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return t('widget.queue_position', { position });
    const place = position === 1 ? t('widget.queue_next') : t('widget.queue_place', { position });
    const minutes = Math.round(ms / 60_000);
    let wait;
    if (ms < 60_000) wait = t('widget.queue_wait_soon');
    else if (minutes < 90) wait = t('widget.queue_wait_minutes', { minutes: Math.max(1, minutes) });
    else wait = t('widget.queue_wait_hours', { hours: Math.round(minutes / 60) });
    return t('widget.queue_line', { place, wait });
  }

  let bannerSig = '';

  function renderBanner() {
    const c = st.conversation;
    let text = st.notice;
    let queue = null;
    if (!text && c && c.status !== 'resolved') {
      if (c.agent && c.agent.name) text = t('widget.agent_joined', { name: c.agent.name });
      else if (c.status === 'queued' && c.queue_position) {
        text = queueText(c);
        queue = { position: String(c.queue_position), waitMs: String(c.estimated_wait_ms ?? '') };
      }
    }
    // Only a change is written: the banner is a live region, read out when it changes.
    const sig = JSON.stringify([text, queue]);
    if (sig !== bannerSig) {
      bannerSig = sig;
      banner.replaceChildren(queue
        ? h('span', { testid: 'widget-queue', 'data-position': queue.position, 'data-wait-ms': queue.waitMs }, text)
        : text || '');
    }
    banner.hidden = !text;
    banner.classList.toggle('bad', Boolean(st.noticeBad));
  }

  let connTimer = 0;

  return {
    render() {
      help.unread(unread());
      sub.textContent = replyText();
      head.classList.toggle('away', !st.online);
      renderBanner();
      renderFoot();
      renderList();
      renderTyping();
    },
    renderList,
    renderTyping,
    helping: () => helping,
    /** A file kefu refused (not an image, too large): said next to the composer. */
    imageError(text) {
      showImageError(text);
    },
    /** Show "reconnecting" only when the line stays down for a moment. */
    setLive(live) {
      clearTimeout(connTimer);
      if (live) conn.hidden = true;
      else connTimer = setTimeout(() => { conn.hidden = false; }, 3000);
    },
    focus() {
      if (touch()) return;
      if (helping) {
        help.focus();
        return;
      }
      const target = foot.querySelector('textarea, input:not([type="file"])');
      if (target) target.focus();
    },
  };
}

/** A full-frame message when the chat cannot work at all (unknown inbox, no network). */
export function renderFatal(root, message, retry) {
  root.removeAttribute('aria-busy');
  root.replaceChildren(h('div', { class: 'fatal', role: 'alert', testid: 'widget-fatal' },
    h('p', null, message),
    retry ? h('button', { type: 'button', class: 'btn', onClick: retry }, t('widget.retry')) : null));
}
