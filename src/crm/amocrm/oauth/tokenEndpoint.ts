import { z } from 'zod';
import type { OutboundHttp } from '../../../net/outboundHttp.js';
import { AmoError, isAmoError } from '../api/amoError.js';
import { amoRequest } from '../api/transport.js';
import type { Integration } from '../config.js';

/**
 * `POST https://{account}/oauth2/access_token` (brief §1): always the account's own host, never
 * `www.`. Every answer carries a new pair; the refresh token presented is spent.
 */
const pairSchema = z.object({
  token_type: z.string().optional(),
  expires_in: z.coerce.number().int().positive(),
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
});
export type TokenPair = z.infer<typeof pairSchema> & { expiresAt: Date };

type Grant = { grant_type: 'authorization_code'; code: string } | { grant_type: 'refresh_token'; refresh_token: string };

export async function requestTokens(baseUrl: string, integration: Integration, redirectUri: string, grant: Grant, o: { http: OutboundHttp; now(): Date }): Promise<TokenPair> {
  let answer;
  try {
    answer = await amoRequest(
      baseUrl,
      { method: 'POST', path: '/oauth2/access_token', body: { client_id: integration.clientId, client_secret: integration.clientSecret, redirect_uri: redirectUri, ...grant } },
      { http: o.http, timeoutMs: 20_000 },
    );
  } catch (e) {
    // The OAuth endpoint refusing the code or the refresh token (400 / 401 "Token has been revoked")
    // is final for this install: an administrator must connect again.
    if (isAmoError(e) && (e.kind === 'auth' || e.kind === 'final')) throw new AmoError('revoked', 'OAUTH_REFUSED', e.detail, e.status);
    throw e;
  }
  const parsed = pairSchema.safeParse(answer.body);
  if (!parsed.success) throw new AmoError('transient', 'BAD_TOKEN_RESPONSE', 'the OAuth endpoint answered without a token pair', answer.status);
  // expires_at from the answer's Date header when there is one (the account's clock), else ours.
  const date = Date.parse(answer.headers.get('date') ?? '');
  const base = Number.isFinite(date) ? date : o.now().getTime();
  return { ...parsed.data, expiresAt: new Date(base + parsed.data.expires_in * 1000) };
}
