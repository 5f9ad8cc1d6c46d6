import dns from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { TransformStream } from 'node:stream/web';
import type { Agent, Response } from 'undici';
import { classifyAddress, isIpLiteral, type AddressClass } from './addressPolicy.js';

/**
 * The one HTTP client for every request Dozvon makes to an address it did not choose itself:
 * CRM REST and OAuth, customers' webhooks, voice platforms, recording downloads.
 *
 * The address is checked where the socket is opened (undici's connect-time `lookup`), so the
 * address judged is the address connected to: a name that resolves to a public address for a
 * check and to 127.0.0.1 for the request (DNS rebinding) has no second resolution to exploit.
 * https only, public unicast only, no redirects followed, a deadline on the whole exchange and a
 * cap on the response size. `allowLoopbackHttp` (CRM_ALLOW_HTTP) additionally admits loopback, over
 * http or https, for local emulators and development — never a private or link-local range.
 */
export type OutboundFailure = 'bad_url' | 'scheme' | 'private_address' | 'unresolvable' | 'timeout' | 'network' | 'too_large';

export class OutboundError extends Error {
  constructor(
    readonly reason: OutboundFailure,
    detail?: string,
    options?: { cause?: unknown },
  ) {
    super(`outbound request failed: ${reason}${detail ? ` (${detail})` : ''}`, options);
    this.name = 'OutboundError';
  }
  /** Worth trying again later (the network or the other side), as opposed to a refusal by policy. */
  get transient(): boolean {
    return this.reason === 'timeout' || this.reason === 'network' || this.reason === 'unresolvable';
  }
}

/** The policy refused the address or the scheme: retrying will not help. */
export class OutboundRefused extends OutboundError {
  constructor(reason: 'bad_url' | 'scheme' | 'private_address' | 'unresolvable', detail?: string) {
    super(reason, detail);
    this.name = 'OutboundRefused';
  }
}

export interface OutboundInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | URLSearchParams;
  /** Deadline for the whole exchange, headers and body (default 15 s). */
  timeoutMs?: number;
  /** Largest response body accepted (default 10 MB); reading more fails with `too_large`. */
  maxResponseBytes?: number;
  signal?: AbortSignal;
}

export type OutboundResponse = Response;

export interface OutboundHttp {
  fetch(url: string | URL, init?: OutboundInit): Promise<OutboundResponse>;
  close(): Promise<void>;
}

export interface OutboundOptions {
  allowLoopbackHttp: boolean;
  userAgent?: string;
  /** Name resolution (tests substitute it to play DNS rebinding); defaults to the system resolver. */
  lookup?: typeof dns.lookup;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** Which address classes a connection may reach, for one scheme. */
function admits(cls: AddressClass, scheme: 'http' | 'https', allowLoopbackHttp: boolean): boolean {
  if (cls === 'blocked') return false;
  if (cls === 'loopback') return allowLoopbackHttp;
  return scheme === 'https';
}

function guardedLookup(scheme: 'http' | 'https', o: OutboundOptions) {
  const resolve = o.lookup ?? dns.lookup;
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(new OutboundRefused('unresolvable', hostname) as NodeJS.ErrnoException, []);
      const list = addresses as LookupAddress[];
      // One forbidden address condemns the name: a resolver answering "public and private" is an attack.
      if (!list.length || list.some((a) => !admits(classifyAddress(a.address), scheme, o.allowLoopbackHttp))) {
        return callback(new OutboundRefused(list.length ? 'private_address' : 'unresolvable', hostname) as NodeJS.ErrnoException, []);
      }
      if (options.all) callback(null, list);
      else callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

/** Fails the body stream once it carries more than `max` bytes. */
function capped(res: Response, max: number): Response {
  if (!res.body) return res;
  let seen = 0;
  const limited = res.body.pipeThrough(
    new TransformStream<ArrayBufferView | undefined, Uint8Array>({
      transform(chunk, controller) {
        if (!chunk) return;
        seen += chunk.byteLength;
        if (seen > max) controller.error(new OutboundError('too_large', `more than ${max} bytes`));
        else controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      },
    }),
  );
  return new (res.constructor as typeof Response)(limited, { status: res.status, statusText: res.statusText, headers: res.headers });
}

function causeOf(e: unknown): unknown {
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur instanceof Error; i++) {
    if (cur instanceof OutboundError) return cur;
    cur = (cur as Error & { cause?: unknown }).cause;
  }
  return undefined;
}

export function createOutboundHttp(o: OutboundOptions): OutboundHttp {
  // undici (~1 MB of code) loads with the first outbound request, not at every start.
  let client: Promise<{ fetch: typeof import('undici').fetch; agents: Record<'http' | 'https', Agent> }> | undefined;
  const load = () =>
    (client ??= import('undici').then((u) => {
      const agentFor = (scheme: 'http' | 'https') =>
        new u.Agent({
          connect: { lookup: guardedLookup(scheme, o) as never, timeout: 10_000 },
          headersTimeout: 0,
          bodyTimeout: 0,
          keepAliveTimeout: 10_000,
        });
      return { fetch: u.fetch, agents: { http: agentFor('http'), https: agentFor('https') } };
    }));

  return {
    async fetch(raw, init = {}) {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new OutboundRefused('bad_url');
      }
      const scheme = url.protocol === 'https:' ? 'https' : url.protocol === 'http:' ? 'http' : undefined;
      if (!scheme) throw new OutboundRefused('scheme', url.protocol);
      if (scheme === 'http' && !o.allowLoopbackHttp) throw new OutboundRefused('scheme', 'http');
      if (url.username || url.password) throw new OutboundRefused('bad_url', 'credentials in the URL');
      // A literal address never reaches the lookup: judge it here.
      if (isIpLiteral(url.hostname) && !admits(classifyAddress(url.hostname), scheme, o.allowLoopbackHttp)) {
        throw new OutboundRefused(classifyAddress(url.hostname) === 'public' ? 'scheme' : 'private_address', url.hostname);
      }
      const timeoutMs = init.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const deadline = AbortSignal.timeout(timeoutMs);
      const signal = init.signal ? AbortSignal.any([deadline, init.signal]) : deadline;
      const headers: Record<string, string> = { 'user-agent': o.userAgent ?? 'Dozvon/1', ...init.headers };
      const { fetch, agents } = await load();
      let res: Response;
      try {
        res = await fetch(url, {
          method: init.method ?? 'GET',
          headers,
          body: init.body as never,
          redirect: 'manual',
          signal,
          dispatcher: agents[scheme],
        });
      } catch (e) {
        const ours = causeOf(e);
        if (ours) throw ours;
        if (deadline.aborted) throw new OutboundError('timeout', `${timeoutMs} ms`, { cause: e });
        if (init.signal?.aborted) throw e;
        const cause = (e as { cause?: { code?: string; message?: string } }).cause;
        throw new OutboundError('network', cause?.code ?? cause?.message ?? (e as Error).message, { cause: e });
      }
      const max = init.maxResponseBytes ?? DEFAULT_MAX_BYTES;
      const declared = Number(res.headers.get('content-length') ?? 0);
      if (declared > max) {
        await res.body?.cancel().catch(() => undefined); // the body is refused either way; a cancel failure changes nothing
        throw new OutboundError('too_large', `${declared} bytes declared, limit ${max}`);
      }
      return capped(res, max);
    },
    async close() {
      if (!client) return;
      const { agents } = await client;
      await Promise.all([agents.http.close(), agents.https.close()]);
    },
  };
}
