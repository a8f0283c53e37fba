// Keyboard shortcuts for the inbox and the "?" overlay that lists them.
// They never fire while the agent types in a field or a dialog is open.
import { h } from './dom.js';
import { t } from './i18n.js';
import { openDialog } from './ui.js';

export const SHORTCUTS = [
  ['j', 'next'], ['k', 'previous'], ['r', 'reply'], ['n', 'note'], ['e', 'resolve'],
  ['a', 'assign_me'], ['/', 'search'], ['Esc', 'back'], ['?', 'help'],
];
// Keys inside the reply box: listed on the overlay only.
const COMPOSER_KEYS = [
  ['/', 'canned'], ['↑ ↓', 'canned_move'], ['Enter', 'canned_pick'], ['Enter', 'send'], ['Shift+Enter', 'newline'],
];

function typingInField(target) {
  if (!target || !(target instanceof Element)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  return !['checkbox', 'radio', 'button', 'submit', 'reset', 'color', 'range'].includes(target.type);
}

/** Show the list of shortcuts. */
export function showShortcuts() {
  if (document.querySelector('[data-testid="shortcuts-dialog"]')) return;
  const dlg = openDialog({ title: t('shortcuts.title'), testid: 'shortcuts-dialog' });
  const list = (keys, testid) => h('dl', { class: 'shortcuts', testid }, keys.map(([key, name]) => [
    h('dt', null, h('kbd', null, key)), h('dd', null, t(`shortcuts.${name}`))]));
  dlg.body.append(
    list(SHORTCUTS, 'shortcuts-list'),
    h('p', { class: 'hint' }, t('shortcuts.hint')),
    h('h3', { class: 'subhead' }, t('shortcuts.composer_title')),
    list(COMPOSER_KEYS, 'shortcuts-composer'));
}

/**
 * Listen for shortcuts while `active()` is true. `handlers` maps the names
 * in SHORTCUTS to functions. Returns a function that stops listening.
 */
export function bindShortcuts(active, handlers) {
  const onKey = (ev) => {
    if (!active() || ev.defaultPrevented || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (document.querySelector('dialog[open]')) return;
    if (typingInField(ev.target)) return;
    const name = ev.key === 'Escape' ? 'back' : (SHORTCUTS.find(([k]) => k === ev.key) || [])[1];
    if (!name) return;
    const fn = name === 'help' ? showShortcuts : handlers[name];
    if (!fn) return;
    ev.preventDefault();
    fn();
  };
  document.addEventListener('keydown', onKey);
  return () => document.removeEventListener('keydown', onKey);
}
