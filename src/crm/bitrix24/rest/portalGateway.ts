import type { OutboundHttp } from '../../../net/outboundHttp.js';
import type { Db } from '../../../store/db.js';
import { findPortal } from '../store/portals.js';
import { markBucketFull, reserveSlot, type BucketSettings } from '../store/pacing.js';
import { grantOf, type AccessGrant, type TokenSealer } from '../tokens/tokenStore.js';
import type { TokenRefresher } from '../tokens/tokenRefresher.js';
import { B24Error, isB24Error } from './b24Error.js';
import type { Command, CommandOutcome } from './batchCodec.js';
import { PortalQueue } from './portalQueue.js';
import { postToBitrix, type RestEnvelope } from './transport.js';

/**
 * The adapter's only way to talk to portals: one `PortalQueue` per portal in this process, all
 * pacing against the same DB row per portal. Why not b24jssdk's `B24OAuth` here: its limiter and
 * retries are per client instance (not shared by processes), it cannot batch independent callers'
 * writes, its batch results hide empty-code errors (gotcha 18), it buries invalid_grant in
 * `originalError`, it calls axios directly (bypassing our outbound client, src/net) and prints a
 * deprecation warning per call on the v1 API. The wire protocol is small (`postToBitrix`); the
 * SDK is still what the install and placement pages use in the browser (B24Frame).
 */
export interface GatewayDeps {
  db: Db;
  sealer: TokenSealer;
  refresher: TokenRefresher;
  http: OutboundHttp;
  now(): Date;
}

/** Documented limits are met with a margin (gotcha 19): spacing at exactly 2/s trips the bucket. */
export const RATE_MARGIN = 0.9;
export const BURST_MARGIN = 0.8;

export interface GatewayStats {
  requests: number;
  commands: number;
}

const SETTINGS_TTL_MS = 30_000;

/**
 * How long before expiry an access token is refreshed instead of spent on a certain 401: a minute
 * for Bitrix24's hour-long tokens, but never more than a fifth of the token's own lifetime — a
 * portal issuing 30-second tokens would otherwise get a refresh before every request (and with
 * single-use refresh tokens, every refresh is a chance for two workers to race). Whatever slips
 * through answers 401 `expired_token` and is refreshed then (once, single-flight).
 */
export function refreshMarginMs(lifetimeSec: number | null): number {
  return Math.min(60_000, 0.2 * (lifetimeSec ?? 3600) * 1000);
}

export class PortalGateway {
  private readonly queues = new Map<string, PortalQueue>();
  private readonly counters = new Map<string, GatewayStats>();
  private readonly settings = new Map<string, { s: BucketSettings; until: number }>();

  constructor(private readonly deps: GatewayDeps) {}

  /** Sends a unit of commands that travel together; each command's outcome, never throwing for one of them. */
  run(tenantId: string, commands: Command[], keys?: string[]): Promise<CommandOutcome[]> {
    return this.queue(tenantId).submit(commands, keys);
  }

  /** One method call; throws its B24Error. */
  async call<T = unknown>(tenantId: string, method: string, params: Record<string, unknown> = {}): Promise<{ result: T; total: number | undefined; next: number | undefined }> {
    const [r] = await this.run(tenantId, [{ method, params }]);
    if (!r || !r.ok) throw r?.error ?? new B24Error('NO_RESULT', 'no result', 0, 'transient');
    return { result: r.result as T, total: r.total, next: r.next };
  }

  /** Several independent calls, batched when they meet in the queue; outcomes in order. */
  async callAll(tenantId: string, commands: Command[]): Promise<CommandOutcome[]> {
    return (await Promise.all(commands.map((c) => this.run(tenantId, [c])))).map((r) => r[0]!);
  }

  /**
   * Like `callAll`, but every command gets its outcome even when the request carrying it failed
   * as a whole (a 5xx, no answer): writes use it, so that one command's success is recorded
   * while another's request failed — otherwise the retry would repeat the write that did land.
   */
  async callSettled(tenantId: string, commands: Command[]): Promise<CommandOutcome[]> {
    const settled = await Promise.allSettled(commands.map((c) => this.run(tenantId, [c])));
    return settled.map((s) => {
      if (s.status === 'fulfilled') return s.value[0]!;
      if (isB24Error(s.reason)) return { ok: false, error: s.reason };
      throw s.reason;
    });
  }

  /**
   * A call with someone else's access token (a portal user's frame token): paced like any other
   * request, never batched, never refreshed.
   */
  async callAsUser(tenantId: string, clientEndpoint: string, accessToken: string, method: string, params: Record<string, unknown> = {}): Promise<RestEnvelope> {
    const sendAt = await reserveSlot(this.deps.db, tenantId, this.deps.now(), await this.bucket(tenantId));
    const wait = sendAt.getTime() - this.deps.now().getTime();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    this.count(tenantId, 1);
    return postToBitrix(`${clientEndpoint}${method}`, { json: { ...params, auth: accessToken } }, { http: this.deps.http, timeoutMs: 15_000 });
  }

  stats(tenantId: string): GatewayStats {
    return { ...(this.counters.get(tenantId) ?? { requests: 0, commands: 0 }) };
  }

  /** Forgets cached rate settings (after they changed). */
  forgetSettings(tenantId: string): void {
    this.settings.delete(tenantId);
  }

  stop(): void {
    for (const q of this.queues.values()) q.stop();
    this.queues.clear();
  }

  private count(tenantId: string, commands: number): void {
    const c = this.counters.get(tenantId) ?? { requests: 0, commands: 0 };
    c.requests++;
    c.commands += commands;
    this.counters.set(tenantId, c);
  }

  private async bucket(tenantId: string): Promise<BucketSettings> {
    const hit = this.settings.get(tenantId);
    if (hit && hit.until > Date.now()) return hit.s;
    const p = await findPortal(this.deps.db, tenantId);
    const s: BucketSettings = {
      ratePerSec: (p?.ratePerSec ?? 2) * RATE_MARGIN,
      burst: Math.max(1, Math.floor((p?.burst ?? 50) * BURST_MARGIN)),
    };
    this.settings.set(tenantId, { s, until: Date.now() + SETTINGS_TTL_MS });
    return s;
  }

  private async grant(tenantId: string): Promise<AccessGrant> {
    const p = await findPortal(this.deps.db, tenantId);
    const g = p && grantOf(this.deps.sealer, p);
    if (!g) throw new B24Error('NO_TOKENS', 'the portal has no tokens (not installed or uninstalled)', 0, 'revoked');
    // Refresh a little ahead of expiry instead of spending a request on a certain 401.
    if (g.expiresAt && g.expiresAt.getTime() - this.deps.now().getTime() < refreshMarginMs(g.lifetimeSec)) return this.deps.refresher.refresh(tenantId, g.version);
    return g;
  }

  private queue(tenantId: string): PortalQueue {
    let q = this.queues.get(tenantId);
    if (!q) {
      q = new PortalQueue({
        tenantId,
        transport: { http: this.deps.http },
        reserveSlot: async (now) => reserveSlot(this.deps.db, tenantId, now, await this.bucket(tenantId)),
        markBucketFull: async (now) => markBucketFull(this.deps.db, tenantId, now, await this.bucket(tenantId)),
        grant: () => this.grant(tenantId),
        refresh: (v) => this.deps.refresher.refresh(tenantId, v),
        now: this.deps.now,
        onRequest: (n) => this.count(tenantId, n),
      });
      this.queues.set(tenantId, q);
    }
    return q;
  }
}
