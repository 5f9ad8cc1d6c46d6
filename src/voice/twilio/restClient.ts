import type { OutboundHttp } from '../../net/outboundHttp.js';
import { OutboundError } from '../../net/outboundHttp.js';
import { VoicePlatformError } from '../port.js';
import type { TwilioFamilyConfig } from '../voiceConfig.js';
import type { TwilioProfile } from './profiles.js';

/**
 * A thin REST client for the three TwiML providers: create a call, change a live call, fetch and
 * delete a recording. Why not the official `twilio` client for this: every request Dozvon sends
 * must go through src/net/outboundHttp.ts (connect-time address checks, deadlines, size caps), and
 * the SDK brings its own HTTP stack; the four requests we need are a few lines each. The SDK is
 * still what checks webhook signatures and writes TwiML.
 *
 * Errors: 429 / code 20429 (too many concurrent requests: the request was not processed) is retried
 * here with full-jitter backoff like the SDK's autoRetry; 5xx, timeouts and network failures are
 * technical (the dispatcher retries with J2's backoff); other 4xx are the request's own fault.
 */
export type Params = Record<string, string | number | boolean | string[] | undefined>;

/** True when a failed request may still have been carried out (a timeout, a 5xx). */
export const isAmbiguous = (e: unknown): boolean => Boolean((e as { ambiguous?: boolean } | undefined)?.ambiguous);

export interface RestError {
  status: number;
  code: number | undefined;
  message: string;
}

const RETRIES_429 = 3;

export class TwilioRest {
  constructor(
    private readonly c: TwilioFamilyConfig,
    private readonly profile: TwilioProfile,
    private readonly http: OutboundHttp,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** The account (Twilio, SignalWire) or the TeXML application (Telnyx): proves the credentials work. */
  async account(): Promise<Record<string, unknown>> {
    const url = this.profile.name === 'telnyx' ? `${this.c.apiUrl}/v2/texml_applications/${encodeURIComponent(this.c.accountId)}` : `${this.profile.accountBase(this.c)}.json`;
    return this.send('GET', url, {}, 'form');
  }

  async createCall(params: Params): Promise<Record<string, unknown>> {
    return this.send('POST', this.profile.createUrl(this.c), params, this.profile.encoding);
  }

  /** Changes a live call (`Status=completed` hangs up, `canceled` stops one still ringing). */
  async updateCall(callSid: string, params: Params, accountSid?: string): Promise<Record<string, unknown>> {
    const suffix = this.profile.name === 'telnyx' ? '' : '.json';
    return this.send('POST', `${this.profile.accountBase(this.c, accountSid)}/Calls/${encodeURIComponent(callSid)}${suffix}`, params, this.profile.encoding);
  }

  /** Downloads a recording; credentials only ever go to the provider's own API origin. */
  async download(url: string, maxBytes: number): Promise<{ bytes: Buffer; contentType: string }> {
    const headers: Record<string, string> = {};
    if (this.profile.recordingAuth === 'basic_same_origin') {
      if (new URL(url).origin !== new URL(this.c.apiUrl).origin) throw new VoicePlatformError(`recording link outside ${new URL(this.c.apiUrl).origin}: refused`, false);
      headers.authorization = this.profile.authorization(this.c);
    }
    const res = await this.http.fetch(url, { headers, timeoutMs: 120_000, maxResponseBytes: maxBytes });
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined); // the status says it all
      throw new VoicePlatformError(`recording download: HTTP ${res.status}`, true);
    }
    return { bytes: Buffer.from(await res.arrayBuffer()), contentType: (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase() };
  }

  async deleteRecording(recordingJsonUrl: string): Promise<void> {
    if (new URL(recordingJsonUrl).origin !== new URL(this.c.apiUrl).origin) return;
    const res = await this.http.fetch(recordingJsonUrl, { method: 'DELETE', headers: { authorization: this.profile.authorization(this.c) }, timeoutMs: 15_000 });
    await res.body?.cancel().catch(() => undefined); // no body is expected (204)
    if (!res.ok && res.status !== 404) throw new VoicePlatformError(`recording delete: HTTP ${res.status}`, true);
  }

  private async send(method: string, url: string, params: Params, encoding: 'form' | 'json'): Promise<Record<string, unknown>> {
    const headers: Record<string, string> = { authorization: this.profile.authorization(this.c), accept: 'application/json' };
    let body: string | undefined;
    if (method === 'GET') {
      body = undefined;
    } else if (encoding === 'json') {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)));
    } else {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      const form = new URLSearchParams();
      // Lists are repeated keys (StatusCallbackEvent=ringing&StatusCallbackEvent=answered), not commas.
      for (const [k, v] of Object.entries(params)) {
        if (v === undefined) continue;
        for (const item of Array.isArray(v) ? v : [v]) form.append(k, String(item));
      }
      body = form.toString();
    }
    for (let attempt = 0; ; attempt++) {
      let res;
      try {
        res = await this.http.fetch(url, { method, headers, body, timeoutMs: 15_000, maxResponseBytes: 1024 * 1024 });
      } catch (e) {
        if (e instanceof OutboundError && !e.transient) throw new VoicePlatformError(`${this.profile.name} API unreachable: ${e.message}`, false, { cause: e });
        // A timeout may have reached the provider (the call may exist); a refused connection did not.
        const ambiguous = e instanceof OutboundError && e.reason === 'timeout';
        throw Object.assign(new VoicePlatformError(`${this.profile.name} API unreachable: ${(e as Error).message}`, true, { cause: e }), { ambiguous });
      }
      const text = await res.text().catch(() => '');
      let json: Record<string, unknown>;
      try {
        json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        json = {}; // an HTML error page from a proxy: the status says enough
      }
      if (res.ok) return json;
      const err = restErrorOf(res.status, json, text);
      if ((res.status === 429 || err.code === 20429) && attempt < RETRIES_429) {
        await this.sleep(Math.random() * Math.min(3000, 100 * 2 ** (attempt + 1)));
        continue;
      }
      const technical = res.status === 429 || err.code === 20429 || res.status >= 500 || res.status === 401 || res.status === 403;
      // A 5xx answer does not say whether the call was created before the failure.
      throw Object.assign(new VoicePlatformError(`${this.profile.name} API: HTTP ${res.status}${err.code ? ` (${err.code})` : ''} ${err.message}`.trim(), technical), { rest: err, ambiguous: res.status >= 500 });
    }
  }
}

/** Twilio's `{code, message, more_info, status}`; Telnyx's `{errors:[{code, title, detail}]}`. */
function restErrorOf(status: number, json: Record<string, unknown>, text: string): RestError {
  const errors = Array.isArray(json.errors) ? (json.errors as Record<string, unknown>[]) : [];
  const first = errors[0];
  const code = typeof json.code === 'number' ? json.code : first && !Number.isNaN(Number(first.code)) ? Number(first.code) : undefined;
  const message = typeof json.message === 'string' ? json.message : first ? String(first.detail ?? first.title ?? '') : text.slice(0, 200);
  return { status, code, message };
}
