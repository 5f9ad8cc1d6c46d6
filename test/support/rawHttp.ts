import net from 'node:net';

/**
 * HTTP written by hand on a raw socket, for requests no well-behaved client sends: a body shorter
 * than its Content-Length, a multipart form that stops mid-part, a client that hangs up mid-upload.
 */
export interface RawResponse {
  /** Status of the answer, or undefined when the server closed without one. */
  status: number | undefined;
  text: string;
}

export interface RawRequest {
  url: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  /** What is actually sent after the headers. */
  body: Buffer | string;
  /**
   * Close our side after sending (the body then ends early for the server): at once, or when this
   * promise settles (e.g. once the server has started handling the request).
   */
  hangUp?: boolean | Promise<unknown>;
}

/** Sends the request and resolves with whatever came back once the server or we close the socket. */
export function rawRequest(r: RawRequest): Promise<RawResponse> {
  const { hostname, port } = new URL(r.url);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(Number(port), hostname);
    const head = [`${r.method} ${r.path} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Connection: close', ...Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
    socket.on('connect', () => {
      socket.write(head);
      socket.write(r.body, () => {
        if (r.hangUp === true) socket.destroy();
        else if (r.hangUp) void r.hangUp.finally(() => socket.destroy());
      });
    });
    socket.on('data', (c: Buffer) => chunks.push(c));
    // A reset is one of the answers we are testing for; the result says what came back.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: m ? Number(m[1]) : undefined, text });
    });
  });
}

/** A multipart/form-data body with one file part, and its boundary. */
export function multipartBody(o: { field?: string; filename: string; type?: string; content: Buffer | string }): { boundary: string; body: Buffer } {
  const boundary = `----dozvon${Math.random().toString(16).slice(2)}`;
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="${o.field ?? 'file'}"; filename="${o.filename}"\r\nContent-Type: ${o.type ?? 'application/octet-stream'}\r\n\r\n`;
  const body = Buffer.concat([Buffer.from(head), Buffer.from(o.content), Buffer.from(`\r\n--${boundary}--\r\n`)]);
  return { boundary, body };
}
