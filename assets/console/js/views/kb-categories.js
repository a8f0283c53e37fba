// #/kb/categories (admins): the categories of each language, in the order the
// help center shows them. Add, rename, move up and down, delete (the articles
// stay, without a category).
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { field, form } from '../forms.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { confirmDialog, loadError, loading, openDialog, toast } from '../ui.js';
import { KB_LANGS, kbHead, langName, loadCategories } from './kb-common.js';

function renameDialog(cat, done) {
  const dlg = openDialog({ title: t('kb.categories.rename'), testid: 'kb-category-dialog' });
  const f = form({
    testid: 'kb-category-form',
    submitLabel: t('common.save'),
    children: [field({ label: t('kb.categories.name'), name: 'name', required: true, value: cat.name,
      testid: 'kb-category-name-input', attrs: { maxlength: 80, autocomplete: 'off' } })],
    onSubmit: async (v) => {
      await api.patch(`/api/kb/categories/${cat.id}`, { name: v.name });
      dlg.close();
      toast(t('common.saved'));
      done();
    },
  });
  dlg.body.append(f);
  f.querySelector('input').select();
}

async function deleteCategory(cat, done) {
  const ok = await confirmDialog({
    title: t('kb.categories.delete'),
    message: t('kb.categories.delete_confirm', { name: cat.name, n: cat.articles }),
    confirmLabel: t('kb.categories.delete'),
  });
  if (!ok) return;
  try {
    await api.del(`/api/kb/categories/${cat.id}`);
    toast(t('kb.categories.deleted', { name: cat.name }));
  } catch (err) {
    toast(err.message, 'error');
  }
  done();
}

/** The "add a category" line under a language's list. */
function addForm(locale, done) {
  const input = h('input', {
    type: 'text', class: 'input', name: 'name', maxlength: 80, autocomplete: 'off', testid: `kb-category-add-${locale}`,
    placeholder: t('kb.category.new_name'), 'aria-label': t('kb.categories.add_in', { lang: langName(locale) }),
  });
  const error = h('p', { class: 'kb-field-error', role: 'alert', testid: 'kb-category-add-error', hidden: true });
  const button = h('button', { type: 'submit', class: 'btn', testid: `kb-category-add-${locale}-submit` },
    icon('plus', 'icon icon-sm'), h('span', null, t('kb.category.add')));
  const el = h('form', {
    class: 'kb-add-row', novalidate: true,
    onSubmit: async (ev) => {
      ev.preventDefault();
      const name = input.value.trim();
      if (!name || button.disabled) {
        input.focus();
        return;
      }
      button.disabled = true;
      error.hidden = true;
      input.removeAttribute('aria-invalid');
      try {
        await api.post('/api/kb/categories', { locale, name, position: 1000 });
        toast(t('kb.categories.created', { name }));
        done(locale);
      } catch (err) {
        error.textContent = err.message;
        error.hidden = false;
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      } finally {
        button.disabled = false;
      }
    },
  }, input, button);
  return h('div', { class: 'kb-add' }, el, error);
}

/** Draw the page into `page`. */
export function renderCategories(page) {
  const box = h('div', { class: 'kb-categories', testid: 'kb-categories' }, loading());
  page.append(kbHead(t('kb.categories.title'), { sub: t('kb.categories.text') }), box);

  async function load(focusLocale) {
    let all;
    try {
      all = await loadCategories();
    } catch (err) {
      mount(box, loadError(err, load));
      return;
    }
    mount(box, KB_LANGS.map((l) => section(l, all.filter((c) => c.locale === l))));
    if (focusLocale) box.querySelector(`[data-testid="kb-category-add-${focusLocale}"]`).focus();
  }

  /** Move one place up or down: every category of the language gets its index as position. */
  async function move(cats, i, delta) {
    const order = cats.slice();
    [order[i], order[i + delta]] = [order[i + delta], order[i]];
    try {
      for (const [pos, c] of order.entries()) {
        if (c.position !== pos) await api.patch(`/api/kb/categories/${c.id}`, { position: pos });
      }
    } catch (err) {
      toast(err.message, 'error');
    }
    await load();
    const which = delta < 0 ? 'up' : 'down';
    const btn = box.querySelector(`[data-category-id="${cats[i].id}"] [data-testid="kb-category-${which}"]`);
    if (btn && !btn.disabled) btn.focus();
  }

  function row(c, i, cats) {
    return h('li', { class: 'row row-center', testid: 'kb-category-row', dataset: { categoryId: c.id } },
      h('div', { class: 'row-main' },
        h('div', { class: 'row-title', testid: 'kb-category-name' }, c.name),
        h('div', { class: 'row-sub' }, t('kb.categories.counts', { n: c.articles, p: c.published }))),
      h('div', { class: 'row-actions' },
        h('button', { type: 'button', class: 'btn btn-small sla-move', testid: 'kb-category-up', disabled: i === 0,
          'aria-label': t('kb.categories.move_up', { name: c.name }), title: t('kb.categories.move_up', { name: c.name }),
          onClick: () => move(cats, i, -1) }, icon('up', 'icon icon-sm')),
        h('button', { type: 'button', class: 'btn btn-small sla-move', testid: 'kb-category-down',
          disabled: i === cats.length - 1, 'aria-label': t('kb.categories.move_down', { name: c.name }),
          title: t('kb.categories.move_down', { name: c.name }), onClick: () => move(cats, i, 1) },
        icon('down', 'icon icon-sm')),
        h('button', { type: 'button', class: 'btn btn-small', testid: 'kb-category-rename',
          onClick: () => renameDialog(c, load) }, t('kb.categories.rename')),
        h('button', { type: 'button', class: 'btn btn-small btn-quiet-danger', testid: 'kb-category-delete',
          onClick: () => deleteCategory(c, load) }, t('common.delete'))));
  }

  function section(locale, cats) {
    return h('section', { class: 'kb-cat-section', testid: `kb-categories-${locale}` },
      h('h3', { class: 'subhead' }, langName(locale)),
      cats.length
        ? h('ol', { class: 'list' }, cats.map((c, i) => row(c, i, cats)))
        : h('p', { class: 'list-empty' }, t('kb.categories.empty')),
      addForm(locale, load));
  }

  load();
}
