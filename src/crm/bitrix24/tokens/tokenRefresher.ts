import type { OutboundHttp } from '../../../net/outboundHttp.js';
import type { Db } from '../../../store/db.js';
import type { Logger } from '../../../log.js';
import { B24Error, isB24Error } from '../rest/b24Error.js';
import { findPortal, releaseRefreshLease, swapTokens, takeRefreshLease } from '../store/portals.js';
import { exchangeRefreshToken, type AppCredentials } from './oauthServer.js';
import { grantOf, type AccessGrant, type TokenSealer } from './tokenStore.js';

/**
 * Refresh tokens are single-use (brief §1.4, gotchas 5 and 17): two workers refreshing one portal
 * at once make one of them fail with invalid_grant and can lock the portal out. So a refresh is
 * single-flight per portal:
 *
 * - in this process, callers that saw the same token fail share one promise;
 * - across processes, the refresher first takes a short lease on the portal row, conditioned on
 *   the token version the caller saw (compare-and-swap). Whoever gets it refreshes; the others
 *   poll the row until the version moves on and use the new token. Before refreshing, the lease
 *   holder has just re-read the row: if the stored version already differs from the one that
 *   failed, someone else refreshed and nothing is done.
 * - the new pair is persisted (with the version bump) before anyone uses it.
 *
 * A lease instead of `SELECT … FOR UPDATE` across the HTTP exchange: on PGlite a held transaction
 * would stall every other query of the process while the OAuth server answers.
 */
export interface RefresherDeps {
  db: Db;
  log: Logger;
  sealer: TokenSealer;
  creds: AppCredentials;
  allowLoopbackHttp: boolean;
  http: OutboundHttp;
  /** Identifies this process (or test worker) in the lease. */
  workerId: string;
  now(): Date;
  /** The OAuth server refused the refresh token for good. */
  onRevoked(tenantId: string, detail: string): Promise<void>;
}

const LEASE_MS = 30_000;
const WAIT_LIMIT_MS = 45_000;

export class TokenRefresher {
  private readonly inflight = new Map<string, Promise<AccessGrant>>();

  constructor(private readonly deps: RefresherDeps) {}

  /**
   * A usable grant after the access token of `failedVersion` was refused or ran out. With
   * `reportRevoked: false` a refused refresh token is only thrown, not reported (the uninstall
   * check: "the OAuth server no longer knows the app" is what it is looking for there).
   */
  refresh(tenantId: string, failedVersion: number, o: { reportRevoked?: boolean } = {}): Promise<AccessGrant> {
    const key = `${tenantId}:${failedVersion}`;
    const running = this.inflight.get(key);
    if (running) return running;
    const p = this.run(tenantId, failedVersion, o.reportRevoked ?? true).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  private async run(tenantId: string, failedVersion: number, reportRevoked: boolean): Promise<AccessGrant> {
    const { db, sealer } = this.deps;
    const started = Date.now();
    for (let round = 0; ; round++) {
      const portal = await findPortal(db, tenantId);
      if (!portal?.refreshTokenEnc || !portal.accessTokenEnc) throw new B24Error('NO_TOKENS', 'the portal has no tokens (uninstalled)', 0, 'revoked');
      if (portal.tokenVersion !== failedVersion) return grantOf(sealer, portal)!;
      // Refused once already: every further try would be refused too, and hammering the OAuth
      // server gets apps blocked (brief §1.4). Wait for an administrator's fresh pair instead.
      if (await this.needsReauth(tenantId)) throw new B24Error('NEEDS_REAUTH', 'the portal must be re-authorised by an administrator', 0, 'revoked');
      if (await takeRefreshLease(db, tenantId, failedVersion, this.deps.workerId, this.deps.now(), LEASE_MS)) {
        return this.exchange(tenantId, failedVersion, portal.serverEndpoint, sealer.open(portal.refreshTokenEnc), portal.memberId, portal.tokenUserId ?? 1, reportRevoked);
      }
      if (Date.now() - started > WAIT_LIMIT_MS) throw new B24Error('REFRESH_BUSY', 'another worker is still refreshing the token', 0, 'transient');
      await new Promise((r) => setTimeout(r, Math.min(250, 25 * 2 ** Math.min(round, 4))));
    }
  }

  private async needsReauth(tenantId: string): Promise<boolean> {
    const r = await this.deps.db.query<{ status: string }>('SELECT status FROM tenants WHERE id = $1', [tenantId]);
    return r.rows[0]?.status === 'needs_reauth';
  }

  private async exchange(tenantId: string, version: number, serverEndpoint: string, refreshToken: string, memberId: string, userId: number, reportRevoked: boolean): Promise<AccessGrant> {
    const { db, sealer, log } = this.deps;
    let answer;
    try {
      answer = await exchangeRefreshToken(serverEndpoint, refreshToken, this.deps.creds, { allowLoopbackHttp: this.deps.allowLoopbackHttp, http: this.deps.http });
    } catch (e) {
      await releaseRefreshLease(db, tenantId, this.deps.workerId);
      if (reportRevoked && isB24Error(e) && e.kind === 'revoked') {
        await this.deps.onRevoked(tenantId, `${e.code}: ${e.description}`);
      }
      throw e;
    }
    if (answer.member_id !== memberId) {
      await releaseRefreshLease(db, tenantId, this.deps.workerId);
      throw new B24Error('MEMBER_MISMATCH', 'the OAuth server answered for another portal', 0, 'final');
    }
    const sealed = sealer.sealResponse(answer, userId, this.deps.now());
    const swapped = await swapTokens(db, tenantId, version, { ...sealed, clientEndpoint: answer.client_endpoint });
    if (!swapped) log.warn({ tenantId }, 'bitrix24: token version moved during a refresh (lease expired?)');
    log.info({ tenantId, worker: this.deps.workerId }, 'bitrix24: access token refreshed');
    const portal = await findPortal(db, tenantId);
    const grant = portal && grantOf(sealer, portal);
    if (!grant) throw new B24Error('NO_TOKENS', 'the portal has no tokens (uninstalled)', 0, 'revoked');
    return grant;
  }
}
