import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';

/**
 * The one-time token amoCRM puts into `X-Auth-Token` of every `$authorizedAjax` call (brief §6):
 * HS256 with the integration's client secret; `iss` the account's address, `aud` the origin of the
 * integration's redirect URI, a fresh `jti`, 30 minutes of life. Overrides forge the bad ones.
 */
export interface WidgetTokenClaims {
  iss: string;
  aud: string;
  jti: string;
  iat: number;
  nbf: number;
  exp: number;
  account_id: number;
  user_id: number;
  subdomain: string;
  client_uuid: string;
  is_admin: boolean;
}

export function mintWidgetToken(secret: string, claims: WidgetTokenClaims, o: { algorithm?: 'HS256' | 'HS512'; omit?: (keyof WidgetTokenClaims)[] } = {}): string {
  const payload: Record<string, unknown> = { ...claims };
  for (const k of o.omit ?? []) delete payload[k];
  // jsonwebtoken keeps a given iat; `noTimestamp` only when the test wants it gone.
  return jwt.sign(payload, secret, { algorithm: o.algorithm ?? 'HS256', noTimestamp: (o.omit ?? []).includes('iat') });
}

export const newJti = (): string => crypto.randomUUID();
