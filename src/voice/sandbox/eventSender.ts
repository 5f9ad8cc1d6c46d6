import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../log.js';
import type { CallEvent, CallEventBody } from '../events.js';
import { signCallback } from './callbackSignature.js';

/**
 * Delivers one call's events to Dozvon over HTTP, strictly in order, retrying transient failures
 * the way a real platform's webhook sender does. Nothing is fired and forgotten: each send is
 * chained after the previous one, so "ended" is never delivered before "answered".
 */
export class CallEventSender {
  private seq = 0;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly o: {
      url: string;
      attemptId: string;
      providerCallId: string;
      key: Buffer;
      log: Logger;
      clock: Clock;
      retries?: number;
    },
  ) {}

  emit(body: CallEventBody): Promise<void> {
    const event = {
      ...body,
      attemptId: this.o.attemptId,
      providerCallId: this.o.providerCallId,
      seq: ++this.seq,
      at: this.o.clock.now().toISOString(),
    } as CallEvent;
    const next = this.chain.then(() => this.deliver(event));
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Resolves when everything emitted so far has been delivered (or given up on). */
  drain(): Promise<void> {
    return this.chain;
  }

  private async deliver(event: CallEvent): Promise<void> {
    const body = JSON.stringify(event);
    const retries = this.o.retries ?? 6;
    let lastError = '';
    for (let attempt = 0; attempt <= retries; attempt++) {
      try {
        const res = await fetch(this.o.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...signCallback(this.o.key, body, Math.floor(Date.now() / 1000)) },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return;
        lastError = `HTTP ${res.status}`;
        // A 4xx other than 429 will not get better by repeating the same body.
        if (res.status < 500 && res.status !== 429) break;
      } catch (e) {
        lastError = (e as Error).message;
      }
      await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** attempt)));
    }
    this.o.log.error({ attemptId: event.attemptId, type: event.type, seq: event.seq, err: lastError }, 'sandbox: event not delivered');
    throw new Error(`event ${event.type} not delivered: ${lastError}`);
  }
}
