// Import and export of knowledge base articles (admins), each in a dialog.
// Import sends a .json or .csv file as it is; the server checks the whole
// file first and imports every row or none — a refusal names the lines.
// Export is a plain download, all articles or one language's.
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { icon } from '../icons.js';
import { fmtSize, t } from '../i18n.js';
import { openDialog } from '../ui.js';
import { KB_LANGS, langName } from './kb-common.js';

const FORMATS = ['json', 'csv'];

/** "json" or "csv" from the file's name (or type); null for anything else. */
function formatOf(file) {
  const name = (file.name || '').toLowerCase();
  if (name.endsWith('.json') || file.type === 'application/json') return 'json';
  if (name.endsWith('.csv') || file.type === 'text/csv') return 'csv';
  return null;
}

function refusal(err) {
  const d = err.details || {};
  const shown = String(d.lines || '').split(',').map((l) => l.trim()).filter(Boolean);
  const more = Number(d.count) - shown.length;
  return h('div', { class: 'notice notice-error kb-import-refused', role: 'alert', testid: 'kb-import-refused' },
    h('p', { class: 'kb-import-head' }, t('kb.import.refused')),
    h('p', { testid: 'kb-import-message' }, err.message),
    shown.length ? h('div', { class: 'kb-import-lines' },
      h('span', null, t('kb.import.lines')),
      h('ul', { class: 'kb-chips', testid: 'kb-import-lines' }, shown.map((l) => h('li', { class: 'chip mono' }, l))),
      more > 0 ? h('span', null, t('kb.import.more', { n: more })) : null) : null);
}

/** The import dialog; `done()` after a file was imported (to reload the list). */
export function openImport(done) {
  const dlg = openDialog({ title: t('kb.import.title'), testid: 'kb-import-dialog' });
  const file = h('input', { id: 'kb-import-file', type: 'file', class: 'input kb-file',
    accept: '.json,.csv,application/json,text/csv', testid: 'kb-import-file' });
  const upload = h('button', { type: 'button', class: 'btn btn-primary', testid: 'kb-import-submit', disabled: true },
    icon('file', 'icon icon-sm'), h('span', null, t('kb.import.upload')));
  const result = h('div', { class: 'kb-import-result', testid: 'kb-import-result', 'aria-live': 'polite' });

  file.addEventListener('change', () => {
    mount(result);
    const f = file.files && file.files[0];
    upload.disabled = !f;
    if (f && !formatOf(f)) {
      upload.disabled = true;
      mount(result, h('p', { class: 'form-error', role: 'alert', testid: 'kb-import-error' }, t('kb.import.wrong_type')));
    }
  });

  upload.addEventListener('click', async () => {
    const f = file.files && file.files[0];
    if (!f || upload.disabled) return;
    upload.disabled = true;
    mount(result, h('p', { class: 'loading' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }),
      h('span', null, t('kb.import.sending', { name: f.name, size: fmtSize(f.size) }))));
    try {
      const r = await api.upload(`/api/kb/import?format=${formatOf(f)}`, f);
      mount(result, h('p', { class: 'notice notice-ok', testid: 'kb-import-done' },
        t('kb.import.done', { created: r.created, updated: r.updated, categories: r.categories_created })));
      done();
    } catch (err) {
      mount(result, err.code === 'kb_import_refused' ? refusal(err)
        : h('p', { class: 'form-error', role: 'alert', testid: 'kb-import-error' }, err.message));
    } finally {
      upload.disabled = false;
    }
  });

  dlg.body.append(
    h('p', { class: 'dialog-text' }, t('kb.import.text')),
    h('ul', { class: 'kb-import-help' },
      h('li', null, t('kb.import.csv_hint')),
      h('li', null, t('kb.import.json_hint')),
      h('li', null, t('kb.import.update_hint'))),
    h('div', { class: 'field' }, h('label', { class: 'label', for: 'kb-import-file' }, t('kb.import.file')), file),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'btn', testid: 'kb-import-close', onClick: () => dlg.close() },
        t('common.close')),
      upload),
    result);
}

/** The export dialog: which language, then a JSON or CSV download. */
export function openExport() {
  const dlg = openDialog({ title: t('kb.export.title'), testid: 'kb-export-dialog' });
  const locale = h('select', { id: 'kb-export-locale', class: 'input', testid: 'kb-export-locale' },
    h('option', { value: '' }, t('kb.filter.all_languages')),
    KB_LANGS.map((l) => h('option', { value: l }, langName(l))));
  const links = FORMATS.map((f) => h('a', { class: 'btn', testid: `kb-export-${f}`, download: '' },
    icon('file', 'icon icon-sm'), h('span', null, t(`kb.export.${f}`))));
  const sync = () => {
    for (const [i, f] of FORMATS.entries()) {
      const params = new URLSearchParams({ format: f });
      if (locale.value) params.set('locale', locale.value);
      links[i].href = `/api/kb/export?${params}`;
    }
  };
  locale.addEventListener('change', sync);
  sync();
  dlg.body.append(
    h('p', { class: 'dialog-text' }, t('kb.export.text')),
    h('div', { class: 'field' }, h('label', { class: 'label', for: 'kb-export-locale' }, t('kb.export.locale')), locale),
    h('div', { class: 'actions kb-export-actions' }, links));
}
