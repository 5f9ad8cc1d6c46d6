import type { Logger } from '../../../log.js';
import type { OutboundHttp } from '../../../net/outboundHttp.js';
import type { Db } from '../../../store/db.js';
import { markBucketFull, reserveSlot, type BucketSettings } from '../../shared/gcra.js';
import type { SecretSealer } from '../../shared/secretSealer.js';
import { findAccount } from '../store/accounts.js';
import { findBlock, setBlock } from '../store/pacing.js';
import { grantOf, type AccessGrant, type AmoTokenRefresher } from '../oauth/tokenRefresher.js';
import { AccountQueue, type Coalesced, type ItemOptions } from './accountQueue.js';
import { AmoError } from './amoError.js';
import type { AmoAnswer, AmoRequest } from './transport.js';

/**
 * The adapter's only way to talk to accounts: one `AccountQueue` per account in this process, all
 * pacing against the same DB row per account. 7 requests a second is amoCRM's documented limit
 * (brief §3); requests are spaced evenly at that rate with a small burst, so a run of writes takes
 * the rate's floor and never trips the account's bucket.
 */
export const RATE_PER_SEC = 7;
export const BURST = 3;
/** How long an account stays blocked after a 403 before one probe asks again (brief §3: bans are lifted by support). */
export const BLOCK_MS = 60 * 60_000;

export interface GatewayDeps {
  db: Db;
  log: Logger;
  sealer: SecretSealer;
  refresher: AmoTokenRefresher;
  http: OutboundHttp;
  now(): Date;
  /** A 403 / 402: the account is blocked (already recorded); pause and alert. */
  onBlocked(tenantId: string, e: AmoError): Promise<void>;
  /** Records that the writes of these outbox jobs are about to leave (see QueueDeps.markSending). */
  markSending(marks: string[]): Promise<void>;
}

export interface GatewayStats {
  requests: number;
  items: number;
}

const REFRESH_AHEAD_MS = 60_000;
const BUCKET: BucketSettings = { ratePerSec: RATE_PER_SEC, burst: BURST };

export class AmoGateway {
  private readonly queues = new Map<string, AccountQueue>();
  private readonly counters = new Map<string, GatewayStats>();

  constructor(private readonly deps: GatewayDeps) {}

  /** One request; throws its AmoError. 204 comes back with `body: undefined`. */
  request(tenantId: string, r: Omit<AmoRequest, 'accessToken'>): Promise<AmoAnswer> {
    return this.queue(tenantId).request(r);
  }

  /** One item of a request shared with other callers' items (see AccountQueue). */
  item<T>(tenantId: string, kind: Coalesced, payload: unknown, o: ItemOptions = {}): Promise<T> {
    return this.queue(tenantId).item<T>(kind, payload, o);
  }

  stats(tenantId: string): GatewayStats {
    return { ...(this.counters.get(tenantId) ?? { requests: 0, items: 0 }) };
  }

  stop(): void {
    for (const q of this.queues.values()) q.stop();
    this.queues.clear();
  }

  private count(tenantId: string, items: number): void {
    const c = this.counters.get(tenantId) ?? { requests: 0, items: 0 };
    c.requests++;
    c.items += items;
    this.counters.set(tenantId, c);
  }

  private async grant(tenantId: string): Promise<AccessGrant> {
    const a = await findAccount(this.deps.db, tenantId);
    const g = a && grantOf(this.deps.sealer, a);
    if (!g) throw new AmoError('revoked', 'NO_TOKENS', 'the account has no tokens (not installed or uninstalled)', 0);
    // Refresh a little ahead of expiry instead of spending a request on a certain 401.
    if (g.expiresAt && g.expiresAt.getTime() - this.deps.now().getTime() < REFRESH_AHEAD_MS) return this.deps.refresher.refresh(tenantId, g.version);
    return g;
  }

  private queue(tenantId: string): AccountQueue {
    let q = this.queues.get(tenantId);
    if (!q) {
      const { db, now } = this.deps;
      q = new AccountQueue({
        tenantId,
        transport: { http: this.deps.http },
        reserveSlot: (at) => reserveSlot(db, 'amo_pacing', tenantId, at, BUCKET),
        markBucketFull: (at, extraMs) => markBucketFull(db, 'amo_pacing', tenantId, at, BUCKET, extraMs),
        blockedUntil: async (at) => (await findBlock(db, tenantId, at))?.until,
        onBlocked: async (e) => {
          await setBlock(db, tenantId, new Date(now().getTime() + BLOCK_MS), e.code);
          this.deps.log.error({ tenantId, status: e.status, code: e.code }, 'amocrm: the account refuses every request; nothing more is sent to it until it is probed again');
          await this.deps.onBlocked(tenantId, e);
        },
        grant: () => this.grant(tenantId),
        refresh: (v) => this.deps.refresher.refresh(tenantId, v),
        now,
        onRequest: (n) => this.count(tenantId, n),
        markSending: (marks) => this.deps.markSending(marks),
      });
      this.queues.set(tenantId, q);
    }
    return q;
  }
}
