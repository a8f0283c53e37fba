// #/kb/vocabulary (admins): the shop's own search words. Words that Chinese
// search should keep whole (brands, products, slang), one per line, and
// synonym groups, one per line ("快递 = 物流 = 包裹": the first word is the main
// one). Saving re-indexes every article.
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { form, textArea } from '../forms.js';
import { t } from '../i18n.js';
import { guardLeave } from '../router.js';
import { confirmDialog, loadError, loading, toast } from '../ui.js';
import { kbHead, lines } from './kb-common.js';

/** "快递 = 物流, 包裹" → ["快递", "物流", "包裹"]. */
const groupWords = (line) => line.split(/[\s,，、=＝]+/).filter(Boolean);

const wordsText = (v) => v.words.join('\n');
const synonymsText = (v) => v.synonyms.map((g) => g.join(' = ')).join('\n');

/** Select the first line of `textarea` that holds `word`; true if found. */
function selectLineWith(textarea, word, match) {
  const all = textarea.value.split('\n');
  let start = 0;
  for (const l of all) {
    if (match(l, word)) {
      textarea.focus();
      textarea.setSelectionRange(start, start + l.length);
      return true;
    }
    start += l.length + 1;
  }
  return false;
}

function vocabularyForm(vocab) {
  const words = textArea({ label: t('kb.vocabulary.words'), name: 'words', rows: 6, testid: 'kb-words',
    value: wordsText(vocab) });
  words.append(h('p', { class: 'hint' }, t('kb.vocabulary.words_hint')));
  const synonyms = textArea({ label: t('kb.vocabulary.synonyms'), name: 'synonyms', rows: 8, testid: 'kb-synonyms',
    value: synonymsText(vocab) });
  synonyms.append(h('p', { class: 'hint' }, t('kb.vocabulary.synonyms_hint')));
  for (const ta of [words.input, synonyms.input]) {
    ta.setAttribute('autocapitalize', 'off');
    ta.setAttribute('spellcheck', 'false');
  }

  const current = () => ({
    words: lines(words.input.value),
    synonyms: lines(synonyms.input.value).map(groupWords),
  });
  let saved = JSON.stringify(current());
  guardLeave(() => JSON.stringify(current()) !== saved, () => confirmDialog({
    title: t('kb.leave.title'), message: t('kb.leave.text'), confirmLabel: t('kb.leave.confirm') }));

  /** Point at the line a refusal is about. */
  function markRefused(err) {
    const word = err.details && err.details.word;
    if (!word) return;
    const low = String(word).toLowerCase();
    const inWords = (l) => l.trim().toLowerCase() === low;
    const inGroup = (l) => groupWords(l.toLowerCase()).includes(low);
    const target = err.code === 'kb_synonyms_single' ? synonyms.input
      : (lines(words.input.value).some(inWords) ? words.input : synonyms.input);
    target.setAttribute('aria-invalid', 'true');
    selectLineWith(target, low, target === words.input ? inWords : inGroup);
  }

  const f = form({
    testid: 'kb-vocabulary-form',
    submitLabel: t('common.save'),
    wide: true,
    extraActions: h('a', { class: 'btn', href: '#/kb', testid: 'kb-cancel' }, t('common.cancel')),
    children: [words, synonyms, h('p', { class: 'notice' }, t('kb.vocabulary.reindex'))],
    onSubmit: async () => {
      const body = current();
      let r;
      try {
        r = await api.put('/api/kb/vocabulary', body);
      } catch (err) {
        markRefused(err);
        throw err;
      }
      words.input.value = wordsText(r);
      synonyms.input.value = synonymsText(r);
      saved = JSON.stringify(current());
      toast(t('kb.vocabulary.saved', { words: r.words.length, groups: r.synonyms.length }));
    },
  });
  return f;
}

/** Draw the page into `page`. */
export function renderVocabulary(page) {
  const box = h('div', { class: 'kb-vocabulary', testid: 'kb-vocabulary' }, loading());
  page.append(kbHead(t('kb.vocabulary.title'), { sub: t('kb.vocabulary.text') }), box);
  async function load() {
    try {
      mount(box, h('section', { class: 'card' }, vocabularyForm(await api.get('/api/kb/vocabulary'))));
    } catch (err) {
      mount(box, loadError(err, load));
    }
  }
  load();
}
