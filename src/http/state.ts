import type { Locale } from '../i18n.js';
import type { Principal } from '../engine/auth/principal.js';

export type { Principal } from '../engine/auth/principal.js';

export interface DozvonState {
  requestId: string;
  locale: Locale;
  principal?: Principal;
}
