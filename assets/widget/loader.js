/*
 * kefu chat widget loader, served as /widget.js. A shop embeds:
 *   <script src="https://KEFU/widget.js" data-inbox="TOKEN" async></script>
 * It draws the launcher button in a shadow root (the shop's CSS cannot reach
 * it, ours does not leak) and opens the chat in an iframe served by kefu.
 * The page may set window.kefuSettings = { user: { id, name, email, hash } }
 * before, and may call window.kefuWidget.open() / .close() after.
 */
(function () {
  'use strict';
  if (window.kefuWidget) return; // the snippet was pasted twice

  var me = document.currentScript || Array.prototype.find.call(document.scripts, function (s) {
    return /\/widget\.js([?#]|$)/.test(s.src) && s.hasAttribute('data-inbox');
  });
  var inbox = me && me.getAttribute('data-inbox');
  if (!inbox) {
    console.warn('kefu: the widget script needs a data-inbox attribute');
    return;
  }
  var origin = new URL(me.src, location.href).origin;
  var SVG = 'http://www.w3.org/2000/svg';
  var ICON_CHAT = 'M5 5.5h14a1.5 1.5 0 0 1 1.5 1.5v8.5A1.5 1.5 0 0 1 19 17h-7.5L7 20.5V17H5a1.5 1.5 0 0 1-1.5-1.5V7A1.5 1.5 0 0 1 5 5.5zM8 10.5h.01M12 10.5h.01M16 10.5h.01';
  var ICON_DOWN = 'M6 9.5l6 6 6-6';
  var CSS = ':host{all:initial!important;display:block!important;position:static!important}' +
    '*{box-sizing:border-box}' +
    '.btn{position:fixed;right:20px;bottom:20px;z-index:2147483000;display:grid;place-items:center;width:58px;height:58px;' +
    'margin:0;padding:0;border:0;border-radius:50%;cursor:pointer;color:#fff;background:#0e7c72;' +
    'box-shadow:0 4px 14px rgba(0,0,0,.22),0 1px 3px rgba(0,0,0,.12);transition:transform .15s ease;-webkit-tap-highlight-color:transparent}' +
    '.btn:hover{transform:scale(1.06)}.btn:focus-visible{outline:3px solid #1a73e8;outline-offset:3px}' +
    '.btn svg{width:28px;height:28px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}' +
    '.badge{position:absolute;top:-3px;right:-3px;min-width:21px;height:21px;padding:0 6px;border-radius:11px;' +
    'font:700 12px/21px system-ui,sans-serif;text-align:center;color:#fff;background:#e5484d;box-shadow:0 0 0 2px #fff}' +
    '.panel{position:fixed;right:20px;bottom:92px;z-index:2147483000;width:380px;height:600px;' +
    'max-width:calc(100% - 40px);max-height:calc(100% - 112px);margin:0;padding:0;border:0;border-radius:16px;' +
    'background:#fff;box-shadow:0 12px 48px rgba(0,0,0,.22),0 2px 8px rgba(0,0,0,.1);color-scheme:light;' +
    'opacity:0;visibility:hidden;transform:translateY(14px);transition:opacity .18s ease,transform .18s ease,visibility 0s .18s}' +
    '.open .panel{opacity:1;visibility:visible;transform:none;transition:opacity .18s ease,transform .18s ease}' +
    '[hidden]{display:none!important}' +
    '@media (max-width:480px){.btn{right:16px;bottom:16px}' +
    '.panel{inset:0;width:100%;height:100%;max-width:none;max-height:none;border-radius:0;box-shadow:none}' +
    '.open .btn{display:none}}' +
    '@media (prefers-reduced-motion:reduce){.btn,.panel,.open .panel{transition:none}}';

  var host = document.createElement('kefu-widget');
  var shadow = host.attachShadow({ mode: 'open' });
  var box = document.createElement('div');
  var button = document.createElement('button');
  var badge = document.createElement('span');
  var frame = document.createElement('iframe');
  var labels = { open: 'Chat', close: 'Close', unread: '{count}' };
  var isOpen = false;
  var unread = 0;
  var lockedOverflow = null;
  var wantOpen = false;
  var OPEN_KEY = 'kefu.open.' + inbox;

  function svg(d) {
    var el = document.createElementNS(SVG, 'svg');
    var path = document.createElementNS(SVG, 'path');
    el.setAttribute('viewBox', '0 0 24 24');
    el.setAttribute('aria-hidden', 'true');
    path.setAttribute('d', d);
    el.appendChild(path);
    return el;
  }

  function post(msg) {
    msg.kefu = 1;
    if (frame.contentWindow) frame.contentWindow.postMessage(msg, origin);
  }

  function page() {
    return { url: location.href, title: String(document.title || '').slice(0, 300) };
  }

  /** Only the fields the protocol knows, as strings. */
  function user() {
    var u = window.kefuSettings && window.kefuSettings.user;
    if (!u || typeof u !== 'object' || u.id === undefined || u.id === null) return null;
    var out = {};
    ['id', 'name', 'email', 'hash'].forEach(function (k) {
      if (typeof u[k] === 'string' || typeof u[k] === 'number') out[k] = String(u[k]);
    });
    return out;
  }

  // When the browser gives the frame no storage of its own (third-party
  // storage blocked), it keeps its few keys here, in the page's storage.
  var KEYS = ['visitor', 'outbox', 'seen', 'prechat'].map(function (k) { return 'kefu.' + k + '.' + inbox; });

  function stored() {
    var out = {};
    try {
      KEYS.forEach(function (k) {
        var v = localStorage.getItem(k);
        if (v !== null) out[k] = v;
      });
    } catch (e) { /* no storage here either: memory only */ }
    return out;
  }

  function keep(k, v) {
    if (KEYS.indexOf(k) < 0 || (v !== null && (typeof v !== 'string' || v.length > 1000000))) return;
    try {
      if (v === null) localStorage.removeItem(k);
      else localStorage.setItem(k, v);
    } catch (e) { /* full or blocked */ }
  }

  function phone() {
    return window.matchMedia('(max-width: 480px)').matches;
  }

  function remember(open) {
    try {
      if (open) sessionStorage.setItem(OPEN_KEY, '1');
      else sessionStorage.removeItem(OPEN_KEY);
    } catch (e) { /* storage blocked: the panel just starts closed */ }
  }

  function label() {
    var text = isOpen ? labels.close : labels.open;
    if (unread && !isOpen) text += ' (' + labels.unread.replace('{count}', unread) + ')';
    button.setAttribute('aria-label', text);
    button.title = isOpen ? labels.close : labels.open;
    button.setAttribute('aria-expanded', String(isOpen));
    badge.textContent = unread > 99 ? '99+' : String(unread);
    badge.hidden = !unread || isOpen;
  }

  function setOpen(open) {
    if (button.hidden) {
      wantOpen = open; // the frame is still loading: open when it is ready
      return;
    }
    if (open === isOpen) return;
    isOpen = open;
    box.className = open ? 'open' : '';
    button.replaceChild(svg(open ? ICON_DOWN : ICON_CHAT), button.firstChild);
    label();
    remember(open);
    // A full-screen panel on a phone: the page behind must not scroll.
    var root = document.documentElement;
    if (open && phone()) {
      lockedOverflow = root.style.overflow;
      root.style.overflow = 'hidden';
    } else if (!open && lockedOverflow !== null) {
      root.style.overflow = lockedOverflow;
      lockedOverflow = null;
    }
    if (open) {
      post({ type: 'open', page: page() });
      frame.focus();
    } else {
      post({ type: 'closed' });
      if (shadow.activeElement === frame || document.activeElement === host) button.focus();
    }
  }

  window.addEventListener('message', function (ev) {
    if (ev.origin !== origin || ev.source !== frame.contentWindow) return;
    var d = ev.data;
    if (!d || typeof d !== 'object' || d.kefu !== 1) return;
    if (d.type === 'ready') {
      post({ type: 'context', user: user(), page: page(), open: isOpen, store: stored() });
    } else if (d.type === 'store') {
      keep(d.key, d.value);
    } else if (d.type === 'config') {
      if (/^#[0-9a-f]{6}$/i.test(d.color)) button.style.background = d.color;
      if (/^#[0-9a-f]{6}$/i.test(d.fg)) button.style.color = d.fg;
      if (d.labels && typeof d.labels === 'object') {
        ['open', 'close', 'unread'].forEach(function (k) {
          if (typeof d.labels[k] === 'string') labels[k] = d.labels[k].slice(0, 100);
        });
      }
      button.hidden = false;
      frame.title = labels.open;
      label();
      try {
        if (sessionStorage.getItem(OPEN_KEY) && !phone()) wantOpen = true;
      } catch (e) { /* no storage */ }
      if (wantOpen) setOpen(true);
    } else if (d.type === 'unread' && typeof d.count === 'number') {
      unread = Math.max(0, Math.floor(d.count));
      label();
    } else if (d.type === 'close') {
      setOpen(false);
    } else if (d.type === 'unavailable') {
      host.remove();
    }
  });

  function mount() {
    var style = null;
    try {
      // A constructed sheet also works on shops whose CSP forbids inline styles.
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      shadow.adoptedStyleSheets = [sheet];
    } catch (e) {
      style = document.createElement('style');
      style.textContent = CSS;
    }
    button.type = 'button';
    button.className = 'btn';
    button.hidden = true; // until the frame has loaded the inbox (colour, language)
    button.setAttribute('data-testid', 'kefu-launcher');
    button.appendChild(svg(ICON_CHAT));
    badge.className = 'badge';
    badge.setAttribute('data-testid', 'kefu-badge');
    badge.hidden = true;
    button.appendChild(badge);
    button.addEventListener('click', function () { setOpen(!isOpen); });
    frame.className = 'panel';
    frame.title = 'kefu';
    frame.setAttribute('data-testid', 'kefu-frame');
    frame.setAttribute('allow', 'clipboard-write');
    frame.src = origin + '/widget/frame?inbox=' + encodeURIComponent(inbox);
    if (style) shadow.appendChild(style);
    box.appendChild(frame);
    box.appendChild(button);
    shadow.appendChild(box);
    document.body.appendChild(host);
  }

  window.kefuWidget = {
    open: function () { setOpen(true); },
    close: function () { setOpen(false); },
  };

  // Load the frame once the shop's own page has loaded, so the chat does not
  // compete with it, but no later than a few seconds in (slow images).
  var mounted = false;
  function mountOnce() {
    if (mounted || !document.body) return;
    mounted = true;
    mount();
  }
  if (document.readyState === 'complete') mountOnce();
  else {
    window.addEventListener('load', mountOnce);
    setTimeout(mountOnce, 2500);
  }
}());
