import http from 'node:http';
import https from 'node:https';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../log.js';
import type { CallEvent, CallEventBody } from '../events.js';
import { signCallback } from './callbackSignature.js';

/**
 * Delivers one call's events to Dozvon over HTTP, strictly in order, retrying the way a real
 * platform's webhook sender does: a network failure, a 5xx (Dozvon's database restarting answers
 * 503) or a 429 is retried with backoff until it is accepted — for up to `giveUpAfterMs`, or
 * until the platform stops. A 4xx other than 429 is final: the same body will never be accepted.
 * Nothing is fired and forgotten: each send is chained after the previous one, so "ended" is never
 * delivered before "answered". With `copies` > 1 every event is delivered that many times at
 * once (at-least-once delivery made visible, for idempotency tests and the chaos bench).
 */
export interface CallEventSenderOptions {
  url: string;
  attemptId: string;
  providerCallId: string;
  key: Buffer;
  log: Logger;
  clock: Clock;
  /** Copies of each event delivered concurrently (1 = once). */
  copies?: number;
  /** Stop retrying after this long, ms (default: one hour, as platforms retry for hours). */
  giveUpAfterMs?: number;
  /** Aborted when the platform stops: retries end at once. */
  stopping?: AbortSignal;
}

const MAX_BACKOFF_MS = 5_000;

export class CallEventSender {
  private seq = 0;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly o: CallEventSenderOptions) {}

  emit(body: CallEventBody): Promise<void> {
    const event = {
      ...body,
      attemptId: this.o.attemptId,
      providerCallId: this.o.providerCallId,
      seq: ++this.seq,
      at: this.o.clock.now().toISOString(),
    } as CallEvent;
    const next = this.chain.then(() => this.deliver(event));
    // The chain goes on after a failed event (deliver() has logged it); the caller sees the failure via `next`.
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Resolves when everything emitted so far has been delivered (or given up on). */
  drain(): Promise<void> {
    return this.chain;
  }

  private async deliver(event: CallEvent): Promise<void> {
    const body = JSON.stringify(event);
    const copies = Math.max(1, this.o.copies ?? 1);
    const results = await Promise.allSettled(Array.from({ length: copies }, () => this.post(body)));
    // One accepted copy is a delivered event; the others only test that repeats change nothing.
    if (results.some((r) => r.status === 'fulfilled')) return;
    const reason = (results[0] as PromiseRejectedResult).reason as Error;
    this.o.log.error({ attemptId: event.attemptId, type: event.type, seq: event.seq, err: reason }, 'sandbox: event not delivered');
    throw new Error(`event ${event.type} not delivered: ${reason.message}`);
  }

  /** POSTs one copy until it is accepted, refused for good, or retrying is given up. */
  private async post(body: string): Promise<void> {
    const started = Date.now();
    const giveUpAfter = this.o.giveUpAfterMs ?? 3600_000;
    let lastError = '';
    for (let attempt = 0; ; attempt++) {
      if (this.o.stopping?.aborted) throw new Error(`the platform is stopping (last error: ${lastError || 'none'})`);
      try {
        const status = await postOnce(this.o.url, body, signCallback(this.o.key, body, Math.floor(Date.now() / 1000)), this.o.stopping);
        if (status >= 200 && status < 300) return;
        lastError = `HTTP ${status}`;
        // A 4xx other than 429 will not get better by repeating the same body.
        if (status < 500 && status !== 429) throw new FinalRefusal(lastError);
      } catch (e) {
        if (e instanceof FinalRefusal) throw e;
        lastError = (e as Error).message;
      }
      if (Date.now() - started > giveUpAfter) throw new Error(`gave up after ${attempt + 1} tries: ${lastError}`);
      await sleep(Math.min(MAX_BACKOFF_MS, 100 * 2 ** attempt) * (0.75 + Math.random() * 0.5), this.o.stopping);
    }
  }
}

class FinalRefusal extends Error {}

/**
 * One POST, answered with its status. Node's own client on kept-alive connections rather than
 * `fetch`: the sandbox shares the event loop with Dozvon, and at 50 calls a second (five events
 * each) fetch's streams and signals took about twice what the server spends answering them
 * (profile of the 50/s pacing run). Idle connections close after 30 s, before the server's 65.
 */
const AGENTS = {
  http: new http.Agent({ keepAlive: true, timeout: 30_000 }),
  https: new https.Agent({ keepAlive: true, timeout: 30_000 }),
};
const POST_TIMEOUT_MS = 10_000;

function postOnce(url: string, body: string, headers: Record<string, string>, stopping: AbortSignal | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const req = (secure ? https : http).request(target, {
      method: 'POST',
      agent: secure ? AGENTS.https : AGENTS.http,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      timeout: POST_TIMEOUT_MS,
      ...(stopping ? { signal: stopping } : {}),
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${POST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.on('response', (res) => {
      res.on('error', reject);
      // Only the status matters; the body is read to the end so the connection can be reused.
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.end(body);
  });
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
