import { Response } from 'undici';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BUSY_COMMANDS, PortalQueue, SHARE_WAIT_MS } from '../../../../src/crm/bitrix24/rest/portalQueue.js';
import type { OutboundHttp, OutboundInit } from '../../../../src/net/outboundHttp.js';

/**
 * C7: a busy portal's writes share requests (the portal allows 2 a second, shared with its other
 * apps); a quiet portal's lone command and a full batch leave at once. The portal here answers every
 * command and the bucket always has room, so only the queue's own choice decides the packing. Time
 * is a fake clock: "at once" means without any timer having to run.
 */
function portal(): { http: OutboundHttp; sent: number[] } {
  const sent: number[] = [];
  const http: OutboundHttp = {
    async fetch(url: string | URL, init?: OutboundInit) {
      const body = JSON.parse(String(init?.body)) as { cmd?: Record<string, string> };
      if (String(url).endsWith('/batch')) {
        const keys = Object.keys(body.cmd ?? {});
        sent.push(keys.length);
        return new Response(JSON.stringify({ result: { result: Object.fromEntries(keys.map((k) => [k, true])), result_error: {} } }), { status: 200 });
      }
      sent.push(1);
      return new Response(JSON.stringify({ result: true }), { status: 200 });
    },
    close: async () => undefined,
  };
  return { http, sent };
}

function queueOn(http: OutboundHttp): PortalQueue {
  return new PortalQueue({
    tenantId: 't1',
    transport: { http },
    reserveSlot: async (now) => now,
    markBucketFull: async () => undefined,
    grant: async () => ({ tenantId: 't1', clientEndpoint: 'https://portal.example/rest/', accessToken: 'token', version: 1, expiresAt: null, lifetimeSec: 3600 }),
    refresh: async () => {
      throw new Error('no refresh in this test');
    },
    now: () => new Date(),
    onRequest: () => undefined,
  });
}

const comment = (i: number) => ({ method: 'crm.timeline.comment.add', params: { fields: { COMMENT: `call ${i}` } } });

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the portal queue', () => {
  it('a lone command on a quiet portal leaves at once', async () => {
    const p = portal();
    const q = queueOn(p.http);
    const done = q.submit([comment(1)]);
    await vi.advanceTimersByTimeAsync(0);
    expect(p.sent).toEqual([1]);
    await done;
    q.stop();
  });

  it("a busy portal's commands, trickling in, share requests: far fewer than one each", async () => {
    const p = portal();
    const q = queueOn(p.http);
    const done: Array<Promise<unknown>> = [];
    const total = 200;
    // 200 commands at 100 a second, as a campaign's write-backs arrive.
    for (let i = 0; i < total; i++) {
      done.push(q.submit([comment(i)]));
      await vi.advanceTimersByTimeAsync(10);
    }
    await vi.advanceTimersByTimeAsync(SHARE_WAIT_MS);
    await Promise.all(done);
    expect(p.sent.reduce((n, s) => n + s, 0)).toBe(total);
    // Until the portal counts as busy, commands leave as they come; after, they wait for company.
    const shared = p.sent.filter((s) => s > 1);
    expect(shared.reduce((n, s) => n + s, 0)).toBeGreaterThanOrEqual(total - BUSY_COMMANDS);
    expect(p.sent.length).toBeLessThan(BUSY_COMMANDS + 10);
    q.stop();
  });

  it('a full batch does not wait, even on a busy portal', async () => {
    const p = portal();
    const q = queueOn(p.http);
    const busy = Array.from({ length: BUSY_COMMANDS }, (_, i) => q.submit([comment(i)]));
    await vi.advanceTimersByTimeAsync(SHARE_WAIT_MS);
    await Promise.all(busy);
    const before = p.sent.length;
    const full = Array.from({ length: 50 }, (_, i) => q.submit([comment(100 + i)]));
    await vi.advanceTimersByTimeAsync(0);
    expect(p.sent.slice(before)).toEqual([50]);
    await Promise.all(full);
    q.stop();
  });
});
