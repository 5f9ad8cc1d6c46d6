import { B24Error, isB24Error } from './b24Error.js';
import type { Command, CommandOutcome } from './batchCodec.js';
import { OperatingBudget } from './operatingBudget.js';
import { MAX_BATCH, sendUnits, type Unit } from './sendUnits.js';
import type { TransportOptions } from './transport.js';
import type { AccessGrant } from '../tokens/tokenStore.js';

/**
 * One portal's request scheduler in this process (C7). Everything Dozvon sends to the portal goes
 * through here, as units of one or more commands:
 *
 * 1. wait for the portal's next conforming slot in the shared leaky bucket (a DB row, so every
 *    process together stays under the limit — `reserveSlot`);
 * 2. take as many queued units as fit into one `batch` of 50 commands — while we wait for a slot,
 *    work piles up and goes out together, so under load writes cost a fraction of a request each;
 * 3. send, and sort out the answer: a refused request (503 QUERY_LIMIT_EXCEEDED, 429
 *    OPERATION_TIME_LIMIT — the portal did not run it) goes back to the queue and the bucket is
 *    marked full; an expired token is refreshed once (single-flight) and the work sent again;
 *    everything else is handed back to the caller, command by command.
 *
 * Methods near their operating-time budget are held back; other methods keep flowing.
 *
 * While the portal is busy (work keeps arriving: `BUSY_COMMANDS` in five seconds), a request that is
 * not full waits up to `SHARE_WAIT_MS` for more work to share it. A request saved is one the portal's
 * 2 a second (shared with its other apps) has left for something else; a lone command on a quiet
 * portal still leaves at once, and a full batch never waits. The outbox runs its jobs as a pool, so
 * a write waiting here holds back no other job (in rounds, 1 s of waiting stalled every round:
 * 1,000 robot runs of the bench took 239 s against 141 s at 0.4 s; with the pool the wait costs
 * the run no time, bench/README.md).
 */
export interface QueueDeps {
  tenantId: string;
  transport: TransportOptions;
  /** Earliest moment the next request may leave (books it). */
  reserveSlot(now: Date): Promise<Date>;
  markBucketFull(now: Date): Promise<void>;
  grant(): Promise<AccessGrant>;
  refresh(failedVersion: number): Promise<AccessGrant>;
  now(): Date;
  onRequest(commands: number): void;
}

interface QueuedUnit extends Unit {
  resolve(outcomes: CommandOutcome[]): void;
  reject(e: unknown): void;
  refusals: number;
  notBefore: number;
  /** performance.now() at submit: local timing, not the app's clock (which tests move by hand). */
  queuedAt: number;
}

const MAX_IN_FLIGHT = 4;
const MAX_REFUSALS = 12;
/** Commands submitted within the last BUSY_WINDOW_MS that make the portal busy (5 a second). */
export const BUSY_COMMANDS = 25;
const BUSY_WINDOW_MS = 5000;
/** The longest a command waits for others to share its request on a busy portal. */
export const SHARE_WAIT_MS = 1000;

export class PortalQueue {
  private readonly units: QueuedUnit[] = [];
  private readonly budget = new OperatingBudget();
  private pumping = false;
  private inFlight = 0;
  private stopped = false;
  private wakeUp: (() => void) | undefined;
  /** Submit times (performance.now()) and sizes of the units of the last BUSY_WINDOW_MS. */
  private readonly recent: Array<{ at: number; commands: number }> = [];

  constructor(private readonly deps: QueueDeps) {}

  /** Queues a unit (≤ 50 commands that must travel together) and resolves with each command's outcome. */
  submit(commands: Command[], keys?: string[]): Promise<CommandOutcome[]> {
    if (commands.length === 0) return Promise.resolve([]);
    if (commands.length > MAX_BATCH) return Promise.reject(new Error(`a unit holds at most ${MAX_BATCH} commands`));
    if (this.stopped) return Promise.reject(new B24Error('STOPPED', 'the Bitrix24 adapter is stopping', 0, 'transient'));
    return new Promise((resolve, reject) => {
      const queuedAt = performance.now();
      this.units.push({ commands, keys: keys ?? commands.map((_, i) => `c${i}`), resolve, reject, refusals: 0, notBefore: 0, queuedAt });
      this.recent.push({ at: queuedAt, commands: commands.length });
      this.kick();
    });
  }

  get idle(): boolean {
    return this.units.length === 0 && this.inFlight === 0;
  }

  stop(): void {
    this.stopped = true;
    for (const u of this.units.splice(0)) u.reject(new B24Error('STOPPED', 'the Bitrix24 adapter is stopping', 0, 'transient'));
    this.wakeUp?.();
  }

  private kick(): void {
    if (this.wakeUp) this.wakeUp();
    if (this.pumping) return;
    this.pumping = true;
    void this.pump()
      // Whatever broke the pump (the database, say) is every waiting caller's answer; none hangs.
      .catch((e: unknown) => this.failAll(e))
      .finally(() => {
        this.pumping = false;
        if (this.units.length > 0 && !this.stopped) this.kick();
      });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        done();
      };
    });
  }

  private readyAt(u: QueuedUnit, nowMs: number): number {
    let at = u.notBefore;
    for (const c of u.commands) at = Math.max(at, this.budget.heldUntilMs(c.method, nowMs));
    return at;
  }

  private async pump(): Promise<void> {
    while (this.units.length > 0 && !this.stopped) {
      if (this.inFlight >= MAX_IN_FLIGHT) {
        await this.sleep(1000);
        continue;
      }
      const nowMs = this.deps.now().getTime();
      const soonest = Math.min(...this.units.map((u) => this.readyAt(u, nowMs)));
      if (soonest > nowMs) {
        await this.sleep(Math.min(soonest - nowMs, 1000));
        continue;
      }
      const share = this.shareWait(nowMs);
      if (share > 0) {
        await this.sleep(share);
        continue;
      }
      let sendAt: Date;
      try {
        sendAt = await this.deps.reserveSlot(this.deps.now());
      } catch (e) {
        this.failAll(e);
        return;
      }
      const wait = sendAt.getTime() - this.deps.now().getTime();
      // Wake-ups during the wait are ignored: the slot is booked, more work just joins it.
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const picked = this.pick(this.deps.now().getTime());
      if (picked.length === 0) continue;
      this.inFlight++;
      void this.send(picked).finally(() => {
        this.inFlight--;
        this.wakeUp?.();
      });
    }
  }

  /**
   * How long the ready work should wait for company (ms; 0: send now): while the portal is busy
   * and the ready commands do not fill a batch, until the oldest of them has waited SHARE_WAIT_MS.
   */
  private shareWait(nowMs: number): number {
    const now = performance.now();
    while (this.recent.length > 0 && this.recent[0]!.at < now - BUSY_WINDOW_MS) this.recent.shift();
    if (this.recent.reduce((n, r) => n + r.commands, 0) < BUSY_COMMANDS) return 0;
    let ready = 0;
    let oldest = Infinity;
    for (const u of this.units) {
      if (this.readyAt(u, nowMs) > nowMs) continue;
      ready += u.commands.length;
      oldest = Math.min(oldest, u.queuedAt);
    }
    if (ready >= MAX_BATCH) return 0;
    return Math.max(0, oldest + SHARE_WAIT_MS - now);
  }

  /** Ready units in queue order, as many as fit into one batch (a unit is never split). */
  private pick(nowMs: number): QueuedUnit[] {
    const picked: QueuedUnit[] = [];
    let size = 0;
    for (let i = 0; i < this.units.length; ) {
      const u = this.units[i]!;
      if (this.readyAt(u, nowMs) > nowMs || size + u.commands.length > MAX_BATCH) {
        i++;
        continue;
      }
      picked.push(u);
      size += u.commands.length;
      this.units.splice(i, 1);
      if (size >= MAX_BATCH) break;
    }
    return picked;
  }

  private requeue(units: QueuedUnit[], delayMs: number): void {
    const at = this.deps.now().getTime() + delayMs;
    for (const u of units) {
      u.refusals++;
      if (u.refusals > MAX_REFUSALS) {
        u.reject(new B24Error('QUERY_LIMIT_EXCEEDED', 'the portal kept refusing the request', 503, 'limit'));
        continue;
      }
      u.notBefore = at;
    }
    this.units.unshift(...units.filter((u) => u.refusals <= MAX_REFUSALS));
    this.kick();
  }

  private failAll(e: unknown): void {
    for (const u of this.units.splice(0)) u.reject(e);
  }

  private async send(units: QueuedUnit[]): Promise<void> {
    let grant: AccessGrant;
    try {
      grant = await this.deps.grant();
    } catch (e) {
      for (const u of units) u.reject(e);
      return;
    }
    try {
      this.deps.onRequest(units.reduce((n, u) => n + u.commands.length, 0));
      await this.settle(units, await sendUnits(grant.clientEndpoint, grant.accessToken, units, this.deps.transport));
    } catch (e) {
      await this.onRequestFailed(units, e, grant);
    }
  }

  private async onRequestFailed(units: QueuedUnit[], e: unknown, grant: AccessGrant): Promise<void> {
    if (!isB24Error(e)) {
      for (const u of units) u.reject(e);
      return;
    }
    if (e.kind === 'auth') {
      try {
        await this.deps.refresh(grant.version);
      } catch (refreshError) {
        for (const u of units) u.reject(refreshError);
        return;
      }
      this.units.unshift(...units);
      this.kick();
      return;
    }
    if (e.kind === 'limit') {
      const now = this.deps.now();
      if (e.status === 429 || e.code === 'OPERATION_TIME_LIMIT') {
        const lone = units.length === 1 && units[0]!.commands.length === 1 ? units[0]!.commands[0]! : undefined;
        const wait = lone ? this.budget.refused(lone.method, now.getTime()) : 5_000;
        this.requeue(units, lone ? 0 : wait);
      } else {
        // Marking is a courtesy to the other processes: if it fails, their next refusal marks it.
        await this.deps.markBucketFull(now).catch(() => undefined);
        this.requeue(units, 500);
      }
      return;
    }
    for (const u of units) u.reject(e);
  }

  private async settle(units: QueuedUnit[], outcomes: CommandOutcome[][]): Promise<void> {
    const nowMs = this.deps.now().getTime();
    const refused: QueuedUnit[] = [];
    let bucketFull = false;
    units.forEach((u, i) => {
      const results = outcomes[i]!;
      results.forEach((r, ci) => {
        if (r.ok) this.budget.note(u.commands[ci]!.method, r.time, nowMs);
      });
      // A lone command refused before running goes back to the queue; a chained unit is
      // answered as is (its caller decides, since later commands depended on earlier ones).
      const only = u.commands.length === 1 ? results[0] : undefined;
      if (only && !only.ok && only.error.kind === 'limit') {
        if (only.error.code === 'OPERATION_TIME_LIMIT') this.budget.refused(u.commands[0]!.method, nowMs);
        else bucketFull = true;
        refused.push(u);
        return;
      }
      u.resolve(results);
    });
    // As above: a failed mark only costs the other processes one more refusal.
    if (bucketFull) await this.deps.markBucketFull(this.deps.now()).catch(() => undefined);
    if (refused.length) this.requeue(refused, bucketFull ? 500 : 0);
  }
}
