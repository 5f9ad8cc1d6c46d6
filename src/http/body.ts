import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import coBody from 'co-body';
import type { Context } from 'koa';
import { DomainError } from '../core/errors.js';
import { assertNoNul } from '../core/validation.js';

/**
 * Request bodies, each kind read only where a route expects it, with size limits and precise
 * errors: wrong content type → 415, malformed → 400, too large → 413, text carrying NUL (which
 * PostgreSQL cannot store) → 422 naming where. Nothing half-read is used.
 */
function contentType(ctx: Context): string {
  return (ctx.get('content-type') || '').split(';')[0]!.trim().toLowerCase();
}

export async function readJson(ctx: Context, limitBytes = 1024 * 1024): Promise<unknown> {
  const type = contentType(ctx);
  const length = Number(ctx.get('content-length') || 0);
  if (!type && length === 0 && !ctx.get('transfer-encoding')) return {};
  if (type !== 'application/json' && !type.endsWith('+json')) {
    throw new DomainError('unsupported_media_type', 'errors.expected_json', { got: type || '—' });
  }
  const parsed: unknown = await coBody.json(ctx.req, { limit: limitBytes, strict: true });
  assertNoNul(parsed);
  return parsed;
}

/** application/x-www-form-urlencoded with PHP-style bracket keys (`auth[member_id]`), as CRMs post. */
export async function readForm(ctx: Context, limitBytes = 1024 * 1024): Promise<Record<string, unknown>> {
  const type = contentType(ctx);
  if (type !== 'application/x-www-form-urlencoded') {
    throw new DomainError('unsupported_media_type', 'errors.expected_form', { got: type || '—' });
  }
  const parsed: unknown = await coBody.form(ctx.req, {
    limit: limitBytes,
    queryString: { depth: 6, arrayLimit: 500, parameterLimit: 5000, allowPrototypes: false },
  });
  assertNoNul(parsed);
  return (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
}

export interface UploadedFile {
  field: string;
  filename: string;
  mimeType: string;
  data: Buffer;
}

export async function readMultipart(
  ctx: Context,
  o: { limitBytes: number; maxFiles?: number },
): Promise<{ fields: Record<string, string>; files: UploadedFile[] }> {
  const type = contentType(ctx);
  if (type !== 'multipart/form-data') throw new DomainError('unsupported_media_type', 'errors.expected_multipart', { got: type || '—' });
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > o.limitBytes + 64 * 1024) {
    // Let the client finish sending (discarding it) so it reads our 413 instead of a reset.
    ctx.req.resume();
    ctx.set('Connection', 'close');
    throw tooLarge(o.limitBytes);
  }
  let bb: busboy.Busboy;
  try {
    bb = busboy({ headers: ctx.req.headers, limits: { fileSize: o.limitBytes, files: o.maxFiles ?? 1, fields: 50, fieldSize: 64 * 1024 } });
  } catch {
    throw new DomainError('bad_request', 'errors.malformed_body');
  }
  return receiveMultipart(ctx.req, bb, o);
}

/**
 * Feeds the request into busboy and settles exactly once. Every emitter in the path has its
 * 'error' handled — the request (client gone), busboy (a body that ends mid-part: "Unexpected end
 * of form") and each file stream (busboy destroys them with the same error): an unhandled one would
 * end the process. A broken upload is a 400 and nothing of it is handed on.
 */
function receiveMultipart(
  req: IncomingMessage,
  bb: busboy.Busboy,
  o: { limitBytes: number; maxFiles?: number },
): Promise<{ fields: Record<string, string>; files: UploadedFile[] }> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    const files: UploadedFile[] = [];
    const streams = new Set<Readable>();
    let refused: DomainError | undefined;
    let settled = false;

    const cleanup = () => {
      req.off('aborted', onAborted);
      req.off('error', onRequestError);
      req.off('close', onClose);
      req.unpipe(bb);
    };
    const fail = (e: DomainError) => {
      if (settled) return;
      settled = true;
      cleanup();
      for (const s of streams) s.destroy();
      bb.destroy();
      // Whatever the client still sends is read and dropped, so the connection can answer.
      if (!req.destroyed) req.resume();
      reject(e);
    };
    const onAborted = () => fail(incomplete());
    const onRequestError = () => fail(incomplete());
    // 'close' before busboy finished: the client went away (Node 20 does not always say 'aborted').
    const onClose = () => {
      if (!req.complete) fail(incomplete());
    };

    req.on('aborted', onAborted);
    req.on('error', onRequestError);
    req.on('close', onClose);
    bb.on('field', (name, value) => {
      fields[name] = value;
    });
    bb.on('file', (field, stream, info) => {
      streams.add(stream);
      const chunks: Buffer[] = [];
      stream.on('error', () => fail(refused ?? incomplete()));
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => {
        refused = tooLarge(o.limitBytes);
        chunks.length = 0;
        stream.resume();
      });
      stream.on('end', () => {
        streams.delete(stream);
        if (!refused && !stream.truncated) files.push({ field, filename: info.filename ?? 'upload', mimeType: info.mimeType, data: Buffer.concat(chunks) });
      });
    });
    bb.on('filesLimit', () => {
      refused = new DomainError('bad_request', 'errors.too_many_files', { max: o.maxFiles ?? 1 });
    });
    bb.on('error', () => fail(refused ?? incomplete()));
    bb.on('close', () => {
      if (settled) return;
      if (refused) return fail(refused);
      try {
        assertNoNul(fields);
      } catch (e) {
        return fail(e as DomainError);
      }
      settled = true;
      cleanup();
      resolve({ fields, files });
    });
    req.pipe(bb);
  });
}

/** The body ended before the form did (cut off, or the client went away mid-upload). */
function incomplete(): DomainError {
  return new DomainError('bad_request', 'errors.upload_incomplete');
}

function tooLarge(limit: number): DomainError {
  return new DomainError('payload_too_large', 'errors.file_too_large', { limitMb: Math.round(limit / 1024 / 1024) });
}
