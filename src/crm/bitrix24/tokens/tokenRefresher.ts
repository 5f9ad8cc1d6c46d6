import type { OutboundHttp } from '../../../net/outboundHttp.js';
import type { Db } from '../../../store/db.js';
import type { Logger } from '../../../log.js';
import { SingleFlightRefresher } from '../../shared/singleFlightRefresh.js';
import { B24Error, isB24Error } from '../rest/b24Error.js';
import { findPortal, releaseRefreshLease, swapTokens, takeRefreshLease } from '../store/portals.js';
import { exchangeRefreshToken, type AppCredentials } from './oauthServer.js';
import { grantOf, type AccessGrant, type TokenSealer } from './tokenStore.js';

/**
 * Refresh tokens are single-use (brief §1.4, gotchas 5 and 17): two workers refreshing one portal
 * at once make one of them fail with invalid_grant and can lock the portal out. The refresh is
 * single-flight per portal, in this process and across processes (a lease on the portal row,
 * compare-and-swap on its token version) — the algorithm shared with the amoCRM adapter,
 * src/crm/shared/singleFlightRefresh.ts. The new pair is persisted before anyone uses it.
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

const noTokens = () => new B24Error('NO_TOKENS', 'the portal has no tokens (uninstalled)', 0, 'revoked');

export class TokenRefresher {
  private readonly flight: SingleFlightRefresher<AccessGrant>;

  constructor(private readonly deps: RefresherDeps) {
    const { db, sealer } = deps;
    this.flight = new SingleFlightRefresher<AccessGrant>({
      read: async (tenantId) => {
        const p = await findPortal(db, tenantId);
        return p && { version: p.tokenVersion, hasTokens: Boolean(p.refreshTokenEnc && p.accessTokenEnc) };
      },
      grant: async (tenantId) => {
        const p = await findPortal(db, tenantId);
        const g = p && grantOf(sealer, p);
        if (!g) throw noTokens();
        return g;
      },
      takeLease: (tenantId, version, ms) => takeRefreshLease(db, tenantId, version, deps.workerId, deps.now(), ms),
      releaseLease: (tenantId) => releaseRefreshLease(db, tenantId, deps.workerId),
      needsReauth: async (tenantId) => (await db.query<{ status: string }>('SELECT status FROM tenants WHERE id = $1', [tenantId])).rows[0]?.status === 'needs_reauth',
      exchange: (tenantId, version, o) => this.exchange(tenantId, version, o.reportRevoked),
      errors: {
        noTokens,
        needsReauth: () => new B24Error('NEEDS_REAUTH', 'the portal must be re-authorised by an administrator', 0, 'revoked'),
        busy: () => new B24Error('REFRESH_BUSY', 'another worker is still refreshing the token', 0, 'transient'),
      },
    });
  }

  /**
   * A usable grant after the access token of `failedVersion` was refused or ran out. With
   * `reportRevoked: false` a refused refresh token is only thrown, not reported (the uninstall
   * check: "the OAuth server no longer knows the app" is what it is looking for there).
   */
  refresh(tenantId: string, failedVersion: number, o: { reportRevoked?: boolean } = {}): Promise<AccessGrant> {
    return this.flight.refresh(tenantId, failedVersion, o);
  }

  private async exchange(tenantId: string, version: number, reportRevoked: boolean): Promise<AccessGrant> {
    const { db, sealer, log } = this.deps;
    const portal = await findPortal(db, tenantId);
    if (!portal?.refreshTokenEnc) throw noTokens();
    let answer;
    try {
      answer = await exchangeRefreshToken(portal.serverEndpoint, sealer.open(portal.refreshTokenEnc), this.deps.creds, { allowLoopbackHttp: this.deps.allowLoopbackHttp, http: this.deps.http });
    } catch (e) {
      if (reportRevoked && isB24Error(e) && e.kind === 'revoked') await this.deps.onRevoked(tenantId, `${e.code}: ${e.description}`);
      throw e;
    }
    if (answer.member_id !== portal.memberId) throw new B24Error('MEMBER_MISMATCH', 'the OAuth server answered for another portal', 0, 'final');
    const sealed = sealer.sealResponse(answer, portal.tokenUserId ?? 1, this.deps.now());
    const swapped = await swapTokens(db, tenantId, version, { ...sealed, clientEndpoint: answer.client_endpoint });
    if (!swapped) log.warn({ tenantId }, 'bitrix24: token version moved during a refresh (lease expired?)');
    log.info({ tenantId, worker: this.deps.workerId }, 'bitrix24: access token refreshed');
    const fresh = await findPortal(db, tenantId);
    const grant = fresh && grantOf(sealer, fresh);
    if (!grant) throw noTokens();
    return grant;
  }
}
