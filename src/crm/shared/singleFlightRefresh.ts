/**
 * Refresh tokens are single-use in both CRMs (Bitrix24 brief §1.4; amoCRM brief §1 and gotcha 1):
 * two workers refreshing one install at once make one of them present a used token — Bitrix24
 * answers invalid_grant, amoCRM revokes the whole install. So a refresh is single-flight per
 * tenant, in this process and across processes:
 *
 * - in this process, callers that saw the same token version fail share one promise;
 * - across processes, the refresher takes a short lease on the tenant's token row, conditioned on
 *   the version the caller saw (compare-and-swap). Whoever gets it refreshes; the others poll the
 *   row until the version moves on and use the new token. Before refreshing, the lease holder has
 *   just re-read the row: if the stored version already differs from the one that failed,
 *   someone else refreshed and nothing is done;
 * - the new pair is persisted (with the version bump) before anyone uses it (`exchange`'s job).
 *
 * A lease instead of `SELECT … FOR UPDATE` across the HTTP exchange: on PGlite a held transaction
 * would stall every other query of the process while the OAuth server answers.
 */
export interface TokenRow {
  /** The current token version; bumped by every change of the pair. */
  version: number;
  /** The row still holds a refresh token (not uninstalled). */
  hasTokens: boolean;
}

export interface SingleFlightDeps<G> {
  /** The tenant's token row as stored now. */
  read(tenantId: string): Promise<TokenRow | undefined>;
  /** The usable grant of the stored row (after someone else refreshed). */
  grant(tenantId: string): Promise<G>;
  /** Takes the lease for `version` when nobody holds a live one; false otherwise. */
  takeLease(tenantId: string, version: number, leaseMs: number): Promise<boolean>;
  releaseLease(tenantId: string): Promise<void>;
  /** The tenant was already refused for good: an administrator must reconnect. */
  needsReauth(tenantId: string): Promise<boolean>;
  /**
   * Holding the lease: exchange the refresh token, persist the new pair (CAS on `version`), return
   * the grant. A refresh token the server refuses for good is reported only when `reportRevoked`.
   */
  exchange(tenantId: string, version: number, o: { reportRevoked: boolean }): Promise<G>;
  errors: { noTokens(): Error; needsReauth(): Error; busy(): Error };
  /** Wall-clock milliseconds (waiting is real time, whatever the app's clock says). */
  nowMs?(): number;
}

const LEASE_MS = 30_000;
const WAIT_LIMIT_MS = 45_000;

export class SingleFlightRefresher<G> {
  private readonly inflight = new Map<string, Promise<G>>();

  constructor(private readonly deps: SingleFlightDeps<G>) {}

  /**
   * A usable grant after the access token of `failedVersion` was refused or ran out. With
   * `reportRevoked: false` a refused refresh token is only thrown, not reported (an uninstall check
   * looks for exactly that answer). Callers sharing a flight share the first caller's choice.
   */
  refresh(tenantId: string, failedVersion: number, o: { reportRevoked?: boolean } = {}): Promise<G> {
    const key = `${tenantId}:${failedVersion}`;
    const running = this.inflight.get(key);
    if (running) return running;
    const p = this.run(tenantId, failedVersion, o.reportRevoked ?? true).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  private async run(tenantId: string, failedVersion: number, reportRevoked: boolean): Promise<G> {
    const d = this.deps;
    const now = d.nowMs ?? Date.now;
    const started = now();
    for (let round = 0; ; round++) {
      const row = await d.read(tenantId);
      if (!row?.hasTokens) throw d.errors.noTokens();
      if (row.version !== failedVersion) return d.grant(tenantId);
      // Refused once already: every further try would be refused too, and hammering the OAuth
      // server gets integrations blocked. Wait for an administrator to reconnect instead.
      if (await d.needsReauth(tenantId)) throw d.errors.needsReauth();
      if (await d.takeLease(tenantId, failedVersion, LEASE_MS)) {
        try {
          return await d.exchange(tenantId, failedVersion, { reportRevoked });
        } finally {
          await d.releaseLease(tenantId);
        }
      }
      if (now() - started > WAIT_LIMIT_MS) throw d.errors.busy();
      await new Promise((r) => setTimeout(r, Math.min(250, 25 * 2 ** Math.min(round, 4))));
    }
  }
}
