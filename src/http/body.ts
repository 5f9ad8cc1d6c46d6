import crypto from 'node:crypto';
import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
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

/** A file part written to disk as it arrived (see {@link readMultipartToDisk}). */
export interface SpooledFile {
  field: string;
  filename: string;
  mimeType: string;
  path: string;
}

export async function readMultipart(
  ctx: Context,
  o: { limitBytes: number; maxFiles?: number },
): Promise<{ fields: Record<string, string>; files: UploadedFile[] }> {
  return receiveMultipart(ctx.req, openBusboy(ctx, o), o, toMemory);
}

/**
 * A multipart form whose files go to `dir` as they arrive instead of into memory: a clients file
 * of tens of megabytes then costs the server a read buffer, not the file two or three times over
 * (the parts, the joined buffer, the parser's copy). Files are private to the server (0600) and
 * removed by `dispose()`, which the caller must call; a refused upload leaves nothing behind.
 */
export async function readMultipartToDisk(
  ctx: Context,
  o: { limitBytes: number; maxFiles?: number; dir: string },
): Promise<{ fields: Record<string, string>; files: SpooledFile[]; dispose(): Promise<void> }> {
  const bb = openBusboy(ctx, o);
  // Synchronous on purpose: nothing may come between reading the request and listening to it (a
  // body that ended meanwhile would go unheard and the request never finish).
  fs.mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  // Each file with its write stream's end ('close'): removed only once nothing writes it any more.
  const written = new Map<string, Promise<void>>();
  const dispose = async () => {
    const all = [...written];
    written.clear();
    await Promise.all(all.map(async ([f, closed]) => {
      await closed;
      await fs.promises.rm(f, { force: true });
    }));
  };
  try {
    const { fields, files } = await receiveMultipart(ctx.req, bb, o, toDisk(o.dir, written));
    return { fields, files, dispose };
  } catch (e) {
    await dispose();
    throw e;
  }
}

function openBusboy(ctx: Context, o: { limitBytes: number; maxFiles?: number }): busboy.Busboy {
  const type = contentType(ctx);
  if (type !== 'multipart/form-data') throw new DomainError('unsupported_media_type', 'errors.expected_multipart', { got: type || '—' });
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > o.limitBytes + 64 * 1024) {
    // Let the client finish sending (discarding it) so it reads our 413 instead of a reset.
    ctx.req.resume();
    ctx.set('Connection', 'close');
    throw tooLarge(o.limitBytes);
  }
  try {
    return busboy({ headers: ctx.req.headers, limits: { fileSize: o.limitBytes, files: o.maxFiles ?? 1, fields: 50, fieldSize: 64 * 1024 } });
  } catch {
    throw new DomainError('bad_request', 'errors.malformed_body');
  }
}

/**
 * Where a file part goes: resolves with the stored file once all of it is stored, or undefined
 * when it was cut off at the size limit (the part is then read to its end and dropped).
 */
type PartStore<F> = (field: string, stream: Readable & { truncated?: boolean }, info: busboy.FileInfo) => Promise<F | undefined>;

/** What a stored part says about itself, wherever it was stored. */
const partOf = (field: string, info: busboy.FileInfo) => ({ field, filename: info.filename ?? 'upload', mimeType: info.mimeType });

const toMemory: PartStore<UploadedFile> = (field, stream, info) =>
  new Promise((resolve) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => {
      if (!stream.truncated) chunks.push(c);
    });
    stream.on('limit', () => (chunks.length = 0));
    stream.on('end', () => resolve(stream.truncated ? undefined : { ...partOf(field, info), data: Buffer.concat(chunks) }));
  });

function toDisk(dir: string, written: Map<string, Promise<void>>): PartStore<SpooledFile> {
  return (field, stream, info) =>
    new Promise((resolve, reject) => {
      const file = path.join(dir, `${crypto.randomUUID()}.upload`);
      const out = fs.createWriteStream(file, { flags: 'wx', mode: 0o600 });
      written.set(file, new Promise((closed) => out.once('close', () => closed())));
      // The part ended early (the form failed, the client went away): stop writing.
      stream.on('close', () => {
        if (stream.readableEnded) return;
        out.destroy();
        resolve(undefined);
      });
      // The disk refused (full, gone): the upload fails; the part is read to its end and dropped.
      out.on('error', (e) => {
        stream.unpipe(out);
        stream.resume();
        reject(e);
      });
      stream.on('limit', () => {
        stream.unpipe(out);
        out.destroy();
        resolve(undefined);
      });
      out.on('finish', () => resolve(stream.truncated ? undefined : { ...partOf(field, info), path: file }));
      stream.pipe(out);
    });
}

/**
 * Feeds the request into busboy and settles exactly once. Every emitter in the path has its
 * 'error' handled — the request (client gone), busboy (a body that ends mid-part: "Unexpected end
 * of form") and each file stream (busboy destroys them with the same error): an unhandled one would
 * end the process. A broken upload is a 400 and nothing of it is handed on.
 */
function receiveMultipart<F>(
  req: IncomingMessage,
  bb: busboy.Busboy,
  o: { limitBytes: number; maxFiles?: number },
  store: PartStore<F>,
): Promise<{ fields: Record<string, string>; files: F[] }> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    const files: F[] = [];
    const streams = new Set<Readable>();
    const storing: Promise<unknown>[] = [];
    let refused: DomainError | undefined;
    let settled = false;

    const cleanup = () => {
      req.off('aborted', onAborted);
      req.off('error', onRequestError);
      req.off('close', onClose);
      req.unpipe(bb);
    };
    const fail = (e: Error) => {
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
      stream.on('error', () => fail(refused ?? incomplete()));
      stream.on('limit', () => {
        refused = tooLarge(o.limitBytes);
        stream.resume();
      });
      stream.on('end', () => streams.delete(stream));
      const stored = store(field, stream, info).then(
        (f) => {
          if (f !== undefined && !refused) files.push(f);
        },
        (e: unknown) => fail(e as Error),
      );
      storing.push(stored);
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
      // Files on disk are complete once their writes have finished, a moment after the form.
      void Promise.all(storing).then(() => {
        if (settled) return;
        if (refused) return fail(refused);
        settled = true;
        cleanup();
        resolve({ fields, files });
      });
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
