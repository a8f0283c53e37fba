// Parts of the article editor that stand on their own: the category choice
// (with a new category made on the spot), the Markdown body with its live
// preview (side by side on wide screens, Write/Preview on phones), the
// Draft/Published switch and the inbox choice. Each returns { el, value(), … }.
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { t } from '../i18n.js';
import { debounce } from './kb-common.js';

const NEW = '__new';
let uid = 0;
const nextId = (name) => `kb-${name}-${(uid += 1)}`;

/** A field's message from the server, shown under it. */
export function fieldError(name) {
  return h('p', { class: 'kb-field-error', role: 'alert', testid: `kb-error-${name}`, hidden: true });
}

/**
 * Category select: "No category", this language's categories, "New category…".
 * `getLocale()` says which language; `categories` is updated when one is made.
 */
export function categoryPicker({ categories, value, getLocale, error }) {
  const id = nextId('category');
  const select = h('select', { id, class: 'input', name: 'category_id', testid: 'kb-category' });
  const name = h('input', {
    type: 'text', class: 'input', testid: 'kb-category-new-name', maxlength: 80, autocomplete: 'off',
    'aria-label': t('kb.category.new_name'), placeholder: t('kb.category.new_name'),
  });
  const add = h('button', { type: 'button', class: 'btn btn-small', testid: 'kb-category-new-add' }, t('kb.category.add'));
  const cancel = h('button', { type: 'button', class: 'btn btn-small', testid: 'kb-category-new-cancel' }, t('common.cancel'));
  const msg = h('p', { class: 'kb-field-error', role: 'alert', testid: 'kb-category-new-error', hidden: true });
  const newRow = h('div', { class: 'kb-inline-new', hidden: true }, name, add, cancel);
  let current = value ? String(value) : '';

  function fill() {
    const mine = categories.filter((c) => c.locale === getLocale());
    if (current && !mine.some((c) => String(c.id) === current)) current = '';
    mount(select,
      h('option', { value: '', selected: !current }, t('kb.no_category')),
      mine.map((c) => h('option', { value: String(c.id), selected: String(c.id) === current }, c.name)),
      h('option', { value: NEW }, t('kb.category.new_option')));
  }
  function closeNew() {
    newRow.hidden = true;
    msg.hidden = true;
    name.value = '';
    select.value = current;
  }
  async function create() {
    const n = name.value.trim();
    if (!n) {
      name.focus();
      return;
    }
    add.disabled = true;
    msg.hidden = true;
    try {
      const cat = await api.post('/api/kb/categories', { locale: getLocale(), name: n, position: 1000 });
      categories.push(cat);
      current = String(cat.id);
      closeNew();
      fill();
      select.dispatchEvent(new Event('change', { bubbles: true }));
      select.focus();
    } catch (err) {
      msg.textContent = err.message;
      msg.hidden = false;
      name.setAttribute('aria-invalid', 'true');
    } finally {
      add.disabled = false;
    }
  }
  select.addEventListener('change', () => {
    if (select.value === NEW) {
      newRow.hidden = false;
      name.removeAttribute('aria-invalid');
      name.focus();
    } else {
      current = select.value;
      closeNew();
    }
  });
  add.addEventListener('click', create);
  cancel.addEventListener('click', closeNew);
  // Enter in the name makes the category instead of saving the article.
  name.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      create();
    }
  });
  fill();
  const el = h('div', { class: 'field' }, h('label', { class: 'label', for: id }, t('kb.field.category')),
    select, newRow, msg, error);
  return { el, input: select, fill, value: () => (current ? Number(current) : null) };
}

/** The Markdown body and its preview, rendered by the server as the help center shows it. */
export function bodyEditor({ value, error }) {
  const id = nextId('body');
  const textarea = h('textarea', { id, class: 'input kb-body-input', name: 'body', rows: 14, testid: 'kb-body',
    'data-label': t('kb.field.body'), spellcheck: 'true' });
  textarea.value = value || '';
  const preview = h('div', { class: 'kb-prose kb-preview', testid: 'kb-preview', 'aria-live': 'polite' });
  const panes = h('div', { class: 'kb-panes', dataset: { mode: 'write' } },
    h('div', { class: 'kb-pane kb-pane-write' },
      h('p', { class: 'kb-pane-label', 'aria-hidden': 'true' }, t('kb.preview.markdown')), textarea),
    h('div', { class: 'kb-pane kb-pane-preview' },
      h('p', { class: 'kb-pane-label', 'aria-hidden': 'true' }, t('kb.preview.title')), preview));
  let seq = 0;

  async function render() {
    const mine = (seq += 1);
    const text = textarea.value;
    if (!text.trim()) {
      preview.dataset.state = 'ready';
      mount(preview, h('p', { class: 'hint' }, t('kb.preview.empty')));
      return;
    }
    preview.dataset.state = 'pending';
    try {
      const r = await api.post('/api/kb/preview', { body: text });
      if (mine !== seq) return;
      // Sanitised by the server (no scripts, handlers or javascript: links): the
      // same HTML the help center shows, so it goes in as markup.
      preview.innerHTML = r.html;
      preview.dataset.state = 'ready';
    } catch (err) {
      if (mine !== seq) return;
      preview.dataset.state = 'error';
      mount(preview, h('p', { class: 'kb-field-error' }, err.message));
    }
  }
  const soon = debounce(render, 300);
  textarea.addEventListener('input', () => {
    preview.dataset.state = 'pending';
    soon();
  });

  const modes = ['write', 'preview'].map((m) => h('button', {
    type: 'button', class: 'kb-mode', testid: `kb-mode-${m}`, 'aria-pressed': String(m === 'write'),
    onClick: () => {
      panes.dataset.mode = m;
      for (const b of modes) b.setAttribute('aria-pressed', String(b === modes[m === 'write' ? 0 : 1]));
      if (m === 'preview') {
        soon.cancel();
        render();
      }
    },
  }, t(`kb.preview.mode_${m}`)));

  render();
  const el = h('div', { class: 'field kb-body-field' },
    h('div', { class: 'kb-body-head' },
      h('label', { class: 'label', for: id }, t('kb.field.body')),
      h('div', { class: 'kb-modes', role: 'group', 'aria-label': t('kb.preview.modes') }, modes)),
    panes,
    h('p', { class: 'hint' }, t('kb.field.body_hint')),
    error);
  return { el, input: textarea, value: () => textarea.value };
}

/** Draft or published, as a switch. */
export function statusSwitch(status) {
  const input = h('input', { type: 'checkbox', class: 'switch-input', role: 'switch', testid: 'kb-published',
    checked: status === 'published' });
  const el = h('label', { class: 'switch' }, input,
    h('span', { class: 'switch-track', 'aria-hidden': 'true' }),
    h('span', { class: 'switch-text' }, h('span', { class: 'switch-label' }, t('kb.field.published')),
      h('span', { class: 'hint' }, t('kb.field.published_hint'))));
  return { el, input, value: () => (input.checked ? 'published' : 'draft') };
}

/** "All inboxes" (null) or a chosen few. */
export function inboxPicker({ inboxes, value, error }) {
  const some = Array.isArray(value);
  const name = nextId('scope');
  const all = h('input', { type: 'radio', name, value: 'all', checked: !some, testid: 'kb-inboxes-all' });
  const only = h('input', { type: 'radio', name, value: 'some', checked: some, testid: 'kb-inboxes-some',
    disabled: !inboxes.length && !some });
  const boxes = inboxes.map((ib) => h('input', { type: 'checkbox', value: String(ib.id), testid: `kb-inbox-${ib.id}`,
    checked: some && value.includes(ib.id) }));
  const list = h('div', { class: 'field checks kb-inbox-list', testid: 'kb-inbox-list', hidden: !some },
    inboxes.map((ib, i) => h('label', { class: 'check' }, boxes[i],
      h('span', { class: 'check-text' }, h('span', null, ib.name),
        ib.kind === 'email' ? h('span', { class: 'check-sub' }, t('settings.inboxes.email_kind')) : null))));
  const sync = () => { list.hidden = !only.checked; };
  all.addEventListener('change', sync);
  only.addEventListener('change', sync);
  const el = h('fieldset', { class: 'field kb-inboxes', testid: 'kb-inboxes' },
    h('legend', { class: 'label' }, t('kb.field.inboxes')),
    h('p', { class: 'hint' }, t(inboxes.length ? 'kb.field.inboxes_hint' : 'kb.field.inboxes_none')),
    h('label', { class: 'check' }, all, h('span', { class: 'check-text' }, t('kb.field.inboxes_all'))),
    h('label', { class: 'check' }, only, h('span', { class: 'check-text' }, t('kb.field.inboxes_some'))),
    list, error);
  return {
    el,
    input: only,
    value: () => (only.checked ? boxes.filter((b) => b.checked).map((b) => Number(b.value)) : null),
  };
}
