import { describe, expect, it } from 'vitest';
import { PortalQueue, BUSY_COMMANDS, SHARE_WAIT_MS } from '../../../../src/crm/bitrix24/rest/portalQueue.js';
import { Response } from 'undici';
import type { OutboundHttp, OutboundInit } from '../../../../src/net/outboundHttp.js';

/**
 * C7: a busy portal's writes share requests (the portal allows 2 a second, shared with its other
 * apps), a quiet portal's lone command leaves at once. The portal here answers every command; the
 * bucket always has room, so only the queue's own choice decides how the work is packed.
 */
interface Sent {
  at: number;
  commands: number;
}

function portal(): { http: OutboundHttp; sent: Sent[] } {
  const sent: Sent[] = [];
  const http: OutboundHttp = {
    async fetch(url: string | URL, init?: OutboundInit) {
      const body = JSON.parse(String(init?.body)) as { cmd?: Record<string, string> };
      const at = performance.now();
      if (String(url).endsWith('/batch')) {
        const keys = Object.keys(body.cmd ?? {});
        sent.push({ at, commands: keys.length });
        return new Response(JSON.stringify({ result: { result: Object.fromEntries(keys.map((k) => [k, true])), result_error: {} } }), { status: 200 });
      }
      sent.push({ at, commands: 1 });
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (i: number) => ({ method: 'crm.timeline.comment.add', params: { fields: { COMMENT: `call ${i}` } } });

describe('the portal queue', () => {
  it('a lone command on a quiet portal leaves at once', async () => {
    const p = portal();
    const q = queueOn(p.http);
    const started = performance.now();
    await q.submit([log(1)]);
    expect(p.sent).toHaveLength(1);
    expect(p.sent[0]!.at - started).toBeLessThan(SHARE_WAIT_MS / 2);
    q.stop();
  });

  it("a busy portal's commands, trickling in, share requests: far fewer than one each", async () => {
    const p = portal();
    const q = queueOn(p.http);
    const done: Array<Promise<unknown>> = [];
    const total = 200;
    // 200 commands at ~100 a second, as a campaign's write-backs arrive.
    for (let i = 0; i < total; i++) {
      done.push(q.submit([log(i)]));
      await sleep(10);
    }
    await Promise.all(done);
    expect(p.sent.reduce((n, s) => n + s.commands, 0)).toBe(total);
    // Before the portal counts as busy (BUSY_COMMANDS), commands leave as they come; after, they
    // wait for company: requests of many commands each.
    const shared = p.sent.filter((s) => s.commands > 1);
    expect(shared.reduce((n, s) => n + s.commands, 0)).toBeGreaterThanOrEqual(total - BUSY_COMMANDS);
    expect(p.sent.length).toBeLessThan(BUSY_COMMANDS + 15);
    q.stop();
  });

  it('a full batch does not wait', async () => {
    const p = portal();
    const q = queueOn(p.http);
    // Make the portal busy, then submit a full batch's worth at once.
    await Promise.all(Array.from({ length: BUSY_COMMANDS }, (_, i) => q.submit([log(i)])));
    const before = p.sent.length;
    const started = performance.now();
    await Promise.all(Array.from({ length: 50 }, (_, i) => q.submit([log(100 + i)])));
    expect(p.sent.length - before).toBe(1);
    expect(p.sent.at(-1)!.at - started).toBeLessThan(SHARE_WAIT_MS / 2);
    q.stop();
  });
});
