/**
 * Test-only helpers for the emulator's own tests: a tiny "app" server that records what the
 * portal posts to it, and a raw REST caller. Not part of the emulator's public API.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { parseForm } from './formEncoding.js';
import { closeServer, listenLoopback, readBody } from './http.js';

export interface ReceivedRequest {
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: IncomingMessage['headers'];
  rawBody: string;
  /** Form body decoded with PHP bracket semantics. */
  form: Record<string, unknown>;
}

export interface Reply {
  status?: number;
  body?: string | Buffer;
  headers?: Record<string, string>;
}

export type RouteHandler = (req: ReceivedRequest) => Reply | Promise<Reply>;

export class RecordingApp {
  readonly received: ReceivedRequest[] = [];
  readonly #routes = new Map<string, RouteHandler>();
  #server: Server | null = null;
  url = '';

  /** Handles `path` (exact pathname); unknown paths answer 200 "OK". */
  on(path: string, handler: RouteHandler): this {
    this.#routes.set(path, handler);
    return this;
  }

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://app.local');
        const raw = (await readBody(req)).toString('utf8');
        const request: ReceivedRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: parseForm(url.search),
          headers: req.headers,
          rawBody: raw,
          form: (req.headers['content-type'] ?? '').includes('x-www-form-urlencoded') ? parseForm(raw) : {},
        };
        this.received.push(request);
        const handler = this.#routes.get(url.pathname);
        const reply = handler ? await handler(request) : { status: 200, body: 'OK' };
        res.writeHead(reply.status ?? 200, { 'content-type': 'text/html; charset=utf-8', ...(reply.headers ?? {}) });
        res.end(reply.body ?? '');
      })().catch((err: unknown) => {
        res.writeHead(500);
        res.end(String(err));
      });
    });
    const port = await listenLoopback(this.#server);
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  requests(path: string): ReceivedRequest[] {
    return this.received.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    if (this.#server) await closeServer(this.#server);
  }
}

export interface RawResponse {
  status: number;
  body: Record<string, unknown>;
  text: string;
  headers: Headers;
}

/** POSTs JSON to `<clientEndpoint><method>` (the SDK's wire format without the SDK). */
export async function rest(clientEndpoint: string, method: string, params: Record<string, unknown>, auth?: string): Promise<RawResponse> {
  const response = await fetch(`${clientEndpoint}${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(auth === undefined ? params : { ...params, auth }),
  });
  const text = await response.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = {};
  }
  return { status: response.status, body, text, headers: response.headers };
}
