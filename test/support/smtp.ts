import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server on a free loopback port for e-mail tests: accepts every message and keeps it,
 * decoded enough to assert on (headers unfolded, RFC 2047 subjects, quoted-printable / base64 bodies).
 */
export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  headers: Record<string, string>;
  subject: string;
  text: string;
}

export interface TestSmtpServer {
  port: number;
  /** For SMTP_URL. */
  url: string;
  mails: ReceivedMail[];
  close(): Promise<void>;
}

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('latin1');
        const envelope = session.envelope;
        mails.push({
          ...parseMail(raw),
          raw,
          from: envelope.mailFrom ? envelope.mailFrom.address : '',
          to: envelope.rcptTo.map((r) => r.address),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}?ignoreTLS=true`,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Headers (lower-case names, unfolded) and the decoded text of a single-part or multipart message. */
export function parseMail(raw: string): { headers: Record<string, string>; subject: string; text: string } {
  const { headers, body } = splitEntity(raw);
  return { headers, subject: decodeWords(headers.subject ?? ''), text: textOf(headers, body) };
}

function splitEntity(raw: string): { headers: Record<string, string>; body: string } {
  const at = raw.search(/\r?\n\r?\n/);
  const head = at < 0 ? raw : raw.slice(0, at);
  const body = at < 0 ? '' : raw.slice(at).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const m = /^([^:]+):\s*(.*)$/.exec(line);
    if (m) headers[m[1]!.trim().toLowerCase()] = m[2]!;
  }
  return { headers, body };
}

function textOf(headers: Record<string, string>, body: string): string {
  const type = headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    const parts = body.split(`--${boundary}`).slice(1, -1);
    for (const part of parts) {
      const p = splitEntity(part.replace(/^\r?\n/, ''));
      if (/^text\/plain/i.test(p.headers['content-type'] ?? 'text/plain')) return textOf(p.headers, p.body);
    }
    return '';
  }
  const charset = /charset="?([^";]+)"?/i.exec(type)?.[1] ?? 'utf-8';
  const cte = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  const bytes = cte === 'base64' ? Buffer.from(body.replace(/\s+/g, ''), 'base64') : cte === 'quoted-printable' ? decodeQuotedPrintable(body) : Buffer.from(body, 'latin1');
  return new TextDecoder(charset).decode(bytes).replace(/\r\n/g, '\n').trimEnd();
}

function decodeQuotedPrintable(s: string): Buffer {
  const soft = s.replace(/=\r?\n/g, '');
  const out: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    if (soft[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
      out.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(soft.charCodeAt(i) & 0xff);
  }
  return Buffer.from(out);
}

/** RFC 2047: "=?UTF-8?B?…?=" and "=?UTF-8?Q?…?=" words; whitespace between two encoded words is dropped. */
export function decodeWords(value: string): string {
  // Adjacent words are decoded together: an encoder may split a multi-byte character between them.
  const runs = /(?:=\?[^?]+\?[BbQq]\?[^?]*\?=\s*)+/g;
  return value.replace(runs, (run) => {
    const trailing = /\s*$/.exec(run)![0];
    let charset = 'utf-8';
    const bytes: Buffer[] = [];
    for (const m of run.matchAll(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g)) {
      charset = m[1]!.replace(/\*.*$/, '');
      bytes.push(m[2]!.toUpperCase() === 'B' ? Buffer.from(m[3]!, 'base64') : decodeQuotedPrintable(m[3]!.replace(/_/g, ' ')));
    }
    return new TextDecoder(charset).decode(Buffer.concat(bytes)) + trailing;
  });
}
