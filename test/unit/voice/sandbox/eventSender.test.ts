import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../../src/core/clock.js';
import { createLogger } from '../../../../src/log.js';
import { verifyCallback } from '../../../../src/voice/sandbox/callbackSignature.js';
import { CallEventSender } from '../../../../src/voice/sandbox/eventSender.js';

const key = Buffer.alloc(32, 7);
const ATTEMPT = '0b8f3c1e-4a43-4b7e-9a43-1c2d3e4f5a6b';

interface Received {
  body: { type: string; seq: number };
  signed: boolean;
}

/** A webhook receiver answering each request with the next status of `statuses` (then 200). */
async function receiver(statuses: number[] = [], delayMs = 0): Promise<{ url: string; got: Received[]; connections: () => number; close: () => Promise<void> }> {
  const got: Received[] = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      const status = statuses.shift() ?? 200;
      const signed = verifyCallback(key, raw, { timestamp: req.headers['x-dozvon-timestamp'] as string, signature: req.headers['x-dozvon-signature'] as string }, Math.floor(Date.now() / 1000));
      if (status === 200) got.push({ body: JSON.parse(raw) as Received['body'], signed });
      setTimeout(() => res.writeHead(status, { 'content-type': 'application/json' }).end('{"ok":true}'), delayMs);
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/voice/sandbox/events`,
    got,
    connections: () => connections,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

function sender(url: string, stopping?: AbortSignal): CallEventSender {
  return new CallEventSender({ url, attemptId: ATTEMPT, providerCallId: 'sbx-1', key, log: createLogger('silent'), clock: systemClock, giveUpAfterMs: 5_000, ...(stopping ? { stopping } : {}) });
}

describe('the sandbox platform delivering a call’s events', () => {
  it('delivers them signed, in order, over kept-alive connections', async () => {
    const r = await receiver([], 5);
    closers.push(r.close);
    const s = sender(r.url);
    void s.emit({ type: 'ringing' });
    void s.emit({ type: 'answered' });
    void s.emit({ type: 'amd', verdict: 'human' });
    void s.emit({ type: 'gender', gender: 'female' });
    await s.emit({ type: 'amd', verdict: 'human' });
    expect(r.got.map((g) => [g.body.type, g.body.seq, g.signed])).toEqual([
      ['ringing', 1, true],
      ['answered', 2, true],
      ['amd', 3, true],
      ['gender', 4, true],
      ['amd', 5, true],
    ]);
    // A connection is handed back once its answer is read, which can be just after the next
    // event asks for one: two at most, never one per event.
    expect(r.connections()).toBeLessThanOrEqual(2);
  });

  it('repeats an event Dozvon could not take (503, 429) until it is accepted, and the next waits for it', async () => {
    const r = await receiver([503, 429]);
    closers.push(r.close);
    const s = sender(r.url);
    const first = s.emit({ type: 'ringing' });
    await s.emit({ type: 'answered' });
    await first;
    expect(r.got.map((g) => g.body.type)).toEqual(['ringing', 'answered']);
  });

  it('gives up at once on a refusal that repeating cannot change (400), and goes on with the next event', async () => {
    const r = await receiver([400]);
    closers.push(r.close);
    const s = sender(r.url);
    await expect(s.emit({ type: 'ringing' })).rejects.toThrow(/HTTP 400/);
    await s.emit({ type: 'answered' });
    expect(r.got.map((g) => g.body.type)).toEqual(['answered']);
  });

  it('stops retrying when the platform stops, and never throws out of the process when nobody listens', async () => {
    const r = await receiver();
    await r.close(); // nothing listens on the port any more
    const stopping = new AbortController();
    const s = sender(r.url, stopping.signal);
    const delivery = s.emit({ type: 'ringing' });
    setTimeout(() => stopping.abort(), 300);
    await expect(delivery).rejects.toThrow(/not delivered|stopping/);
  });
});
