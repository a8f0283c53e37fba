// Profile: your name, language, availability, notifications on this
// device, which notifications you also get by email, password, and log out.
import { api } from '../api.js';
import { chooseLang, logout, refresh } from '../app.js';
import { h, mount } from '../dom.js';
import { field, form, segmented } from '../forms.js';
import { icon } from '../icons.js';
import { LANGS, browserLang, t } from '../i18n.js';
import { askDesktopPermission, chime, desktopPermission, notifyPrefs, setNotifyPref } from '../notify.js';
import { onSessionChange, session, updateAgent } from '../session.js';
import { badge, card, loadError, toast } from '../ui.js';

function detailsCard() {
  const a = session.agent;
  const f = form({
    testid: 'profile-form',
    submitLabel: t('common.save'),
    children: [
      field({ label: t('field.name'), name: 'name', required: true, value: a.name, testid: 'profile-name',
        autocomplete: 'name' }),
      h('dl', { class: 'facts' },
        h('dt', null, t('field.email')), h('dd', { testid: 'profile-email' }, a.email),
        h('dt', null, t('field.role')), h('dd', null, badge(t(`role.${a.role}`), 'accent'))),
    ],
    onSubmit: async (v) => {
      const r = await api.patch('/api/me', { name: v.name });
      updateAgent(r.agent);
      toast(t('common.saved'));
    },
  });
  return card(t('profile.details'), f);
}

function languageCard() {
  const auto = t('profile.lang_auto', { lang: LANGS.find((l) => l.code === browserLang()).label });
  return card(t('profile.language'),
    h('p', { class: 'hint' }, t('profile.language_text')),
    segmented({
      name: 'locale', testid: 'profile-lang', value: session.agent.locale || 'auto',
      options: [['auto', auto], ...LANGS.map((l) => [l.code, l.label])],
      onChange: (v) => chooseLang(v === 'auto' ? null : v),
    }));
}

function availabilityCard() {
  const group = segmented({
    name: 'availability', testid: 'profile-availability', value: session.agent.availability,
    options: ['online', 'away', 'offline'].map((a) => [a, t(`availability.${a}`),
      h('span', { class: ['dot', `dot-${a}`], 'aria-hidden': 'true' })]),
    onChange: async (v) => {
      try {
        const r = await api.put('/api/me/availability', { availability: v });
        updateAgent(r.agent);
        toast(t('availability.changed', { status: t(`availability.${v}`) }));
      } catch (err) {
        toast(err.message, 'error');
        refresh();
      }
    },
  });
  // The header's status menu can change it too: keep the radios in step.
  const unsubscribe = onSessionChange(() => {
    if (!group.isConnected) {
      unsubscribe();
      return;
    }
    const radio = group.querySelector(`input[value="${session.agent ? session.agent.availability : ''}"]`);
    if (radio) radio.checked = true;
  });
  return card(t('availability.title'), h('p', { class: 'hint' }, t('profile.availability_text')), group);
}

function toggle({ label, hint, checked, testid, onChange }) {
  const input = h('input', { type: 'checkbox', class: 'switch-input', checked, testid, role: 'switch',
    onChange: (ev) => onChange(ev.target.checked, ev.target) });
  return h('label', { class: 'switch' }, input, h('span', { class: 'switch-track', 'aria-hidden': 'true' }),
    h('span', { class: 'switch-text' }, h('span', { class: 'switch-label' }, label),
      hint ? h('span', { class: 'hint' }, hint) : null));
}

function notificationsCard() {
  const prefs = notifyPrefs();
  const note = h('p', { class: 'notice notice-warn', testid: 'notify-blocked', hidden: true });
  const explain = (perm) => {
    note.hidden = perm !== 'denied' && perm !== 'unsupported';
    note.textContent = perm === 'unsupported' ? t('profile.notify_unsupported') : t('profile.notify_denied');
  };
  if (prefs.desktop) explain(desktopPermission());
  return card(t('profile.notifications'),
    h('p', { class: 'hint' }, t('profile.notifications_text')),
    toggle({
      label: t('profile.notify_sound'), hint: t('profile.notify_sound_hint'), checked: prefs.sound,
      testid: 'notify-sound',
      onChange: (on) => {
        setNotifyPref('sound', on);
        if (on) chime();
      },
    }),
    toggle({
      label: t('profile.notify_desktop'), hint: t('profile.notify_desktop_hint'), checked: prefs.desktop,
      testid: 'notify-desktop',
      onChange: async (on, input) => {
        if (!on) {
          setNotifyPref('desktop', false);
          explain('granted');
          return;
        }
        const perm = await askDesktopPermission();
        explain(perm);
        const ok = perm === 'granted';
        input.checked = ok;
        setNotifyPref('desktop', ok);
      },
    }),
    note,
    h('div', null, h('button', { type: 'button', class: 'btn btn-small', testid: 'notify-test', onClick: () => chime() },
      icon('bell', 'icon icon-sm'), h('span', null, t('profile.notify_test')))));
}

const EMAIL_KINDS = ['assigned', 'customer_replied', 'sla'];

/** "Email me when…": one switch per kind, saved on the server (they follow the agent). */
function emailCard() {
  const box = h('div', { class: 'switch-list', testid: 'email-prefs', 'aria-busy': 'true' });
  let prefs = null;

  async function save(kind, on, input) {
    const next = { ...prefs, [kind]: on };
    try {
      prefs = (await api.put('/api/me/notification-emails', next)).email;
      toast(t('common.saved'));
    } catch (err) {
      input.checked = prefs[kind];
      toast(err.message, 'error');
    }
  }

  async function load() {
    try {
      prefs = (await api.get('/api/me/notification-emails')).email;
    } catch (err) {
      mount(box, loadError(err, load));
      return;
    }
    box.removeAttribute('aria-busy');
    mount(box, EMAIL_KINDS.map((k) => toggle({
      label: t(`profile.email_${k}`), hint: t(`profile.email_${k}_hint`), checked: prefs[k], testid: `email-${k}`,
      onChange: (on, input) => save(k, on, input),
    })));
  }
  load();
  return card(t('profile.email_title'),
    h('p', { class: 'hint' }, t('profile.email_text', { email: session.agent.email })), box);
}

function passwordCard() {
  const again = field({ label: t('field.repeat_password'), name: 'new_password_again', type: 'password',
    required: true, testid: 'password-again', autocomplete: 'new-password' });
  const f = form({
    testid: 'password-form',
    submitLabel: t('profile.password_submit'),
    children: [
      field({ label: t('field.current_password'), name: 'current_password', type: 'password', required: true,
        testid: 'password-current', autocomplete: 'current-password' }),
      field({ label: t('field.new_password'), name: 'new_password', type: 'password', required: true,
        testid: 'password-new', autocomplete: 'new-password', hint: t('field.password_hint') }),
      again,
    ],
    onSubmit: async (v, el) => {
      if (v.new_password !== v.new_password_again) {
        again.input.setAttribute('aria-invalid', 'true');
        throw new Error(t('form.password_mismatch'));
      }
      await api.post('/api/me/password', { current_password: v.current_password, new_password: v.new_password });
      el.reset();
      toast(t('profile.password_changed'));
    },
  });
  return card(t('profile.password'), f);
}

/** #/profile */
export function renderProfile(page, _params, ctx) {
  ctx.setTitle(t('nav.profile'));
  page.append(h('div', { class: 'stack' },
    detailsCard(), languageCard(), availabilityCard(), notificationsCard(), emailCard(), passwordCard(),
    card(null, h('div', { class: 'logout-row' },
      h('p', { class: 'hint' }, t('profile.logout_text', { shop: session.shopName || t('app.name') })),
      h('button', { type: 'button', class: 'btn btn-danger', testid: 'logout', onClick: logout },
        icon('logout', 'icon icon-sm'), h('span', null, t('profile.logout')))))));
}
