import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type dns from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyAddress } from '../../../src/net/addressPolicy.js';
import { createOutboundHttp, OutboundError, OutboundRefused } from '../../../src/net/outboundHttp.js';

let server: http.Server;
let port: number;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/big') {
      res.writeHead(200);
      for (let i = 0; i < 64; i++) res.write(Buffer.alloc(1024, 97));
      return res.end();
    }
    if (req.url === '/slow') return setTimeout(() => res.end('late'), 2_000);
    if (req.url === '/redirect') {
      res.writeHead(302, { location: 'http://169.254.169.254/latest' });
      return res.end();
    }
    res.end(`hello ${req.method}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** A resolver that answers what a test tells it, the way a hostile DNS server would. */
function fakeLookup(answers: Record<string, string[]>): typeof dns.lookup {
  return ((host: string, _opts: unknown, cb: (e: Error | null, a: { address: string; family: number }[]) => void) => {
    const list = answers[host];
    if (!list) return cb(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }), []);
    cb(null, list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  }) as unknown as typeof dns.lookup;
}

describe('address policy', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['2606:4700::1111', 'public'],
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:8.8.8.8', 'public'],
    ['::127.0.0.1', 'blocked'],
    ['64:ff9b::7f00:1', 'blocked'],
    ['fec0::1', 'blocked'],
    ['fe80::1', 'blocked'],
    ['fd00::1', 'blocked'],
    ['2002:7f00:1::1', 'blocked'],
    ['10.1.2.3', 'blocked'],
    ['172.16.0.1', 'blocked'],
    ['192.168.1.1', 'blocked'],
    ['169.254.169.254', 'blocked'],
    ['100.64.0.1', 'blocked'],
    ['0.0.0.0', 'blocked'],
    ['224.0.0.1', 'blocked'],
    ['not-an-ip', 'blocked'],
  ])('%s is %s', (ip, expected) => {
    expect(classifyAddress(ip)).toBe(expected);
  });
});

describe('outbound client', () => {
  it('refuses plain http and loopback unless local emulators are allowed', async () => {
    const strict = createOutboundHttp({ allowLoopbackHttp: false });
    await expect(strict.fetch(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({ reason: 'scheme' });
    await expect(strict.fetch(`https://127.0.0.1:${port}/`)).rejects.toMatchObject({ reason: 'private_address' });
    await expect(strict.fetch(`https://[::ffff:127.0.0.1]:${port}/`)).rejects.toBeInstanceOf(OutboundRefused);
    await expect(strict.fetch(`https://[64:ff9b::7f00:1]:${port}/`)).rejects.toBeInstanceOf(OutboundRefused);
    await expect(strict.fetch('ftp://example.com/')).rejects.toMatchObject({ reason: 'scheme' });
    const local = createOutboundHttp({ allowLoopbackHttp: true });
    const res = await local.fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'x' });
    expect(await res.text()).toBe('hello POST');
    await strict.close();
    await local.close();
  });

  it('checks the address it connects to, so a name rebinding to loopback is refused', async () => {
    const client = createOutboundHttp({ allowLoopbackHttp: false, lookup: fakeLookup({ 'crm.example': ['127.0.0.1'], 'mixed.example': ['93.184.216.34', '10.0.0.1'] }) });
    await expect(client.fetch(`https://crm.example:${port}/`)).rejects.toMatchObject({ reason: 'private_address' });
    await expect(client.fetch(`https://mixed.example:${port}/`)).rejects.toMatchObject({ reason: 'private_address' });
    await expect(client.fetch(`https://nowhere.example/`)).rejects.toMatchObject({ reason: 'unresolvable' });
    await client.close();
  });

  it('even with emulators allowed, a name resolving to a private range is refused', async () => {
    const client = createOutboundHttp({ allowLoopbackHttp: true, lookup: fakeLookup({ 'local.test': ['127.0.0.1'], 'lan.test': ['192.168.0.5'] }) });
    expect((await client.fetch(`http://local.test:${port}/`)).status).toBe(200);
    await expect(client.fetch(`http://lan.test:${port}/`)).rejects.toMatchObject({ reason: 'private_address' });
    await client.close();
  });

  it('does not follow redirects', async () => {
    const client = createOutboundHttp({ allowLoopbackHttp: true });
    const res = await client.fetch(`http://127.0.0.1:${port}/redirect`);
    expect(res.status).toBe(302);
    await res.body?.cancel();
    await client.close();
  });

  it('caps the response size and the time taken', async () => {
    const client = createOutboundHttp({ allowLoopbackHttp: true });
    const big = await client.fetch(`http://127.0.0.1:${port}/big`, { maxResponseBytes: 10_000 });
    await expect(big.text()).rejects.toThrow();
    const ok = await client.fetch(`http://127.0.0.1:${port}/big`, { maxResponseBytes: 100_000 });
    expect((await ok.arrayBuffer()).byteLength).toBe(65_536);
    const err = await client.fetch(`http://127.0.0.1:${port}/slow`, { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutboundError);
    expect((err as OutboundError).reason).toBe('timeout');
    await client.close();
  });
});
