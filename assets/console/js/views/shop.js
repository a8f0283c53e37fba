// Settings → Shop: the shop's name, its default language (used for customers
// and for agents who have not chosen one) and its time zone.
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { field, form, selectField } from '../forms.js';
import { LANGS, t } from '../i18n.js';
import { setShopName } from '../session.js';
import { card, loadError, loading, toast } from '../ui.js';
import { sectionHead } from './settings.js';

/** Draw the Shop section into `body`. */
export function renderShop(body) {
  const box = h('div', null, loading());
  body.append(sectionHead(t('settings.shop.title'), t('settings.shop.text')), box);

  async function load() {
    let settings;
    try {
      settings = await api.get('/api/settings');
    } catch (err) {
      mount(box, loadError(err, load));
      return;
    }
    const f = form({
      testid: 'shop-form',
      submitLabel: t('common.save'),
      children: [
        field({ label: t('settings.shop.name'), name: 'shop_name', required: true, value: settings.shop_name,
          testid: 'shop-name-input' }),
        selectField({ label: t('settings.shop.default_locale'), name: 'default_locale',
          value: settings.default_locale, testid: 'shop-locale', hint: t('settings.shop.default_locale_hint'),
          options: LANGS.map((l) => [l.code, l.label]) }),
        field({ label: t('settings.shop.timezone'), name: 'timezone', required: true, value: settings.timezone,
          testid: 'shop-timezone', hint: t('settings.shop.timezone_hint') }),
      ],
      onSubmit: async (v) => {
        const r = await api.patch('/api/settings', v);
        setShopName(r.shop_name);
        toast(t('common.saved'));
      },
    });
    mount(box, h('div', { class: 'stack' }, card(null, f)));
  }
  load();
}
