/**
 * Domain errors: a stable code (never renamed; clients and tests depend on it), an i18next key for the
 * message and its parameters, and structured details. No HTTP here: src/http/errors.ts maps codes to statuses.
 */
export const ERROR_CODES = [
  'validation_failed',
  'bad_request',
  'unsupported_media_type',
  'payload_too_large',
  'unauthorized',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'conflict',
  'setup_required',
  'setup_done',
  'rate_limited',
  'server_busy',
  'voice_platform_failed',
  /** Another server we depend on (the mail server) refused or failed. */
  'upstream_failed',
  'service_unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** One problem in the input: where it is, and the translated reason (key + params). */
export interface FieldIssue {
  /** Dotted path to the offending field, e.g. "redial.rules.busy.maxCount"; "" for the whole input. */
  path: string;
  /** i18next key of the reason, e.g. "validation.too_big". */
  key: string;
  params?: Record<string, unknown>;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    /** i18next key of the human message. */
    readonly key: string,
    readonly params: Record<string, unknown> = {},
    readonly issues: FieldIssue[] = [],
    /** Extra machine-readable facts for the client (never secrets). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(`${code}: ${key}`);
    this.name = 'DomainError';
  }
}

export const validationFailed = (issues: FieldIssue[]) =>
  new DomainError('validation_failed', 'errors.validation_failed', { count: issues.length }, issues);
export const badRequest = (key: string, params: Record<string, unknown> = {}) =>
  new DomainError('bad_request', key, params);
export const notFound = (entity: string, id?: string | number) =>
  new DomainError('not_found', 'errors.not_found', { entity, id: id === undefined ? '' : String(id) });
export const conflict = (key: string, params: Record<string, unknown> = {}) => new DomainError('conflict', key, params);
export const unauthorized = (key = 'errors.unauthorized') => new DomainError('unauthorized', key);
export const forbidden = (key = 'errors.forbidden') => new DomainError('forbidden', key);

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
