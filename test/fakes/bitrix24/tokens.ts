import type { EmulatorClock } from './clock.js';
import { newToken, randomHex } from './ids.js';

/** Why an access token stopped working before its expiry. */
export type RevokeReason = 'refreshed' | 'uninstalled' | 'manual';

export interface AccessTokenRecord {
  readonly token: string;
  readonly memberId: string;
  readonly userId: number;
  readonly clientId: string;
  readonly issuedAt: number;
  expiresAt: number;
  revoked: RevokeReason | null;
}

export interface RefreshTokenRecord {
  readonly token: string;
  readonly memberId: string;
  readonly userId: number;
  readonly clientId: string;
  readonly accessToken: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** Set on first use: refresh tokens are single-use (brief §1.4, gotcha 5). */
  usedAt: number | null;
  revoked: boolean;
}

export interface AuthCodeRecord {
  readonly code: string;
  readonly memberId: string;
  readonly userId: number;
  readonly clientId: string;
  readonly expiresAt: number;
  used: boolean;
}

/**
 * All OAuth credentials of the emulator. Shared by the OAuth server (which refreshes) and every
 * portal (which checks access tokens), just as oauth.bitrix.info and portals share state.
 */
export class TokenStore {
  readonly #access = new Map<string, AccessTokenRecord>();
  readonly #refresh = new Map<string, RefreshTokenRecord>();
  readonly #codes = new Map<string, AuthCodeRecord>();

  constructor(private readonly clock: EmulatorClock) {}

  issue(
    memberId: string,
    userId: number,
    clientId: string,
    accessTtlSeconds: number,
    refreshTtlSeconds: number,
  ): { access: AccessTokenRecord; refresh: RefreshTokenRecord } {
    const now = this.clock.now();
    const access: AccessTokenRecord = {
      token: newToken(),
      memberId,
      userId,
      clientId,
      issuedAt: now,
      expiresAt: now + accessTtlSeconds * 1000,
      revoked: null,
    };
    const refresh: RefreshTokenRecord = {
      token: newToken(),
      memberId,
      userId,
      clientId,
      accessToken: access.token,
      issuedAt: now,
      expiresAt: now + refreshTtlSeconds * 1000,
      usedAt: null,
      revoked: false,
    };
    this.#access.set(access.token, access);
    this.#refresh.set(refresh.token, refresh);
    return { access, refresh };
  }

  access(token: string): AccessTokenRecord | undefined {
    return this.#access.get(token);
  }

  refresh(token: string): RefreshTokenRecord | undefined {
    return this.#refresh.get(token);
  }

  /** One-time authorization code for the full OAuth protocol; lives 30 s (RD:settings/oauth/index.md). */
  issueCode(memberId: string, userId: number, clientId: string): AuthCodeRecord {
    const record: AuthCodeRecord = {
      code: randomHex(16),
      memberId,
      userId,
      clientId,
      expiresAt: this.clock.now() + 30_000,
      used: false,
    };
    this.#codes.set(record.code, record);
    return record;
  }

  code(code: string): AuthCodeRecord | undefined {
    return this.#codes.get(code);
  }

  /** Makes every access token of a portal expire now (`expired_token` on next use). */
  expireAll(memberId: string): number {
    const now = this.clock.now();
    let count = 0;
    for (const rec of this.#access.values()) {
      if (rec.memberId === memberId && rec.revoked === null && rec.expiresAt > now) {
        rec.expiresAt = now - 1;
        count++;
      }
    }
    return count;
  }

  /** Revokes every access and refresh token of a portal's app (uninstall). */
  revokeAll(memberId: string, reason: RevokeReason): void {
    for (const rec of this.#access.values()) if (rec.memberId === memberId && rec.revoked === null) rec.revoked = reason;
    for (const rec of this.#refresh.values()) if (rec.memberId === memberId) rec.revoked = true;
  }
}
