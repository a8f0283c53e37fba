// Settings → Routing → Intents: what customers write about ("shipping status",
// "refund"), each learnt from example messages (one per line) and optional
// keywords, and the team that takes it. The model retrains itself after a
// change. Admins create, edit and delete; other agents read.
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { field, form, selectField, textArea } from '../forms.js';
import { icon } from '../icons.js';
import { t } from '../i18n.js';
import { isAdmin } from '../session.js';
import { badge, confirmDialog, loadError, loading, openDialog, toast } from '../ui.js';
import { rdir, splitWords } from './routing-common.js';

/** "1 example" / "3 examples" (`key_one` for one). */
const plural = (key, n) => t(n === 1 ? `${key}_one` : key, { n });

/** Lines of a textarea, trimmed, without empty ones. */
const lines = (text) => text.split('\n').map((l) => l.trim()).filter(Boolean);

/** Select line `index` (0-based) of the textarea, to point at a refused example. */
function selectLine(textarea, index) {
  const all = textarea.value.split('\n');
  let start = 0;
  let seen = -1;
  for (const l of all) {
    if (l.trim()) seen += 1;
    if (seen === index) {
      textarea.focus();
      textarea.setSelectionRange(start, start + l.length);
      return;
    }
    start += l.length + 1;
  }
}

/** Mark the input a refusal is about. */
function markRefused(f, err) {
  const byCode = {
    intent_name_invalid: 'name', intent_name_taken: 'name', intent_label_invalid: 'label',
    intent_examples_required: 'examples', intent_example_invalid: 'examples', keyword_invalid: 'keywords',
    team_not_found: 'team_id', unknown_team: 'team_id',
  };
  const name = byCode[err.code] || (err.details && err.details.field);
  const input = name && f.querySelector(`[name="${CSS.escape(name)}"]`);
  if (!input) return;
  input.setAttribute('aria-invalid', 'true');
  const index = err.details && err.details.index;
  if (name === 'examples' && Number.isInteger(index)) selectLine(input, index);
  else input.focus();
}

/** Create (intent null) or edit an intent in a dialog; `done()` after saving. */
function intentDialog(intent, done) {
  const dlg = openDialog({ title: intent ? t('routing.intents.edit') : t('routing.intents.new'),
    testid: 'intent-dialog' });
  const examples = textArea({ label: t('routing.intents.examples'), name: 'examples', rows: 6,
    testid: 'intent-examples', value: intent ? intent.examples.join('\n') : '' });
  examples.append(h('p', { class: 'hint' }, t('routing.intents.examples_hint')));
  const keywords = textArea({ label: t('routing.intents.keywords'), name: 'keywords', rows: 2,
    testid: 'intent-keywords', value: intent ? intent.keywords.join('\n') : '' });
  keywords.append(h('p', { class: 'hint' }, t('routing.intents.keywords_hint')));
  for (const ta of [examples.input, keywords.input]) ta.setAttribute('autocapitalize', 'off');
  const f = form({
    testid: 'intent-form',
    submitLabel: intent ? t('common.save') : t('routing.intents.create'),
    children: [
      field({ label: t('routing.intents.label'), name: 'label', required: true, value: intent ? intent.label : '',
        testid: 'intent-label', hint: t('routing.intents.label_hint'), attrs: { maxlength: 60 } }),
      field({ label: t('routing.intents.name'), name: 'name', required: true, value: intent ? intent.name : '',
        testid: 'intent-name', hint: t('routing.intents.name_hint'),
        attrs: { maxlength: 40, autocapitalize: 'off', spellcheck: 'false', class: 'input mono' } }),
      examples, keywords,
      selectField({ label: t('routing.intents.team'), name: 'team_id', testid: 'intent-team',
        value: intent && intent.team_id ? String(intent.team_id) : '', hint: t('routing.intents.team_hint'),
        options: [['', t('routing.intents.no_team')], ...rdir.teams.map((tm) => [String(tm.id), tm.name])] }),
    ],
    onSubmit: async (v, el) => {
      const body = {
        name: v.name, label: v.label, examples: lines(examples.input.value),
        keywords: splitWords(keywords.input.value), team_id: v.team_id ? Number(v.team_id) : null,
      };
      let r;
      try {
        r = intent ? await api.patch(`/api/routing/intents/${intent.id}`, body)
          : await api.post('/api/routing/intents', body);
      } catch (err) {
        markRefused(el, err);
        throw err;
      }
      dlg.close();
      toast(intent ? t('common.saved') : t('routing.intents.created', { label: r.intent.label }));
      done();
    },
  });
  dlg.body.append(f);
  f.querySelector('input').focus();
}

async function deleteIntent(intent, done) {
  const ok = await confirmDialog({ title: t('routing.intents.delete'),
    message: t('routing.intents.delete_confirm', { label: intent.label }), confirmLabel: t('routing.intents.delete') });
  if (!ok) return;
  try {
    await api.del(`/api/routing/intents/${intent.id}`);
    toast(t('routing.intents.deleted', { label: intent.label }));
  } catch (err) {
    toast(err.message, 'error');
  }
  done();
}

function intentRow(it, admin, done) {
  return h('li', { class: 'row row-center', testid: 'intent-row', dataset: { intentId: it.id, name: it.name } },
    h('div', { class: 'row-main' },
      h('div', { class: 'row-title' }, h('span', { testid: 'intent-row-label' }, it.label),
        h('span', { class: 'mono rt-name', testid: 'intent-row-name' }, it.name)),
      h('div', { class: 'row-meta' },
        h('span', { testid: 'intent-row-examples', dataset: { count: it.examples.length } },
          plural('routing.intents.n_examples', it.examples.length)),
        it.keywords.length ? h('span', { testid: 'intent-row-keywords' },
          t('routing.intents.keywords_list', { words: it.keywords.join(t('routing.list_sep')) })) : null,
        it.team_id ? badge(t('routing.intents.team_named', { team: rdir.teamName(it.team_id) }), 'accent') : null,
        h('span', { testid: 'intent-row-conversations', dataset: { count: it.conversations } },
          plural('routing.intents.n_conversations', it.conversations)))),
    admin ? h('div', { class: 'row-actions' },
      h('button', { type: 'button', class: 'btn btn-small', testid: 'intent-edit',
        onClick: () => intentDialog(it, done) }, t('common.edit')),
      h('button', { type: 'button', class: 'btn btn-small btn-quiet-danger', testid: 'intent-delete',
        onClick: () => deleteIntent(it, done) }, t('common.delete'))) : null);
}

/**
 * Draw the intents into `box`. `changed()` runs after a create, edit or delete
 * (the rules pick intents by name). Returns `draw()`, to repaint from rdir.
 */
export function renderIntents(box, changed) {
  const admin = isAdmin();
  const listBox = h('div', null, loading());
  const newBtn = admin ? h('button', { type: 'button', class: 'btn btn-primary', testid: 'intent-new',
    onClick: () => intentDialog(null, changed) }, icon('plus', 'icon icon-sm'), h('span', null, t('routing.intents.new')))
    : null;
  box.append(
    h('div', { class: 'rt-head' },
      h('div', { class: 'section-head-text' }, h('h3', { class: 'rt-title' }, t('routing.intents.title')),
        h('p', { class: 'section-text' }, t('routing.intents.text'))),
      newBtn),
    listBox);

  function draw(err) {
    if (err) {
      mount(listBox, loadError(err, changed));
      return;
    }
    const intents = rdir.intents.slice().sort((a, b) => a.label.localeCompare(b.label));
    mount(listBox, intents.length
      ? h('ul', { class: 'list', testid: 'intent-list' }, intents.map((it) => intentRow(it, admin, changed)))
      : h('p', { class: 'list-empty', testid: 'intent-list-empty' },
        t(admin ? 'routing.intents.empty' : 'routing.intents.empty_readonly')));
  }
  return draw;
}
