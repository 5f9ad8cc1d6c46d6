import { DomainError } from '../../../core/errors.js';
import type { ResolvedClientsFileOptions } from '../options.js';
import type { ClientsFileBatch, ClientsFileMeta, ClientsFileStats } from '../types.js';

/**
 * Messages between an import (main thread) and the worker thread that parses its file. One job
 * at a time per worker; the main thread pulls batches one by one, the worker pulls input chunks
 * one by one, so neither side ever holds more than a batch or a chunk it was not asked for.
 */
export type ToWorker =
  | { type: 'open'; options: ResolvedClientsFileOptions; whole?: Uint8Array }
  | { type: 'chunk'; data: Uint8Array }
  | { type: 'end' }
  | { type: 'inputError'; message: string }
  | { type: 'next' };

export type FromWorker =
  | { type: 'pull' }
  | { type: 'meta'; meta: ClientsFileMeta; stats: ClientsFileStats }
  | { type: 'batch'; batch: ClientsFileBatch; meta: ClientsFileMeta; stats: ClientsFileStats }
  | { type: 'done'; meta: ClientsFileMeta; stats: ClientsFileStats }
  | { type: 'error'; error: SerializedError };

export type SerializedError =
  | { kind: 'domain'; code: DomainError['code']; key: string; params: Record<string, unknown>; issues: DomainError['issues']; extra: Record<string, unknown> }
  | { kind: 'other'; message: string; stack?: string };

/** A DomainError crosses the thread boundary intact (code, key, params): the user sees the same message. */
export function serializeError(e: unknown): SerializedError {
  if (e instanceof DomainError) return { kind: 'domain', code: e.code, key: e.key, params: e.params, issues: e.issues, extra: e.extra };
  const err = e instanceof Error ? e : new Error(String(e));
  return { kind: 'other', message: err.message, stack: err.stack };
}

export function deserializeError(s: SerializedError): Error {
  if (s.kind === 'domain') return new DomainError(s.code, s.key, s.params, s.issues, s.extra);
  const e = new Error(s.message);
  if (s.stack) e.stack = s.stack;
  return e;
}
