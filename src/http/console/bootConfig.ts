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
