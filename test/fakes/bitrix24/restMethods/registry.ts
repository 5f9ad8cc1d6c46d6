import type { RestTime } from '../envelope.js';
import type { Params } from '../params.js';
import type { AuthContext, PortalCore } from '../portalCore.js';
import { RestError, errors } from '../restError.js';

/** Everything a REST method handler may use. */
export interface CallContext {
  readonly portal: PortalCore;
  readonly auth: AuthContext;
  readonly params: Params;
  /** Lower-cased method name. */
  readonly method: string;
  readonly now: number;
  /** Rows examined by list queries (feeds cost and `RestCallRecord.scannedRows`). */
  scanned: number;
  /** Extra simulated seconds (e.g. a download), added to the method's base cost. */
  extraCost: number;
  /** True inside `batch` (nested batch is refused). */
  readonly inBatch: boolean;
  /** Sub-call runner, set for the `batch` method only. */
  runSubCall: SubCallRunner | null;
}

export interface MethodOutput {
  result: unknown;
  total?: number;
  next?: number;
}

export interface MethodDef {
  /** The call is allowed when the credential has any of these scopes; empty = basic (always). */
  scopes: readonly string[];
  run(ctx: CallContext): MethodOutput | Promise<MethodOutput>;
}

export type MethodTable = Record<string, MethodDef>;

export function ok(result: unknown): MethodOutput {
  return { result };
}

/** Methods that exist only for OAuth applications (brief §8). */
export function requireAppContext(ctx: CallContext, error: () => RestError = errors.wrongAuthType): void {
  if (!ctx.auth.appContext) throw error();
}

export function requireAdmin(ctx: CallContext, text = 'Access denied!'): void {
  if (!ctx.auth.user.admin) throw errors.accessDenied(text);
}

/** Result of running one method (top-level or inside a batch). */
export interface CallOutcome {
  status: number;
  output: MethodOutput | null;
  error: RestError | null;
  time: RestTime;
}

/** Runs a batch sub-call with the batch's credentials. */
export type SubCallRunner = (methodAsSent: string, params: Params, batchKey: string) => Promise<CallOutcome>;
