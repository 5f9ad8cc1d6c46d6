import type { Platform } from './config.js';

/**
 * Where an account lives. amoCRM and Kommo send their host (`referer` of the install redirect,
 * the widget token's `iss`, the DP hook's `subdomain`): only `<sub>.amocrm.ru` (amoCRM) and
 * `<sub>.kommo.com` / `<sub>.amocrm.com` (Kommo; amocrm.com accounts moved there, brief §8) are
 * accepted, over https — Dozvon sends tokens there, so no other host may ever be named. With
 * CRM_ALLOW_HTTP, loopback over http is accepted too (the emulator); its platform is then the
 * integration's.
 */
export interface AccountHost {
  /** `acme.amocrm.ru` (lower case) or `127.0.0.1:4711`. */
  host: string;
  /** `https://acme.amocrm.ru` — the API and OAuth base. */
  baseUrl: string;
  /** Null on loopback: decided by the integration. */
  platform: Platform | null;
  /** From the host; on loopback, unknown until the account says. */
  subdomain: string | null;
}

const CLOUD = /^([a-z0-9][a-z0-9-]{0,62})\.(amocrm\.ru|kommo\.com|amocrm\.com)$/;
const LOOPBACK = /^(127\.0\.0\.1|localhost):(\d{1,5})$/;

export function parseAccountHost(raw: string, allowLoopbackHttp: boolean): AccountHost | undefined {
  const host = raw.trim().toLowerCase();
  const m = CLOUD.exec(host);
  if (m) return { host, baseUrl: `https://${host}`, platform: m[2]!.endsWith('.ru') ? 'amocrm' : 'kommo', subdomain: m[1]! };
  if (allowLoopbackHttp && LOOPBACK.test(host)) return { host, baseUrl: `http://${host}`, platform: null, subdomain: null };
  return undefined;
}

/** The account named by a URL (`iss` of a widget token): https on the cloud hosts, http on loopback only with CRM_ALLOW_HTTP. */
export function parseAccountUrl(raw: string, allowLoopbackHttp: boolean): AccountHost | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.pathname !== '/' || url.search || url.username || url.password) return undefined;
  const parsed = parseAccountHost(url.host, allowLoopbackHttp);
  if (!parsed) return undefined;
  const wanted = parsed.platform === null ? 'http:' : 'https:';
  return url.protocol === wanted ? parsed : undefined;
}

/** The origin the widget's requests come from (CORS): the account's pages. */
export function isAccountOrigin(origin: string, allowLoopbackHttp: boolean): boolean {
  return parseAccountUrl(`${origin}/`, allowLoopbackHttp) !== undefined;
}

/** Where an administrator reconnects (the OAuth button's popup, brief §1 "Getting a code", route 2). */
export function oauthPageUrl(platform: Platform, baseUrl: string, loopback: boolean): string {
  if (loopback) return `${baseUrl}/oauth`;
  return platform === 'amocrm' ? 'https://www.amocrm.ru/oauth' : 'https://www.kommo.com/oauth';
}
