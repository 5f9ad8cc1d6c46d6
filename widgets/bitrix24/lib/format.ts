import { lang } from './i18n.js';

/** Numbers in the page's language. (Dates, durations and outcome colours of calls: widgets/shared/callView.ts.) */
export function count(n: number): string {
  return new Intl.NumberFormat(lang()).format(n);
}
