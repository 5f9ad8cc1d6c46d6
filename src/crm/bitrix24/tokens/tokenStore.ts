import { SecretSealer } from '../../shared/secretSealer.js';
import type { PortalRecord, SealedTokens } from '../store/portals.js';
import type { TokenResponse } from './oauthServer.js';

/**
 * Tokens at rest are sealed with `keys.tokenEncryption` (src/crm/shared/secretSealer.ts); this adds
 * the shapes of Bitrix24's token pairs. What leaves here is a short-lived value for one request,
 * never logged.
 */
export interface AccessGrant {
  tenantId: string;
  clientEndpoint: string;
  accessToken: string;
  /** The token version the access token belongs to (what a failed call reports to the refresher). */
  version: number;
  expiresAt: Date | null;
  /** How long the access token lives when issued (`expires_in`), seconds; null = unknown (one hour). */
  lifetimeSec: number | null;
}

export class TokenSealer extends SecretSealer {
  /** A token pair as the OAuth server or an install payload gave it, ready for the portal row. */
  sealPair(p: { accessToken: string; refreshToken: string; expiresAt: Date; lifetimeSec: number; userId: number; scope: string }): SealedTokens {
    return {
      accessTokenEnc: this.seal(p.accessToken),
      refreshTokenEnc: this.seal(p.refreshToken),
      accessExpiresAt: p.expiresAt,
      accessLifetimeSec: p.lifetimeSec,
      tokenUserId: p.userId,
      scope: p.scope,
    };
  }

  sealResponse(t: TokenResponse, fallbackUserId: number, now: Date): SealedTokens {
    // `expires` may be missing (the docs' ONAPPINSTALL example); compute it from expires_in (§7.5).
    const expiresAt = t.expires ? new Date(t.expires * 1000) : new Date(now.getTime() + t.expires_in * 1000);
    return this.sealPair({ accessToken: t.access_token, refreshToken: t.refresh_token, expiresAt, lifetimeSec: t.expires_in, userId: t.user_id ?? fallbackUserId, scope: t.scope });
  }
}

export function grantOf(sealer: TokenSealer, p: PortalRecord): AccessGrant | undefined {
  if (!p.accessTokenEnc) return undefined;
  return {
    tenantId: p.tenantId,
    clientEndpoint: p.clientEndpoint,
    accessToken: sealer.open(p.accessTokenEnc),
    version: p.tokenVersion,
    expiresAt: p.accessExpiresAt,
    lifetimeSec: p.accessLifetimeSec,
  };
}
