import dns from 'node:dns/promises';
import net from 'node:net';

/**
 * Every request Dozvon makes to an address someone else chose (a customer's webhook, a CRM's
 * endpoint, a scenario's HTTP element) goes through here: a timeout, no redirects, https only, and
 * never into loopback / private / link-local ranges — unless CRM_ALLOW_HTTP is on, which permits
 * plain http to loopback for emulators and local development.
 */
export class OutboundRefused extends Error {
  constructor(readonly reason: 'bad_url' | 'scheme' | 'private_address' | 'unresolvable') {
    super(`outbound request refused: ${reason}`);
    this.name = 'OutboundRefused';
  }
}

function isPrivate(ip: string): boolean {
  if (net.isIPv4(ip)) {
    const [a, b] = ip.split('.').map(Number) as [number, number];
    return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  const v6 = ip.toLowerCase();
  if (v6.startsWith('::ffff:')) return isPrivate(v6.slice(7));
  return v6 === '::1' || v6 === '::' || v6.startsWith('fc') || v6.startsWith('fd') || v6.startsWith('fe80');
}

const isLoopback = (ip: string) => ip === '::1' || ip.startsWith('127.') || ip === '::ffff:127.0.0.1';

export async function checkOutboundUrl(raw: string, o: { allowLoopbackHttp: boolean }): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundRefused('bad_url');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = net.isIP(host) ? [host] : (await dns.lookup(host, { all: true })).map((a) => a.address);
  } catch {
    throw new OutboundRefused('unresolvable');
  }
  const loopbackOnly = addresses.length > 0 && addresses.every(isLoopback);
  if (o.allowLoopbackHttp && loopbackOnly && (url.protocol === 'http:' || url.protocol === 'https:')) return url;
  if (url.protocol !== 'https:') throw new OutboundRefused('scheme');
  if (addresses.some(isPrivate)) throw new OutboundRefused('private_address');
  return url;
}

export async function outboundFetch(raw: string, init: RequestInit & { timeoutMs?: number }, o: { allowLoopbackHttp: boolean }): Promise<Response> {
  const url = await checkOutboundUrl(raw, o);
  return fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(init.timeoutMs ?? 10_000) });
}
