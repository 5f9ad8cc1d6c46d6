import type { Locale } from '../../i18n.js';
import type { Role } from '../../store/repositories/users.js';

/** Who is calling, as established by the authentication middleware. */
export type Principal =
  | {
      kind: 'user';
      userId: string;
      tenantId: string;
      role: Role;
      locale: Locale;
      /** The console session the request came with (absent where a user is vouched for otherwise). */
      sessionId?: string;
    }
  | { kind: 'apiKey'; keyId: string; tenantId: string; role: Role };
