// Settings → Routing (admins): who gets a new conversation. The intents the
// classifier learns from examples, the rules tried in order, a box to try a
// message against both, and the options (the VIP team; put a conversation back
// in the queue when its agent goes offline; an angry customer raises the
// priority or goes from the bot to a person).
import { api } from '../api.js';
import { append, h, mount } from '../dom.js';
import { form } from '../forms.js';
import { t } from '../i18n.js';
import { isAdmin } from '../session.js';
import { loadError, loading, toast } from '../ui.js';
import { isOn, pick, rdir, switchField } from './routing-common.js';
import { renderIntents } from './routing-intents.js';
import { renderRules } from './routing-rules.js';
import { renderTry } from './routing-try.js';
import { sectionHead } from './settings.js';

const SWITCHES = ['requeue_on_offline', 'negative_raises_priority', 'negative_hands_over'];

/** The options form, filled from GET /api/routing/settings. */
function optionsForm(settings, admin) {
  const f = form({
    testid: 'routing-options-form',
    submitLabel: t('common.save'),
    children: [
      pick({ label: t('routing.options.vip_team'), name: 'vip_team_id', testid: 'routing-vip-team',
        value: settings.vip_team_id ? String(settings.vip_team_id) : '',
        options: [['', t('routing.options.no_vip_team')], ...rdir.teams.map((tm) => [String(tm.id), tm.name])] }),
      h('p', { class: 'hint hint-tight' }, t('routing.options.vip_team_hint')),
      h('div', { class: 'switch-list' }, SWITCHES.map((k) => switchField({ name: k, checked: settings[k],
        label: t(`routing.options.${k}`), hint: t(`routing.options.${k}_hint`), testid: `routing-${k}` }))),
    ],
    onSubmit: async (v) => {
      const body = { vip_team_id: v.vip_team_id ? Number(v.vip_team_id) : null };
      for (const k of SWITCHES) body[k] = isOn(v[k]);
      await api.put('/api/routing/settings', body);
      toast(t('routing.options.saved'));
    },
  });
  if (!admin) {
    for (const el of f.elements) el.disabled = true;
    f.querySelector('.actions').hidden = true;
  }
  return f;
}

/** Draw Settings → Routing into `body`. */
export function renderRouting(body) {
  const admin = isAdmin();
  const intentsBox = h('div', { class: 'list-box', testid: 'routing-intents' });
  const rulesBox = h('div', { class: 'list-box', testid: 'routing-rules' });
  const tryBox = h('div', { class: 'list-box', testid: 'routing-try' });
  const optionsBox = h('div', { class: 'list-box', testid: 'routing-options' });
  const status = h('div', null, loading());
  append(body, [
    sectionHead(t('settings.routing.title'), t('routing.text')),
    admin ? null : h('p', { class: 'notice', testid: 'routing-readonly' }, t('routing.readonly')),
    status, intentsBox, rulesBox, tryBox, optionsBox]);

  let drawIntents = null;
  let loadRules = null;

  /** The intents changed: load them (and the names the rules show) again. */
  async function intentsChanged() {
    try {
      await rdir.load();
      drawIntents();
    } catch (err) {
      drawIntents(err);
    }
    loadRules();
  }

  async function loadOptions() {
    mount(optionsBox, loading());
    try {
      const settings = await api.get('/api/routing/settings');
      mount(optionsBox,
        h('div', { class: 'rt-head' }, h('div', { class: 'section-head-text' },
          h('h3', { class: 'rt-title' }, t('routing.options.title')),
          h('p', { class: 'section-text' }, t('routing.options.text')))),
        h('section', { class: 'card' }, optionsForm(settings, admin)));
    } catch (err) {
      mount(optionsBox, loadError(err, loadOptions));
    }
  }

  async function start() {
    try {
      await rdir.load();
    } catch (err) {
      mount(status, loadError(err, start));
      return;
    }
    status.remove();
    drawIntents = renderIntents(intentsBox, intentsChanged);
    drawIntents();
    loadRules = renderRules(rulesBox);
    loadRules();
    if (admin) renderTry(tryBox);
    loadOptions();
  }
  start();
}
