import ipaddr from 'ipaddr.js';

/**
 * Which addresses Dozvon may connect to when someone else chose the URL (a customer's webhook, a
 * CRM portal's domain, a voice platform's recording link). Deny by default: only global unicast
 * is public. IPv6 forms that embed an IPv4 address (NAT64 `64:ff9b::/96`, 6to4, Teredo, the
 * deprecated `::a.b.c.d`) are refused outright — they can point anywhere, including loopback;
 * only an IPv4-mapped address (`::ffff:a.b.c.d`) is unwrapped and judged as the IPv4 it is.
 */
export type AddressClass = 'public' | 'loopback' | 'blocked';

export function classifyAddress(raw: string): AddressClass {
  const text = raw.replace(/^\[|\]$/g, '').replace(/%.*$/, '').toLowerCase();
  // ipaddr.js reads the deprecated IPv4-compatible `::a.b.c.d` as if it were `::ffff:a.b.c.d`.
  if (text.includes(':') && text.includes('.') && !/^(0*:)*:?ffff:\d/.test(text.replace(/^::/, '0:'))) return 'blocked';
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = ipaddr.parse(text);
  } catch {
    return 'blocked';
  }
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
  const range = addr.range();
  if (range === 'unicast') return 'public';
  if (range === 'loopback') return 'loopback';
  return 'blocked';
}

export const isIpLiteral = (host: string): boolean => ipaddr.isValid(host.replace(/^\[|\]$/g, ''));
