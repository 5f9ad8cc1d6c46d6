import type { OutboundHttp } from '../../../net/outboundHttp.js';
import { z } from 'zod';
import { B24Error } from '../rest/b24Error.js';
import { postToBitrix } from '../rest/transport.js';

/**
 * The Bitrix24 OAuth server (brief §1.4): `grant_type=refresh_token` at the portal's stored
 * `server_endpoint` (never a hard-coded host: it drifted to oauth.bitrix24.tech, gotcha 6).
 *
 * Only Bitrix24's own OAuth hosts are trusted (plus loopback with CRM_ALLOW_HTTP, for the
 * emulator): a successful exchange there with our client secret is what proves an install is real —
 * a forged install page or ONAPPINSTALL naming its own "OAuth server" gets nowhere.
 */
export const TRUSTED_OAUTH_HOSTS = ['oauth.bitrix.info', 'oauth.bitrix24.tech'];

/** Where a frame form that names no OAuth server is verified (RD:settings/oauth/auto-renewal.md). */
export const DEFAULT_SERVER_ENDPOINT = 'https://oauth.bitrix.info/rest/';

export function isTrustedServerEndpoint(serverEndpoint: string, allowLoopbackHttp: boolean): boolean {
  let url: URL;
  try {
    url = new URL(serverEndpoint);
  } catch {
    return false;
  }
  if (allowLoopbackHttp && (url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]')) return true;
  return url.protocol === 'https:' && TRUSTED_OAUTH_HOSTS.includes(url.hostname);
}

const tokenResponse = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires: z.coerce.number().optional(),
  expires_in: z.coerce.number().default(3600),
  client_endpoint: z.string().url(),
  server_endpoint: z.string().url().optional(),
  member_id: z.string().min(1),
  scope: z.string().default(''),
  user_id: z.coerce.number().int().optional(),
  domain: z.string().optional(),
});
export type TokenResponse = z.infer<typeof tokenResponse>;

export interface AppCredentials {
  clientId: string;
  clientSecret: string;
}

export async function exchangeRefreshToken(
  serverEndpoint: string,
  refreshToken: string,
  creds: AppCredentials,
  o: { allowLoopbackHttp: boolean; http: OutboundHttp },
): Promise<TokenResponse> {
  if (!isTrustedServerEndpoint(serverEndpoint, o.allowLoopbackHttp)) {
    throw new B24Error('UNTRUSTED_OAUTH_SERVER', 'server_endpoint is not a Bitrix24 OAuth server', 0, 'revoked');
  }
  const url = new URL('/oauth/token/', serverEndpoint).toString();
  const form = new URLSearchParams({
    grant_type: 'refresh_token',
    client_id: creds.clientId,
    client_secret: creds.clientSecret,
    refresh_token: refreshToken,
  });
  const answer = await postToBitrix(url, { form }, { http: o.http, timeoutMs: 20_000 });
  const parsed = tokenResponse.safeParse(answer);
  if (!parsed.success) throw new B24Error('BAD_TOKEN_RESPONSE', 'the OAuth server answered without a token pair', 200, 'transient');
  return parsed.data;
}
