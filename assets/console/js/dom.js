// Tiny DOM builder for the console. Text always goes in as text nodes:
// nothing here parses HTML, so user data can never become markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

// Set as DOM properties rather than attributes, so live state follows.
const PROPS = new Set(['value', 'checked', 'selected', 'disabled', 'hidden', 'indeterminate']);

/**
 * Build an element: h('button', { class: 'btn', onClick: fn, testid: 'save' }, 'Save').
 * Attributes: `class` (string or array), `testid` (→ data-testid), `dataset`,
 * `on<Event>` functions become listeners; null/undefined/false are skipped.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/** Like h() but in the SVG namespace (for icons). */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function setAttrs(el, attrs) {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2).toLowerCase(), v);
    } else if (k === 'class') {
      el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
    } else if (k === 'testid') {
      el.setAttribute('data-testid', v);
    } else if (k === 'dataset') {
      Object.assign(el.dataset, v);
    } else if (PROPS.has(k)) {
      el[k] = v;
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
}

/** Append children: strings and numbers become text; arrays are flattened. */
export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false || c === true) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Replace all children of `el`. */
export function mount(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** First letter of a name, for avatars. */
export function initial(name) {
  const ch = Array.from((name || '?').trim())[0] || '?';
  return ch.toUpperCase();
}
