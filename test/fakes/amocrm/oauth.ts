import crypto from 'node:crypto';
import type { EmulatorClock } from './clock.js';
import type { OAuthRecord } from './types.js';

/**
 * amoCRM's OAuth 2.0 as integrations meet it (brief §1, gotchas 1–3):
 * - an authorization code lives 20 minutes and is exchanged once;
 * - an access token lives 24 h (configurable), a refresh token 3 months if unused;
 * - every refresh returns a new pair and retires the presented refresh token; presenting a retired
 *   one again answers 401 "Token has been revoked" **and revokes the whole authorization** — the
 *   integration must be installed again (what two workers refreshing at once cause);
 * - uninstalling (or an admin revoking) the integration revokes every token of it.
 */
export interface Grant {
  id: number;
  accountId: number;
  clientId: string;
  userId: number;
  revoked: boolean;
  /** Serial of the current (live) refresh token. */
  refreshSerial: number;
}

interface AccessEntry {
  grantId: number;
  expiresAt: number;
}

interface RefreshEntry {
  grantId: number;
  serial: number;
  used: boolean;
  expiresAt: number;
}

export interface TokenPair {
  token_type: 'Bearer';
  expires_in: number;
  access_token: string;
  refresh_token: string;
}

export type OAuthFailure = { status: 400 | 401; hint: string; detail: string };

const CODE_TTL_MS = 20 * 60_000;

export class OAuthStore {
  private readonly codes = new Map<string, { accountId: number; clientId: string; userId: number; expiresAt: number; used: boolean }>();
  readonly grants = new Map<number, Grant>();
  private readonly access = new Map<string, AccessEntry>();
  private readonly refresh = new Map<string, RefreshEntry>();
  private nextGrant = 1;
  private nextSerial = 1;
  readonly log: OAuthRecord[] = [];
  /** `api_domain` of the access tokens issued (the emulator's API-domain server, `127.0.0.1:<port>`). */
  apiDomain = '';

  constructor(
    private readonly clock: EmulatorClock,
    public accessTtlSeconds: number,
    public refreshTtlSeconds: number,
  ) {}

  issueCode(accountId: number, clientId: string, userId: number): string {
    const code = `def50200${crypto.randomBytes(48).toString('hex')}`;
    this.codes.set(code, { accountId, clientId, userId, expiresAt: this.clock.now() + CODE_TTL_MS, used: false });
    return code;
  }

  exchangeCode(accountId: number, clientId: string, code: string): TokenPair | OAuthFailure {
    const c = this.codes.get(code);
    if (!c || c.used || c.accountId !== accountId || c.clientId !== clientId || c.expiresAt < this.clock.now()) {
      this.record('authorization_code', clientId, 400, 'invalid_grant', null);
      return { status: 400, hint: 'Authorization code has been revoked', detail: 'Authorization code is invalid' };
    }
    c.used = true;
    // A new authorization by the same user replaces the old one (a reinstall).
    for (const g of this.grants.values()) if (g.accountId === accountId && g.clientId === clientId && g.userId === c.userId) this.revokeGrant(g.id);
    const grant: Grant = { id: this.nextGrant++, accountId, clientId, userId: c.userId, revoked: false, refreshSerial: 0 };
    this.grants.set(grant.id, grant);
    this.record('authorization_code', clientId, 200, null, null);
    return this.pairFor(grant);
  }

  exchangeRefresh(accountId: number, clientId: string, token: string): TokenPair | OAuthFailure {
    const r = this.refresh.get(token);
    const grant = r ? this.grants.get(r.grantId) : undefined;
    if (!r || !grant || grant.accountId !== accountId || grant.clientId !== clientId) {
      this.record('refresh_token', clientId, 401, 'unknown', r?.serial ?? null);
      return { status: 401, hint: 'Token has been revoked', detail: 'Refresh token is invalid' };
    }
    if (r.used) {
      // The failure integrations fall into (gotcha 1): the authorization is gone for good.
      this.revokeGrant(grant.id);
      this.record('refresh_token', clientId, 401, 'revoked_reuse', r.serial);
      return { status: 401, hint: 'Token has been revoked', detail: 'Refresh token has been used already' };
    }
    if (grant.revoked || r.expiresAt < this.clock.now()) {
      this.record('refresh_token', clientId, 401, grant.revoked ? 'revoked' : 'expired', r.serial);
      return { status: 401, hint: 'Token has been revoked', detail: 'Refresh token has expired or was revoked' };
    }
    r.used = true;
    this.record('refresh_token', clientId, 200, null, r.serial);
    return this.pairFor(grant);
  }

  /** The account a live, unspent refresh token belongs to (the account-domain lookup); it stays unspent. */
  accountOfRefresh(token: string): number | undefined {
    const r = this.refresh.get(token);
    const grant = r ? this.grants.get(r.grantId) : undefined;
    if (!r || !grant || r.used || grant.revoked || r.expiresAt < this.clock.now()) return undefined;
    return grant.accountId;
  }

  /** The grant behind a live access token, or why not. */
  checkAccess(token: string): Grant | 'expired' | 'invalid' {
    const a = this.access.get(token);
    if (!a) return 'invalid';
    const g = this.grants.get(a.grantId);
    if (!g || g.revoked) return 'invalid';
    if (a.expiresAt <= this.clock.now()) return 'expired';
    return g;
  }

  revokeGrant(id: number): void {
    const g = this.grants.get(id);
    if (g) g.revoked = true;
  }

  revokeIntegration(accountId: number, clientId: string): void {
    for (const g of this.grants.values()) if (g.accountId === accountId && g.clientId === clientId) g.revoked = true;
  }

  /** Every live access token expires now (a test's "a day passed" for access tokens only). */
  expireAccessTokens(accountId: number): void {
    for (const a of this.access.values()) {
      const g = this.grants.get(a.grantId);
      if (g?.accountId === accountId) a.expiresAt = Math.min(a.expiresAt, this.clock.now());
    }
  }

  liveGrants(accountId: number, clientId?: string): Grant[] {
    return [...this.grants.values()].filter((g) => g.accountId === accountId && !g.revoked && (!clientId || g.clientId === clientId));
  }

  private pairFor(grant: Grant): TokenPair {
    // A JWT as amoCRM issues since 2024-08-21, with the `api_domain` claim (brief §1); the
    // signature is random — clients never verify it, the emulator looks the token up.
    const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const access = `${part({ typ: 'JWT', alg: 'RS256' })}.${part({ aud: grant.clientId, jti: crypto.randomUUID(), account_id: grant.accountId, api_domain: this.apiDomain })}.${crypto.randomBytes(32).toString('base64url')}`;
    const refresh = `def50200${crypto.randomBytes(40).toString('hex')}`;
    const serial = this.nextSerial++;
    grant.refreshSerial = serial;
    this.access.set(access, { grantId: grant.id, expiresAt: this.clock.now() + this.accessTtlSeconds * 1000 });
    this.refresh.set(refresh, { grantId: grant.id, serial, used: false, expiresAt: this.clock.now() + this.refreshTtlSeconds * 1000 });
    return { token_type: 'Bearer', expires_in: this.accessTtlSeconds, access_token: access, refresh_token: refresh };
  }

  private record(grantType: string, clientId: string, status: number, error: string | null, refreshSerial: number | null): void {
    this.log.push({ at: this.clock.now(), grantType, clientId, status, error, refreshSerial });
  }
}
