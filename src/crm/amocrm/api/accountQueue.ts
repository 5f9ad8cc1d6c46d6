import { AmoError, isAmoError } from './amoError.js';
import { amoRequest, type AmoAnswer, type AmoRequest, type TransportOptions } from './transport.js';
import type { AccessGrant } from '../oauth/tokenRefresher.js';

/**
 * One account's request scheduler in this process (C7). Everything Dozvon sends to the account
 * goes through here:
 *
 * 1. wait for the account's next conforming slot of the shared budget (7 req/s, a DB row, so all
 *    processes together stay under it — `reserveSlot`); nothing at all while the account is
 *    blocked after a 403;
 * 2. at the slot, take the first piece of work and everything queued of the same kind that fits
 *    one request: call notes of up to 50 leads in one `POST /leads/notes`, patches of up to 50
 *    distinct leads in one `PATCH /leads`, re-reads of up to 250 leads in one `GET /leads` — while
 *    work waits for a slot it piles up, so under load a write costs a fraction of a request;
 * 3. sort out the answer: 429 → back to the queue after `Retry-After`, the shared bucket marked
 *    full; 401 → one single-flight refresh, then again; 403 / 402 → the account is blocked for
 *    every process and the owner alerted, never hammered; a 400 naming some items of a batch →
 *    those items fail, the others go again; anything else goes back to the caller.
 */
export type Coalesced = 'notes' | 'patch' | 'read';

export interface QueueDeps {
  tenantId: string;
  transport: TransportOptions;
  /** Earliest moment the next request may leave (books it). */
  reserveSlot(now: Date): Promise<Date>;
  /** The account refused for rate: slow every process down. */
  markBucketFull(now: Date, extraMs: number): Promise<void>;
  /** When sending must wait for a block to be lifted (403 ban): its end, else undefined. */
  blockedUntil(now: Date): Promise<Date | undefined>;
  /** The account answered 403 / 402: block it everywhere and alert. */
  onBlocked(e: AmoError): Promise<void>;
  grant(): Promise<AccessGrant>;
  refresh(failedVersion: number): Promise<AccessGrant>;
  now(): Date;
  onRequest(items: number): void;
  /**
   * The items about to leave carry these marks (the outbox jobs that wrote them): record, in one
   * statement for the whole request, that their writes may have happened — a lost answer is then
   * reconciled instead of written twice.
   */
  markSending(marks: string[]): Promise<void>;
}

/** What a caller attaches to an item: a mark recorded just before the request that carries it leaves. */
export interface ItemOptions {
  sendingMark?: string;
}

interface Entry {
  kind: 'request' | Coalesced;
  sendingMark: string | undefined;
  /** `request`: the whole request; coalesced kinds: the item (a note, a lead patch) or the lead id. */
  payload: unknown;
  resolve(v: unknown): void;
  reject(e: unknown): void;
  refusals: number;
  notBefore: number;
  /** Sent in a request of its own (to isolate a bad item of a refused batch). */
  alone: boolean;
}

const MAX_IN_FLIGHT = 4;
const MAX_REFUSALS = 8;
const WRITE_BATCH = 50;
const READ_BATCH = 250;

export class AccountQueue {
  private readonly entries: Entry[] = [];
  private pumping = false;
  private inFlight = 0;
  private stopped = false;
  private wakeUp: (() => void) | undefined;

  constructor(private readonly deps: QueueDeps) {}

  /** One request of its own; resolves with the answer (204 → body undefined). */
  request(r: Omit<AmoRequest, 'accessToken'>): Promise<AmoAnswer> {
    return this.submit('request', r) as Promise<AmoAnswer>;
  }

  /** An item of a coalescable request: a note (`notes`), a lead patch (`patch`) or a lead id (`read`). */
  item<T>(kind: Coalesced, payload: unknown, o: ItemOptions = {}): Promise<T> {
    return this.submit(kind, payload, o.sendingMark) as Promise<T>;
  }

  get idle(): boolean {
    return this.entries.length === 0 && this.inFlight === 0;
  }

  stop(): void {
    this.stopped = true;
    this.failAll(new AmoError('transient', 'STOPPED', 'the amoCRM adapter is stopping', 0));
    this.wakeUp?.();
  }

  private submit(kind: Entry['kind'], payload: unknown, sendingMark?: string): Promise<unknown> {
    if (this.stopped) return Promise.reject(new AmoError('transient', 'STOPPED', 'the amoCRM adapter is stopping', 0));
    return new Promise((resolve, reject) => {
      this.entries.push({ kind, payload, sendingMark, resolve, reject, refusals: 0, notBefore: 0, alone: false });
      this.kick();
    });
  }

  private kick(): void {
    if (this.wakeUp) this.wakeUp();
    if (this.pumping) return;
    this.pumping = true;
    void this.pump()
      .catch((e: unknown) => this.failAll(e))
      .finally(() => {
        this.pumping = false;
        if (this.entries.length > 0 && !this.stopped) this.kick();
      });
  }

  /** Sleeps up to `ms`; new work (`kick`) wakes it early. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wakeUp === done) this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.wakeUp = done;
    });
  }

  private async pump(): Promise<void> {
    while (this.entries.length > 0 && !this.stopped) {
      if (this.inFlight >= MAX_IN_FLIGHT) {
        await this.sleep(1000);
        continue;
      }
      const nowMs = this.deps.now().getTime();
      const soonest = Math.min(...this.entries.map((e) => e.notBefore));
      if (soonest > nowMs) {
        await this.sleep(Math.min(soonest - nowMs, 1000));
        continue;
      }
      const blocked = await this.deps.blockedUntil(this.deps.now());
      if (blocked) {
        this.failAll(new AmoError('blocked', 'BLOCKED', `the account is blocked until ${blocked.toISOString()}; nothing is sent until then`, 0, { retryAfterMs: blocked.getTime() - nowMs }));
        return;
      }
      const sendAt = await this.deps.reserveSlot(this.deps.now());
      const wait = sendAt.getTime() - this.deps.now().getTime();
      // Wake-ups during the wait are ignored: the slot is booked, more work just joins it.
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const group = this.pick(this.deps.now().getTime());
      if (group.length === 0) continue;
      this.inFlight++;
      void this.send(group).finally(() => {
        this.inFlight--;
        this.wakeUp?.();
      });
    }
  }

  /** The first ready entry and, for a coalescable kind, the ready entries of that kind that fit with it. */
  private pick(nowMs: number): Entry[] {
    const first = this.entries.findIndex((e) => e.notBefore <= nowMs);
    if (first < 0) return [];
    const head = this.entries[first]!;
    if (head.kind === 'request' || head.alone) return this.entries.splice(first, 1);
    const cap = head.kind === 'read' ? READ_BATCH : WRITE_BATCH;
    const group: Entry[] = [];
    const leads = new Set<number>();
    for (let i = first; i < this.entries.length && group.length < cap; ) {
      const e = this.entries[i]!;
      const lead = e.kind === head.kind ? leadOf(e) : undefined;
      // One lead at most once per PATCH (and per read): a second patch of it waits for the next request.
      if (e.kind !== head.kind || e.alone || e.notBefore > nowMs || (lead !== undefined && leads.has(lead) && e.kind !== 'notes')) {
        i++;
        continue;
      }
      if (lead !== undefined) leads.add(lead);
      group.push(e);
      this.entries.splice(i, 1);
    }
    return group;
  }

  private requeue(group: Entry[], delayMs: number, o: { countRefusal: boolean; alone?: boolean } = { countRefusal: true }): void {
    const at = this.deps.now().getTime() + delayMs;
    const back: Entry[] = [];
    for (const e of group) {
      if (o.countRefusal && ++e.refusals > MAX_REFUSALS) {
        e.reject(new AmoError('limit', 'TOO_MANY_REQUESTS', 'the account kept refusing the request for its rate', 429, { retryAfterMs: delayMs }));
        continue;
      }
      e.notBefore = at;
      if (o.alone) e.alone = true;
      back.push(e);
    }
    this.entries.unshift(...back);
    this.kick();
  }

  private failAll(e: unknown): void {
    for (const x of this.entries.splice(0)) x.reject(e);
  }

  private async send(group: Entry[]): Promise<void> {
    let grant: AccessGrant;
    try {
      grant = await this.deps.grant();
    } catch (e) {
      for (const x of group) x.reject(e);
      return;
    }
    const req = requestOf(group);
    const marks = group.map((e) => e.sendingMark).filter((m): m is string => m !== undefined);
    if (marks.length) {
      try {
        await this.deps.markSending(marks);
      } catch (e) {
        // Not recorded → not sent: the items go back to their callers to be tried again.
        for (const x of group) x.reject(e);
        return;
      }
    }
    this.deps.onRequest(group[0]!.kind === 'request' ? 1 : group.length);
    let answer: AmoAnswer;
    try {
      answer = await amoRequest(grant.baseUrl, { ...req, accessToken: grant.accessToken }, this.deps.transport);
    } catch (e) {
      await this.onFailure(group, e, grant);
      return;
    }
    settle(group, answer);
  }

  private async onFailure(group: Entry[], e: unknown, grant: AccessGrant): Promise<void> {
    if (!isAmoError(e)) {
      for (const x of group) x.reject(e);
      return;
    }
    switch (e.kind) {
      case 'auth':
        try {
          await this.deps.refresh(grant.version);
        } catch (refreshError) {
          for (const x of group) x.reject(refreshError);
          return;
        }
        this.requeue(group, 0);
        return;
      case 'limit': {
        const wait = e.retryAfterMs ?? 1000;
        // Every process waits too: a second 429 in a row is what gets integrations banned.
        await this.deps.markBucketFull(this.deps.now(), wait).catch((err: unknown) => void err);
        this.requeue(group, wait);
        return;
      }
      case 'blocked':
        await this.deps.onBlocked(e);
        for (const x of group) x.reject(e);
        this.failAll(e);
        return;
      case 'final':
        if (group.length > 1) return this.splitRefused(group, e);
        for (const x of group) x.reject(e);
        return;
      default:
        for (const x of group) x.reject(e);
    }
  }

  /** A batch refused as invalid: the items it names fail, the others go again (alone if it named none). */
  private splitRefused(group: Entry[], e: AmoError): void {
    const named = new Set(e.issues.map((i) => i.requestId));
    if (named.size === 0) {
      this.requeue(group, 0, { countRefusal: false, alone: true });
      return;
    }
    const again: Entry[] = [];
    group.forEach((x, i) => {
      if (named.has(String(i))) x.reject(new AmoError('final', e.code, e.detail, e.status, { issues: e.issues.filter((is) => is.requestId === String(i)) }));
      else again.push(x);
    });
    if (again.length) this.requeue(again, 0, { countRefusal: false });
  }
}

function leadOf(e: Entry): number | undefined {
  if (e.kind === 'read') return e.payload as number;
  if (e.kind === 'patch') return (e.payload as { id: number }).id;
  return undefined;
}

function requestOf(group: Entry[]): Omit<AmoRequest, 'accessToken'> {
  const head = group[0]!;
  switch (head.kind) {
    case 'request':
      return head.payload as Omit<AmoRequest, 'accessToken'>;
    case 'notes':
      return { method: 'POST', path: '/api/v4/leads/notes', body: group.map((e, i) => ({ ...(e.payload as object), request_id: String(i) })) };
    case 'patch':
      return { method: 'PATCH', path: '/api/v4/leads', body: group.map((e, i) => ({ ...(e.payload as object), request_id: String(i) })) };
    case 'read': {
      const ids = group.map((e) => `filter[id][]=${e.payload as number}`).join('&');
      return { method: 'GET', path: '/api/v4/leads', query: `${ids}&limit=${READ_BATCH}&with=contacts` };
    }
  }
}

/** Hands each item its part of the answer. */
function settle(group: Entry[], answer: AmoAnswer): void {
  const head = group[0]!;
  if (head.kind === 'request') {
    head.resolve(answer);
    return;
  }
  const embedded = ((answer.body ?? {}) as { _embedded?: Record<string, unknown[]> })._embedded ?? {};
  if (head.kind === 'read') {
    const leads = (embedded.leads ?? []) as { id: number }[];
    const byId = new Map(leads.map((l) => [Number(l.id), l]));
    for (const e of group) e.resolve(byId.get(e.payload as number) ?? null);
    return;
  }
  const rows = (embedded[head.kind === 'notes' ? 'notes' : 'leads'] ?? []) as { id?: number; request_id?: string }[];
  const byRequest = new Map(rows.map((r) => [String(r.request_id), r]));
  group.forEach((e, i) => {
    const row = byRequest.get(String(i)) ?? rows[i];
    if (row) e.resolve(row);
    else e.reject(new AmoError('transient', 'NO_ITEM', 'the answer did not list this item', answer.status, { maybeApplied: true }));
  });
}
