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
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: ctx.req.headers, limits: { fileSize: o.limitBytes, files: o.maxFiles ?? 1, fields: 50, fieldSize: 64 * 1024 } });
    } catch {
      return reject(new DomainError('bad_request', 'errors.malformed_body'));
    }
    const fields: Record<string, string> = {};
    const files: UploadedFile[] = [];
    let failed: DomainError | undefined;
    bb.on('field', (name, value) => {
      fields[name] = value;
    });
    bb.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => {
        failed = tooLarge(o.limitBytes);
        chunks.length = 0;
        stream.resume();
      });
      stream.on('close', () => {
        if (!failed) files.push({ field, filename: info.filename ?? 'upload', mimeType: info.mimeType, data: Buffer.concat(chunks) });
      });
    });
    bb.on('filesLimit', () => {
      failed = new DomainError('bad_request', 'errors.too_many_files', { max: o.maxFiles ?? 1 });
    });
    bb.on('error', () => reject(failed ?? new DomainError('bad_request', 'errors.malformed_body')));
    bb.on('close', () => {
      if (failed) return reject(failed);
      try {
        assertNoNul(fields);
      } catch (e) {
        return reject(e as Error);
      }
      resolve({ fields, files });
    });
    ctx.req.pipe(bb);
  });
}

function tooLarge(limit: number): DomainError {
  return new DomainError('payload_too_large', 'errors.file_too_large', { limitMb: Math.round(limit / 1024 / 1024) });
}
