import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small load balancer in front of several Dozvon processes, as a deployment has: portals and
 * the voice platform call one address; each request goes to the next live process, and one that
 * cannot be connected to (killed a moment ago) is skipped for another. A request already handed
 * to a process that dies mid-answer fails, as it would in production, and its sender retries.
 */
export interface Balancer {
  url: string;
  setBackends(urls: string[]): void;
  /** Requests forwarded, and those no backend could take. */
  stats(): { forwarded: number; unavailable: number };
  close(): Promise<void>;
}

export async function startBalancer(): Promise<Balancer> {
  let backends: string[] = [];
  let next = 0;
  let forwarded = 0;
  let unavailable = 0;

  const server = http.createServer((req, res) => {
    req.on('error', () => res.destroy());
    res.on('error', () => undefined); // the client went away: nothing to answer
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void forward(req, res, Buffer.concat(chunks), backends.length));
  });

  async function forward(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, triesLeft: number): Promise<void> {
    const target = backends[next++ % Math.max(1, backends.length)];
    if (!target || triesLeft <= 0) {
      unavailable++;
      if (!res.headersSent) res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '1' });
      res.end('no backend');
      return;
    }
    const url = new URL(req.url ?? '/', target);
    const headers = { ...req.headers, host: url.host };
    const out = http.request(url, { method: req.method, headers }, (answer) => {
      forwarded++;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on('error', () => res.destroy());
    });
    out.on('error', (e: NodeJS.ErrnoException) => {
      // Not connected at all: the process is gone, another one takes the request.
      if (e.code === 'ECONNREFUSED' && !res.headersSent) return void forward(req, res, body, triesLeft - 1);
      res.destroy();
    });
    out.end(body);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setBackends(urls) {
      backends = [...urls];
    },
    stats: () => ({ forwarded, unavailable }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
