import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { calleeOf, transferTargetOf, type EmulatedCallee, type TransferTargetBehaviour } from '../voiceShared/callees.js';
import { EmulatedTwilioCall, type CallRecord } from './call.js';
import { telnyxKeys, type TelnyxKeys } from './signing.js';

/**
 * Twilio / SignalWire / Telnyx emulator (one server, one profile each): the REST resources Dozvon
 * uses, calls that ring, answer and talk like the callees of the sandbox's magic numbers, signed
 * webhooks in the provider's order, strict TwiML execution, answering-machine detection in both
 * modes, transfers, and dual-channel recordings behind the provider's authentication. See README.md.
 */
export type Profile = 'twilio' | 'signalwire' | 'telnyx';

export interface TwilioEmulatorOptions {
  profile: Profile;
  /** Real ms per simulated ms (0.01: a 40 s call lasts 0.4 s). */
  timeScale?: number;
  /** Calls per second the account may start; faster requests are queued (never rejected). */
  cps?: number;
  /** Recordings need the account's credentials (Twilio's "Enforce HTTP Auth on Media URLs"). */
  enforceMediaAuth?: boolean;
  /** Recordings carry synthesised speech (default) or silence of the call's length (cheap: for benches). */
  speechInRecordings?: boolean;
}

export interface Faults {
  /** The next N creates get no answer at all: the connection is dropped (the platform is down). */
  resetCreates?: number;
  /** The next N creates answer with this status and nothing is created (429 carries code 20429). */
  refuseCreates?: { count: number; status: number };
  /** The next N creates do create the call, then answer 500 as if the response was lost. */
  dropCreateResponses?: number;
  /** Status callbacks of each call are delivered twice, the terminal one before the others. */
  shuffleStatusCallbacks?: boolean;
}

export interface WebhookRecord {
  callSid: string;
  url: string;
  status: number;
  /** How long Dozvon took to answer, ms. */
  ms: number;
  /** When it was sent (epoch ms). */
  sentAt: number;
  kind: string;
  /** Exactly what was sent (to replay it). */
  headers: Record<string, string>;
  body: string;
}

export interface TwilioEmulator {
  url: string;
  profile: Profile;
  /** Settings Dozvon needs to use this emulator as its platform. */
  env: Record<string, string>;
  calls: CallRecord[];
  webhooks: WebhookRecord[];
  faults: Faults;
  /** REST requests seen (method + path), for asserting what Dozvon sent. */
  restLog: { method: string; path: string; body: Record<string, unknown>; status: number }[];
  /** Scripts a callee (answers by keys, other replies) for one number. */
  callee(number: string, c: Partial<EmulatedCallee>): void;
  transferTarget(number: string, b: TransferTargetBehaviour): void;
  waitForCalls(n: number, timeoutMs?: number): Promise<CallRecord[]>;
  /** Resolves when every call has ended and its callbacks are delivered. */
  idle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const hex = (n: number) => crypto.randomBytes(n).toString('hex');

export async function startTwilioEmulator(o: TwilioEmulatorOptions): Promise<TwilioEmulator> {
  const scale = o.timeScale ?? 0.01;
  const profile = o.profile;
  const account = {
    sid: profile === 'twilio' ? `AC${hex(16)}` : profile === 'signalwire' ? crypto.randomUUID() : hex(8),
    token: hex(16),
    signingKey: `PSK_${hex(12)}`,
    appId: String(Math.floor(Math.random() * 1e15)),
    telnyx: telnyxKeys() as TelnyxKeys,
    from: '+15005550006',
  };
  const callees = new Map<string, Partial<EmulatedCallee>>();
  const targets = new Map<string, TransferTargetBehaviour>();
  const live = new Map<string, EmulatedTwilioCall>();
  const records: CallRecord[] = [];
  const webhooks: WebhookRecord[] = [];
  const restLog: TwilioEmulator['restLog'] = [];
  const faults: Faults = {};
  const recordings = new Map<string, { bytes: Buffer; token: string; deleted: boolean }>();
  let nextStart = 0;
  let base = '';

  const digits = (n: string) => n.replace(/\D/g, '');
  const basicOk = (h: string | undefined) => h === `Basic ${Buffer.from(`${account.sid}:${account.token}`).toString('base64')}`;
  const authOk = (req: http.IncomingMessage) => (profile === 'telnyx' ? req.headers.authorization === `Bearer ${account.token}` : basicOk(req.headers.authorization));
  const accountPath = profile === 'twilio' ? `/2010-04-01/Accounts/${account.sid}` : profile === 'signalwire' ? `/api/laml/2010-04-01/Accounts/${account.sid}` : `/v2/texml/Accounts/${account.sid}`;

  const send = (res: http.ServerResponse, status: number, body: unknown, type = 'application/json') => {
    res.writeHead(status, { 'content-type': type });
    res.end(typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body));
  };
  const error = (res: http.ServerResponse, status: number, code: number, message: string) =>
    profile === 'telnyx'
      ? send(res, status, { errors: [{ code: String(code), title: message, detail: message }] })
      : send(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

  async function readBody(req: http.IncomingMessage): Promise<{ raw: string; fields: Record<string, string | string[]> }> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    if ((req.headers['content-type'] ?? '').includes('json')) {
      const json = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      return { raw, fields: Object.fromEntries(Object.entries(json).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])) };
    }
    const fields: Record<string, string | string[]> = {};
    for (const [k, v] of new URLSearchParams(raw)) {
      const prev = fields[k];
      fields[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    return { raw, fields };
  }

  const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
  const absoluteUrl = (u: string | undefined) => {
    if (!u) return false;
    try {
      const p = new URL(u);
      return p.protocol === 'http:' || p.protocol === 'https:';
    } catch {
      return false;
    }
  };

  async function createCall(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const { fields } = await readBody(req);
    const to = one(fields.To);
    const from = one(fields.From);
    if (!to || !from) return error(res, 400, 21201, 'No \'To\' or \'From\' number is specified');
    if (!absoluteUrl(one(fields.Url))) return error(res, 400, 21205, 'Url is not a valid URL');
    const statusCb = one(fields.StatusCallback);
    if (statusCb && new URL(statusCb).hostname.includes('_')) return error(res, 400, 21609, 'StatusCallback hostname contains an underscore');
    const events = fields.StatusCallbackEvent;
    // Lists are repeated keys on Twilio and SignalWire (a comma list is one unknown event); Telnyx takes a space-separated string.
    const eventList = profile === 'telnyx' ? (one(events) ?? '').split(' ').filter(Boolean) : Array.isArray(events) ? events : events ? [events] : [];
    if (eventList.some((e) => !['initiated', 'ringing', 'answered', 'completed'].includes(e))) return error(res, 400, 21626, `invalid StatusCallbackEvent ${eventList.join('|')}`);
    if (profile === 'telnyx' && one(fields.ApplicationSid) !== undefined && one(fields.ApplicationSid) !== account.appId) return error(res, 422, 10015, 'unknown ApplicationSid');
    if ((faults.resetCreates ?? 0) > 0) {
      faults.resetCreates!--;
      req.socket.destroy();
      return;
    }
    const refuse = faults.refuseCreates;
    if (refuse && refuse.count > 0) {
      refuse.count--;
      return error(res, refuse.status, refuse.status === 429 ? 20429 : 20500, refuse.status === 429 ? 'Too Many Requests' : 'Internal Server Error');
    }
    if (digits(to).endsWith('0009')) return error(res, 503, 20503, 'Service Unavailable');
    const sid = profile === 'twilio' ? `CA${hex(16)}` : profile === 'signalwire' ? crypto.randomUUID() : `v3:${hex(16)}`;
    // The account's CPS: a call over the rate is queued, not refused (queue_time shows the wait).
    const now = Date.now();
    const startAt = Math.max(now, nextStart);
    nextStart = startAt + 1000 / (o.cps ?? 1000);
    const call = new EmulatedTwilioCall({
      sid,
      profile,
      fields,
      eventList,
      callee: calleeOf(to, callees),
      transferTarget: (n) => targets.get(digits(n)) ?? transferTargetOf(n),
      scale,
      startDelayMs: startAt - now,
      account: { sid: account.sid, key: profile === 'signalwire' ? account.signingKey : account.token, telnyx: account.telnyx },
      shuffle: Boolean(faults.shuffleStatusCallbacks),
      speechInRecordings: o.speechInRecordings ?? true,
      onWebhook: (w) => webhooks.push(w),
      saveRecording: (bytes) => {
        const id = profile === 'telnyx' ? crypto.randomUUID() : `RE${hex(16)}`;
        const token = hex(12);
        recordings.set(id, { bytes, token, deleted: false });
        return profile === 'telnyx' ? { id, url: `${base}/v2/texml/recordings/${id}.wav?token=${token}` } : { id, url: `${base}${accountPath}/Recordings/${id}` };
      },
    });
    live.set(sid, call);
    records.push(call.record);
    call.done.finally(() => live.delete(sid)).catch(() => undefined);
    const dropped = (faults.dropCreateResponses ?? 0) > 0;
    if (dropped) {
      faults.dropCreateResponses!--;
      return error(res, 500, 20500, 'Internal Server Error');
    }
    const body =
      profile === 'telnyx'
        ? { call_sid: sid, account_sid: account.sid, from, to, status: 'queued' }
        : {
            sid,
            account_sid: account.sid,
            to,
            from,
            status: 'queued',
            direction: 'outbound-api',
            answered_by: null,
            queue_time: String(startAt - now),
            price: null,
            price_unit: 'USD',
            date_created: new Date().toUTCString(),
            uri: `${accountPath}/Calls/${sid}.json`,
          };
    send(res, profile === 'telnyx' ? 200 : 201, body);
  }

  async function updateCall(req: http.IncomingMessage, res: http.ServerResponse, sid: string): Promise<void> {
    const { fields } = await readBody(req);
    const call = live.get(sid);
    const known = records.find((r) => r.sid === sid);
    if (!known) return error(res, 404, 20404, 'The requested resource was not found');
    const status = one(fields.Status);
    if (call && status) {
      const r = call.requestEnd(status);
      if (r !== 'ok') return error(res, 400, 21220, r);
    }
    send(res, 200, { sid, status: known.status });
  }

  function serveRecording(req: http.IncomingMessage, res: http.ServerResponse, id: string, ext: string, query: URLSearchParams): void {
    const rec = recordings.get(id);
    if (req.method === 'DELETE') {
      if (!authOk(req)) return error(res, 401, 20003, 'Authenticate');
      if (!rec || rec.deleted) return error(res, 404, 20404, 'not found');
      rec.deleted = true;
      res.writeHead(204).end();
      return;
    }
    if (profile === 'telnyx') {
      if (!rec || rec.deleted || query.get('token') !== rec.token) return error(res, 403, 403, 'Forbidden');
    } else {
      if (o.enforceMediaAuth !== false && !authOk(req)) return error(res, 401, 20003, 'Authenticate');
      if (!rec || rec.deleted) return error(res, 404, 20404, 'The requested resource was not found');
    }
    if (ext === 'json') return send(res, 200, { sid: id, channels: 2, status: 'completed' });
    if (ext !== 'wav') return error(res, 415, 415, 'only the WAV rendition is emulated');
    res.writeHead(200, { 'content-type': 'audio/x-wav', 'content-length': rec.bytes.length });
    res.end(rec.bytes);
  }

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const path = url.pathname;
      const logged = { method: req.method ?? '', path, body: {} as Record<string, unknown>, status: 0 };
      restLog.push(logged);
      const wrapEnd = res.end.bind(res);
      res.end = ((...args: Parameters<typeof res.end>) => {
        logged.status = res.statusCode;
        return wrapEnd(...args);
      }) as typeof res.end;
      const recMatch = /\/Recordings\/([^/.]+)\.(wav|mp3|json)$/.exec(path) ?? /^\/v2\/texml\/recordings\/([^/.]+)\.(wav)$/.exec(path);
      if (recMatch && (req.method === 'GET' || req.method === 'DELETE')) return serveRecording(req, res, recMatch[1]!, recMatch[2]!, url.searchParams);
      if (!authOk(req)) return error(res, 401, 20003, 'Authenticate');
      if (req.method === 'GET' && profile !== 'telnyx' && path === `${accountPath}.json`) return send(res, 200, { sid: account.sid, friendly_name: 'Dozvon test account', status: 'active', type: 'Full' });
      if (req.method === 'GET' && profile === 'telnyx' && path === `/v2/texml_applications/${account.appId}`) return send(res, 200, { data: { id: account.appId, friendly_name: 'Dozvon', active: true } });
      if (req.method !== 'POST') return error(res, 405, 20004, 'Method not allowed');
      if (profile === 'telnyx' && path === `/v2/texml/calls/${account.appId}`) return createCall(req, res);
      if (profile !== 'telnyx' && path === `${accountPath}/Calls.json`) return createCall(req, res);
      const upd = profile === 'telnyx' ? new RegExp(`^${accountPath}/Calls/([^/]+)$`).exec(path) : new RegExp(`^${accountPath}/Calls/([^/]+)\\.json$`).exec(path);
      if (upd) return updateCall(req, res, decodeURIComponent(upd[1]!));
      return error(res, 404, 20404, 'The requested resource was not found');
    })().catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, { message: (e as Error).message });
    });
  });
  server.on('clientError', (_e, socket) => socket.destroy());
  // Like the providers' front ends, keep idle connections longer than clients do (a client reusing a
  // connection the server just closed fails its request: UND_ERR_SOCKET).
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const env: Record<string, string> =
    profile === 'twilio'
      ? { TWILIO_ACCOUNT_SID: account.sid, TWILIO_AUTH_TOKEN: account.token, TWILIO_FROM: account.from, TWILIO_API_URL: base }
      : profile === 'signalwire'
        ? { SIGNALWIRE_SPACE_URL: base, SIGNALWIRE_PROJECT_ID: account.sid, SIGNALWIRE_TOKEN: account.token, SIGNALWIRE_SIGNING_KEY: account.signingKey, SIGNALWIRE_FROM: account.from }
        : { TELNYX_API_KEY: account.token, TELNYX_PUBLIC_KEY: account.telnyx.publicKeyBase64, TELNYX_TEXML_APP_ID: account.appId, TELNYX_FROM: account.from, TELNYX_API_URL: base };
  // The emulated account's calls per second, as its owner would configure Dozvon for it.
  env[`${profile.toUpperCase()}_CPS`] = String(o.cps ?? 1000);

  return {
    url: base,
    profile,
    env,
    calls: records,
    webhooks,
    faults,
    restLog,
    callee: (n, c) => void callees.set(digits(n), c),
    transferTarget: (n, b) => void targets.set(digits(n), b),
    async waitForCalls(n, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (records.filter((r) => r.ended).length < n) {
        if (Date.now() > deadline) throw new Error(`only ${records.filter((r) => r.ended).length} of ${n} calls ended`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return records;
    },
    async idle(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (live.size > 0) {
        if (Date.now() > deadline) throw new Error(`${live.size} call(s) still live`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      for (const c of live.values()) c.requestEnd('completed');
      await Promise.all([...live.values()].map((c) => c.done.catch(() => undefined)));
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}
