import { PassThrough } from 'node:stream';
import { z } from 'zod';
import type { ConsoleEvent } from '../../../engine/events/consoleEvents.js';
import { route } from '../../route.js';

/**
 * `GET /api/v1/events` — the console's live updates as Server-Sent Events (`text/event-stream`),
 * read with fetch streaming so the session's Authorization header travels as with every other
 * request. Events: `attempt`, `campaign`, `numbers` (what changed; read the details through the
 * API), and `transcript` lines of the one call named in `?attempt=` (its live dialogue). A stream
 * lasts at most 30 minutes, then the client reconnects (and is authenticated again); a client too
 * slow to read is cut off rather than buffered without end. `: ping` comments keep proxies open.
 */
const MAX_BUFFER_BYTES = 1024 * 1024;
const PING_MS = 25_000;
const MAX_LIFETIME_MS = 30 * 60_000;

const frame = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

export const eventRoutes = [
  route({
    method: 'get',
    path: '/events',
    summary: 'Live updates (Server-Sent Events): attempt, campaign and numbers changes; the live dialogue of ?attempt=<id>',
    tag: 'events',
    access: 'userOrApiKey',
    query: z.object({ attempt: z.uuid().optional() }),
    responseDoc: { contentType: 'text/event-stream', description: 'events `ready`, `attempt`, `campaign`, `numbers`, `transcript`; `: ping` every 25 s' },
    handler: async ({ app, ctx, tenantId, query }) => {
      const stream = new PassThrough();
      const socket = ctx.req.socket;
      socket.setTimeout(0);
      socket.setNoDelay(true);
      socket.setKeepAlive(true);
      ctx.status = 200;
      ctx.type = 'text/event-stream; charset=utf-8';
      ctx.set('Cache-Control', 'no-cache, no-transform');
      ctx.set('X-Accel-Buffering', 'no');
      ctx.body = stream;

      let closed = false;
      const send = (chunk: string): void => {
        if (closed) return;
        if (stream.writableLength > MAX_BUFFER_BYTES) return close();
        stream.write(chunk);
      };
      const onEvent = (e: ConsoleEvent): void => {
        if (e.type === 'transcript' && e.attemptId !== query.attempt) return;
        const { tenantId: _tenant, ...data } = e;
        send(frame(e.type, data));
      };
      const unsubscribe = app.events.subscribe(tenantId, onEvent);
      const ping = setInterval(() => send(': ping\n\n'), PING_MS);
      const lifetime = setTimeout(() => close(), MAX_LIFETIME_MS);
      function close(): void {
        if (closed) return;
        closed = true;
        clearInterval(ping);
        clearTimeout(lifetime);
        unsubscribe();
        stream.end();
      }
      ctx.req.on('close', close);
      ctx.res.on('close', close);
      stream.on('error', (err) => {
        app.log.debug({ err }, 'console event stream failed');
        close();
      });
      // The reconnection delay the browser side uses, and a first event saying the stream is live.
      send(`retry: 3000\n${frame('ready', { at: app.clock.now().toISOString() })}`);
      return undefined;
    },
  }),
];
