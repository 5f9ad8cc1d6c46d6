/**
 * The contract between the server and the web console's browser code (console/src imports these
 * types only): the JSON the server puts into `<script type="application/json" id="dozvon-boot">`
 * of the console's index.html. The same console runs standalone at `/` and inside the CRMs, where
 * the CRM has already signed the user in.
 */
export type ConsoleLocale = 'ru' | 'en';

/** The console opened at `/`: the person signs in with e-mail and password (or sets up the first admin). */
export interface StandaloneBoot {
  mode: 'standalone';
  /** The language of the browser (Accept-Language) until someone signs in. */
  locale: ConsoleLocale;
  version: string;
}

/** The user signed in by a CRM (Bitrix24 frame auth, amoCRM one-time JWT) as that CRM's tenant. */
export interface EmbeddedBoot {
  mode: 'bitrix24' | 'amocrm';
  locale: ConsoleLocale;
  version: string;
  /** A console session for the CRM user's shadow account (Authorization: Bearer). */
  token: string;
  user: { id: string; name: string; role: 'admin' | 'manager' };
  /** What the CRM frame needs: Bitrix24 `member_id` and `DOMAIN` for B24Frame. */
  crm: { account: string; domain: string };
  /** The CRM connection in words (connected, access restored, or why it must be authorised again). */
  notice?: { text: string; ok: boolean; /** Worth showing on top (a problem, or access just restored). */ show: boolean };
}

export type ConsoleBoot = StandaloneBoot | EmbeddedBoot;

export const BOOT_ELEMENT_ID = 'dozvon-boot';

/**
 * The first path segments of the console's screens (console/src/router.ts builds its routes under
 * these; a test keeps the two in step). The server answers `/` and these paths with the console's
 * page; any other unknown path is a plain 404, as for any server.
 */
export const CONSOLE_SECTIONS = ['login', 'setup', 'templates', 'scenarios', 'campaigns', 'integrations', 'settings', 'profile', 'bitrix24'] as const;

/** Whether `path` (e.g. `/campaigns/42`) is one of the console's pages. */
export function isConsolePath(path: string): boolean {
  if (path === '/' || path === '') return true;
  const [, first = '', ...rest] = path.split('/');
  if (!(CONSOLE_SECTIONS as readonly string[]).includes(first)) return false;
  // `/bitrix24` is the console's page about the app; what lies under it is the app's own (machine) paths.
  return first !== 'bitrix24' || rest.length === 0 || (rest.length === 1 && rest[0] === '');
}
