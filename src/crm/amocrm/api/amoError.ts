/**
 * One error type for everything an account or its OAuth endpoint can answer, classified once so
 * the scheduler and the outbox handlers decide the same way (brief §3):
 *
 * - `limit`      429: refused before running; wait `retryAfterMs` and send again.
 * - `blocked`    403 (an IP / account ban: nginx HTML, repeated violations) or 402 (the account's
 *                subscription ended): stop sending to the account at all and alert.
 * - `auth`       401 on the API: the access token expired or was revoked; refresh once, send again.
 * - `revoked`    the OAuth endpoint refused our refresh token, or there are no tokens (uninstalled):
 *                an administrator must reconnect; retrying cannot help.
 * - `transient`  5xx, timeouts, refused connections, HTML instead of JSON: retry later. For a
 *                write, `maybeApplied` says the account may have done it before the answer was lost.
 * - `final`      400 / 404 / 422 and the like: the request itself is wrong.
 */
export type AmoErrorKind = 'limit' | 'blocked' | 'auth' | 'revoked' | 'transient' | 'final';

export interface ValidationIssue {
  /** The item's `request_id` in a batch. */
  requestId: string;
  code: string;
  path: string;
  detail: string;
}

export class AmoError extends Error {
  constructor(
    readonly kind: AmoErrorKind,
    /** Ours (`NO_TOKENS`, `TIMEOUT`, …) or the answer's title. */
    readonly code: string,
    readonly detail: string,
    /** HTTP status, or 0 when no answer arrived. */
    readonly status: number,
    readonly o: { retryAfterMs?: number; maybeApplied?: boolean; issues?: ValidationIssue[]; requestId?: string | null } = {},
  ) {
    super(`amoCRM ${code}${status ? ` HTTP ${status}` : ''}: ${detail}`);
    this.name = 'AmoError';
  }

  get retryAfterMs(): number | undefined {
    return this.o.retryAfterMs;
  }
  get maybeApplied(): boolean {
    return this.o.maybeApplied ?? false;
  }
  get issues(): ValidationIssue[] {
    return this.o.issues ?? [];
  }
}

export const isAmoError = (e: unknown): e is AmoError => e instanceof AmoError;
