import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A customer's webhook endpoint for tests: records every delivery (headers and raw body) and
 * answers with whatever status the test chooses, per delivery.
 */
export interface ReceivedHook {
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: Record<string, unknown> & { event?: string; deliveryId?: string };
  /** The status we answered with. */
  answered: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedHook[];
  /** Decides the answer of each delivery (default 200). */
  respond: (hook: Omit<ReceivedHook, 'answered'>) => number;
  close(): Promise<void>;
}

export async function startWebhookReceiver(path = '/hooks/dozvon'): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = { url: '', received: [], respond: () => 200, close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: ReceivedHook['body'] = {};
      try {
        body = JSON.parse(raw) as ReceivedHook['body'];
      } catch {
        // kept raw
      }
      const hook = { headers: req.headers, raw, body };
      const status = req.url === path && req.method === 'POST' ? receiver.respond(hook) : 404;
      receiver.received.push({ ...hook, answered: status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return receiver;
}

/** Checks `X-Dozvon-Signature: sha256=HMAC-SHA256(secret, "<X-Dozvon-Timestamp>.<raw body>")`. */
export function signatureValid(hook: Pick<ReceivedHook, 'headers' | 'raw'>, secret: string): boolean {
  const ts = hook.headers['x-dozvon-timestamp'];
  const sig = hook.headers['x-dozvon-signature'];
  if (typeof ts !== 'string' || typeof sig !== 'string' || !/^\d+$/.test(ts)) return false;
  const expected = `sha256=${crypto.createHmac('sha256', secret).update(`${ts}.${hook.raw}`).digest('hex')}`;
  return expected.length === sig.length && crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(sig));
}
