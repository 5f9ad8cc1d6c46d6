import { z } from 'zod';
import type { OutboundHttp } from '../../../net/outboundHttp.js';
import { amoRequest } from '../api/transport.js';
import { parseAccountHost, type AccountHost } from '../platform.js';

/**
 * An account renamed its subdomain (gotcha 16): its old host no longer answers for it, so the
 * refresh there fails (401 / 404). amoCRM tells the account's current address to whoever holds a
 * live refresh token: `GET https://{api_domain}/oauth2/account/current/subdomain` with
 * `X-Refresh-Token` (brief §1; the PHP SDK's getAccountDomainByRefreshToken), where `api_domain`
 * is a claim of the access tokens amoCRM issues (JWTs since 2024-08-21). The lookup does not spend
 * the refresh token.
 *
 * The refresh token goes only to an amoCRM / Kommo API host (`api-a.amocrm.ru`, `api-b.kommo.com`,
 * …) over https — or loopback with CRM_ALLOW_HTTP (the emulator) — whatever the claim says, and
 * the answer is taken only for the same account id and a host an account may live on.
 */
const API_HOST = /^api-[a-z0-9]{1,10}\.(amocrm\.ru|amocrm\.com|kommo\.com)$/;
const LOOPBACK = /^(127\.0\.0\.1|localhost):\d{1,5}$/;

const answerSchema = z.object({ id: z.coerce.number().int().positive(), subdomain: z.string().min(1).max(100), domain: z.string().min(1).max(255) }).passthrough();

/** The `api_domain` claim of an amoCRM access token, as a base URL we may send a refresh token to; undefined when absent or foreign. */
export function apiDomainOf(accessToken: string, allowLoopbackHttp: boolean): string | undefined {
  const payload = accessToken.split('.')[1];
  if (!payload) return undefined;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const host = typeof claims === 'object' && claims !== null ? (claims as { api_domain?: unknown }).api_domain : undefined;
  if (typeof host !== 'string') return undefined;
  const h = host.trim().toLowerCase();
  if (API_HOST.test(h)) return `https://${h}`;
  if (allowLoopbackHttp && LOOPBACK.test(h)) return `http://${h}`;
  return undefined;
}

/**
 * Where account `accountId` lives now, or undefined when amoCRM cannot say (no claim, another
 * account, a host we do not accept). Throws the AmoError of a failed lookup.
 */
export async function currentAccountHost(
  a: { accountId: number; accessToken: string; refreshToken: string },
  o: { http: OutboundHttp; allowLoopbackHttp: boolean },
): Promise<(AccountHost & { subdomain: string }) | undefined> {
  const base = apiDomainOf(a.accessToken, o.allowLoopbackHttp);
  if (!base) return undefined;
  const answer = await amoRequest(base, { method: 'GET', path: '/oauth2/account/current/subdomain', headers: { 'x-refresh-token': a.refreshToken } }, { http: o.http, timeoutMs: 15_000 });
  const parsed = answerSchema.safeParse(answer.body);
  if (!parsed.success || parsed.data.id !== a.accountId) return undefined;
  const host = parseAccountHost(parsed.data.domain, o.allowLoopbackHttp);
  return host && { ...host, subdomain: host.subdomain ?? parsed.data.subdomain };
}
