import jwt from 'jsonwebtoken';
import { OutboundError, type OutboundHttp } from '../../net/outboundHttp.js';
import { VoicePlatformError } from '../port.js';
import type { VoximplantConfig } from '../voiceConfig.js';

/**
 * A thin client for Voximplant's Management API (`POST <api>/platform_api` with `cmd=<Method>`,
 * form-encoded, JSON answers). Why not `@voximplant/apiclient-nodejs`: every request must go
 * through src/net/outboundHttp.ts (address checks, deadlines, size caps) while that client brings
 * its own axios; it reads the key file asynchronously behind an onReady callback and hands back
 * error bodies as results. Authentication is the service account's JWT, as its docs and all four
 * official clients do it: RS256 with the key's `kid`, `iss` = account id, a short lifetime and
 * `iat` backdated a few seconds against clock skew.
 *
 * Errors arrive as HTTP 200 with `{error:{code,msg}}`; 429 means too many concurrent requests.
 */
export type ApiParams = Record<string, string | number | boolean | undefined>;

/** Codes that will not get better by retrying soon (configuration: key, role, rule, balance). */
const CONFIGURATION_CODES = new Set([100, 104, 116, 127, 147, 185]);
/** Codes worth retrying: fatal/internal/DB, media servers, call service, "try later". */
const TRANSIENT_CODES = new Set([1, 2, 4, 15, 16, 21, 162, 251, 252]);

export class VoximplantApiError extends VoicePlatformError {
  constructor(
    readonly code: number,
    message: string,
    technical: boolean,
    /** The request may have been carried out (a timeout or 5xx on StartScenarios). */
    readonly ambiguous = false,
  ) {
    super(`Voximplant ${code}: ${message}`, technical);
    this.name = 'VoximplantApiError';
  }
}

export function voxAuthorization(c: Pick<VoximplantConfig, 'accountId' | 'keyId' | 'privateKey'>, nowSec = Math.floor(Date.now() / 1000)): string {
  const token = jwt.sign({ iss: c.accountId, iat: nowSec - 5, exp: nowSec + 60 }, c.privateKey, { algorithm: 'RS256', keyid: c.keyId });
  return `Bearer ${token}`;
}

export class VoximplantApi {
  constructor(
    private readonly c: VoximplantConfig,
    private readonly http: OutboundHttp,
  ) {}

  authorization(): string {
    return voxAuthorization(this.c);
  }

  async call<T extends Record<string, unknown>>(cmd: string, params: ApiParams = {}, o: { timeoutMs?: number } = {}): Promise<T> {
    const form = new URLSearchParams({ cmd });
    for (const [k, v] of Object.entries(params)) if (v !== undefined) form.set(k, typeof v === 'boolean' ? String(v) : String(v));
    let res;
    try {
      res = await this.http.fetch(`${this.c.apiUrl}/platform_api`, {
        method: 'POST',
        headers: { authorization: this.authorization(), 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        timeoutMs: o.timeoutMs ?? 15_000,
        maxResponseBytes: 5 * 1024 * 1024,
      });
    } catch (e) {
      const ambiguous = e instanceof OutboundError && e.reason === 'timeout';
      const technical = !(e instanceof OutboundError) || e.transient;
      throw Object.assign(new VoximplantApiError(0, `API unreachable: ${(e as Error).message}`, technical, ambiguous), { cause: e });
    }
    const text = await res.text().catch(() => '');
    if (res.status === 429) throw new VoximplantApiError(429, 'too many concurrent requests', true);
    if (res.status >= 500) throw new VoximplantApiError(res.status, `HTTP ${res.status}`, true, true);
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new VoximplantApiError(res.status, `HTTP ${res.status}: not JSON`, res.status >= 500, res.status >= 500);
    }
    const err = (json.error ?? (Array.isArray(json.errors) ? json.errors[0] : undefined)) as { code?: number; msg?: string } | undefined;
    if (err) {
      const code = Number(err.code ?? 0);
      throw new VoximplantApiError(code, String(err.msg ?? 'error'), TRANSIENT_CODES.has(code) || CONFIGURATION_CODES.has(code));
    }
    if (!res.ok) throw new VoximplantApiError(res.status, `HTTP ${res.status}`, false);
    return json as T;
  }
}
