/// <reference lib="dom" />
import type { WidgetConfig } from '../../../src/http/bitrix24/pages/widgetConfig.js';
import { Api } from './api.js';
import { fill } from './dom.js';
import { connectFrame, fitToContent, type B24Frame } from './frame.js';
import { initI18n } from './i18n.js';
import { errorNotice } from './ui.js';

/**
 * What every page does first: read the config block, set up the texts, connect to the portal,
 * keep the frame sized to the content — then hand over to the page. Whatever fails on the way is
 * shown in the page (with "Try again"), never a blank frame.
 */
export interface PageContext<C extends WidgetConfig> {
  cfg: C;
  $b24: B24Frame;
  api: Api;
  root: HTMLElement;
  /** Builds the page again from scratch (a "Try again" for a part that failed). */
  retry: () => void;
}

export function readConfig<C extends WidgetConfig>(): C {
  const el = document.getElementById('dozvon-config');
  return JSON.parse(el?.textContent ?? '{}') as C;
}

export function boot<C extends WidgetConfig>(render: (ctx: PageContext<C>) => Promise<void>): void {
  const root = document.getElementById('app') as HTMLElement;
  const cfg = readConfig<C>();
  initI18n(cfg);
  let $b24: B24Frame | undefined;
  const start = async (): Promise<void> => {
    root.setAttribute('aria-busy', 'true');
    try {
      if (!$b24) {
        $b24 = await connectFrame();
        fitToContent($b24, root);
      }
      await render({ cfg, $b24, api: new Api($b24, cfg), root, retry: () => void start() });
    } catch (e) {
      fill(root, errorNotice(e, () => void start()));
    } finally {
      root.setAttribute('aria-busy', 'false');
    }
  };
  void start();
}
