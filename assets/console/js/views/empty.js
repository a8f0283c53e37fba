// Reports: a placeholder until that feature lands, saying what will appear there.
import { emptyState } from '../ui.js';
import { t } from '../i18n.js';

function placeholder(key, iconName) {
  return (page, _params, ctx) => {
    ctx.setTitle(t(`nav.${key}`));
    page.append(emptyState({
      iconName,
      title: t(`${key}.empty_title`),
      text: t(`${key}.empty_text`),
      testid: `empty-${key}`,
    }));
  };
}

export const renderReports = placeholder('reports', 'chart');
