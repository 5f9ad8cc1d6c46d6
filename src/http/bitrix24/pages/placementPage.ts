import { t } from '../../../i18n.js';
import type { WidgetAssets } from '../static.js';
import { widgetShell } from './html.js';
import type { PlacementWidgetConfig } from './widgetConfig.js';

/**
 * Placement pages: the deal / lead tab (`widgets/bitrix24/tab.ts`: call history, "Call now") and the
 * list-menu action (`widgets/bitrix24/menu.ts`: call the chosen rows, then the campaign's
 * progress). The server only hands over the config block; the page reads and acts through
 * `/bitrix24/api/*` with the user's frame token (README.md, "Placements: the pages inside Bitrix24").
 */
export function placementPage(c: PlacementWidgetConfig, assets: WidgetAssets): string {
  const tab = c.page.endsWith('_tab');
  return widgetShell({
    lang: c.lang,
    title: t(c.lang, tab ? 'placements.tab.title' : 'placements.menu.title'),
    config: c,
    assets,
    entry: tab ? 'tab' : 'menu',
  });
}
