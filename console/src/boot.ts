import { BOOT_ELEMENT_ID, type ConsoleBoot } from '@server/http/console/bootConfig';

/**
 * What the server said when it served the page (`<script type="application/json" id="dozvon-boot">`):
 * standalone at `/` (sign in with e-mail and password), or inside a CRM with the CRM user already
 * signed in. The Vite dev server has no boot block: it is standalone then.
 */
export function readBoot(): ConsoleBoot {
  const el = document.getElementById(BOOT_ELEMENT_ID);
  if (el?.textContent) {
    try {
      return JSON.parse(el.textContent) as ConsoleBoot;
    } catch {
      // a broken block is treated like none
    }
  }
  const lang = navigator.language.toLowerCase().startsWith('ru') ? 'ru' : 'en';
  return { mode: 'standalone', locale: lang, version: 'dev' };
}

export const boot: ConsoleBoot = readBoot();
export const embedded = boot.mode !== 'standalone';
