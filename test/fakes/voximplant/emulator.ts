import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Busboy from 'busboy';
import jwt from 'jsonwebtoken';
import type { EmulatedCallee } from '../voiceShared/callees.js';
import { VoxSession, type SessionRecord } from './voxSession.js';

/**
 * Voximplant emulator: the Management API (`/platform_api` with `cmd`, or `/platform_api/<Method>`;
 * urlencoded, multipart or query; service-account JWT checked like the platform: RS256, `kid`,
 * `iss`, lifetime; errors as HTTP 200 `{error:{code,msg}}`; 429 past the concurrency limit), the
 * applications / scenarios / rules the setup command manages, StartScenarios running the uploaded
 * scenario in a VoxEngine shim (voxSession.ts), session control URLs, and secure FLAC recordings
 * with Range. See README.md.
 */
export interface VoxEmulatorOptions {
  timeScale?: number;
  /** Concurrent StartScenarios requests before 429 (the platform's is 200). */
  maxConcurrentStarts?: number;
}

export interface VoxFaults {
  /** The next N StartScenarios answer with this (HTTP status, or an API error code with HTTP 200). */
  /** The next N StartScenarios get no answer at all: the connection is dropped (the platform is down). */
  resetStarts?: number;
  refuseStarts?: { count: number; httpStatus?: number; code?: number };
  /** The next N StartScenarios start the session, then answer 500 (the answer was lost). */
  dropStartResponses?: number;
  /** Sessions whose custom data exceeds 200 bytes fail (on by default). */
}

export interface VoxEmulatorState {
  scale: number;
  base: string;
  callees: Map<string, Partial<EmulatedCallee>>;
  recordings: Map<string, { bytes: Buffer; secure: boolean }>;
  secureRecords(): boolean;
}

interface App {
  application_id: number;
  application_name: string;
  secure_record_storage: boolean;
}
interface Scenario {
  scenario_id: number;
  scenario_name: string;
  scenario_script: string;
  application_id: number;
}
interface Rule {
  rule_id: number;
  rule_name: string;
  rule_pattern: string;
  application_id: number;
  scenarios: number[];
}

export interface VoximplantEmulator {
  url: string;
  env: Record<string, string>;
  account: { id: number; keyId: string; privateKey: string; publicKey: string };
  apps: App[];
  scenarios: Scenario[];
  rules: Rule[];
  sessions: SessionRecord[];
  faults: VoxFaults;
  /** Management API requests (method name, outcome). */
  apiLog: { cmd: string; ok: boolean; code?: number }[];
  callee(number: string, c: Partial<EmulatedCallee>): void;
  idle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startVoximplantEmulator(o: VoxEmulatorOptions = {}): Promise<VoximplantEmulator> {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const account = { id: 100000 + Math.floor(Math.random() * 800000), keyId: crypto.randomUUID(), privateKey, publicKey };
  const apps: App[] = [];
  const scenarios: Scenario[] = [];
  const rules: Rule[] = [];
  const sessions: SessionRecord[] = [];
  const live = new Map<number, VoxSession>();
  const apiLog: VoximplantEmulator['apiLog'] = [];
  const faults: VoxFaults = {};
  let ids = 1000;
  let startsInFlight = 0;
  const state: VoxEmulatorState = {
    scale: o.timeScale ?? 0.01,
    base: '',
    callees: new Map(),
    recordings: new Map(),
    secureRecords: () => apps.some((a) => a.secure_record_storage),
  };

  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const apiError = (res: http.ServerResponse, code: number, msg: string) => send(res, 200, { error: { code, msg }, errors: [{ code, msg }] });

  /** The service-account JWT, checked the way the platform does. */
  function authorized(h: string | undefined): boolean {
    if (!h?.startsWith('Bearer ')) return false;
    try {
      const decoded = jwt.verify(h.slice(7), account.publicKey, { algorithms: ['RS256'], complete: true, clockTolerance: 5 });
      const p = decoded.payload as { iss?: unknown; iat?: number; exp?: number };
      if (decoded.header.kid !== account.keyId || p.iss !== account.id) return false;
      if (typeof p.iat !== 'number' || typeof p.exp !== 'number' || p.exp - p.iat > 3600 || p.iat > Date.now() / 1000 + 5) return false;
      return true;
    } catch {
      return false;
    }
  }

  async function fields(req: http.IncomingMessage, url: URL): Promise<Record<string, string>> {
    const out: Record<string, string> = Object.fromEntries(url.searchParams);
    const type = req.headers['content-type'] ?? '';
    if (type.startsWith('multipart/form-data')) {
      await new Promise<void>((resolve, reject) => {
        const bb = Busboy({ headers: req.headers });
        bb.on('field', (k: string, v: string) => (out[k] = v));
        bb.on('close', () => resolve());
        bb.on('error', reject);
        req.pipe(bb);
      });
      return out;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    for (const [k, v] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) out[k] = v;
    return out;
  }

  const appOf = (f: Record<string, string>) =>
    apps.find((a) => (f.application_id && a.application_id === Number(f.application_id)) || (f.application_name && (a.application_name === f.application_name || a.application_name.startsWith(`${f.application_name}.`))));

  async function startScenarios(f: Record<string, string>, res: http.ServerResponse): Promise<void> {
    const rule = rules.find((r) => r.rule_id === Number(f.rule_id));
    if (!f.rule_id) return apiError(res, 134, 'Required parameter rule_id is empty');
    if (!rule) return apiError(res, 147, 'Invalid rule_id');
    if ((faults.resetStarts ?? 0) > 0) {
      faults.resetStarts!--;
      res.socket?.destroy();
      return;
    }
    const refuse = faults.refuseStarts;
    if (refuse && refuse.count > 0) {
      refuse.count--;
      if (refuse.httpStatus) return send(res, refuse.httpStatus, { error: { code: refuse.httpStatus, msg: 'refused' } });
      return apiError(res, refuse.code ?? 162, 'Try later');
    }
    const scenario = scenarios.find((s) => s.scenario_id === rule.scenarios[0]);
    if (!scenario) return apiError(res, 132, 'no scenario bound to the rule');
    const sessionId = ++ids * 1000 + Math.floor(Math.random() * 1000);
    const token = crypto.randomBytes(12).toString('hex');
    const session = new VoxSession(state, sessionId, scenario.scenario_script, f.script_custom_data ?? '', token);
    sessions.push(session.record);
    live.set(sessionId, session);
    void session.done.then(() => live.delete(sessionId));
    try {
      session.start();
    } catch (e) {
      session.record.errors.push(`scenario failed to load: ${(e as Error).message}`);
    }
    if ((faults.dropStartResponses ?? 0) > 0) {
      faults.dropStartResponses!--;
      return send(res, 500, { error: { code: 2, msg: 'Internal error' } });
    }
    const access = `${state.base}/request/${sessionId}/${token}`;
    send(res, 200, { result: 1, media_session_access_url: access, media_session_access_secure_url: access, call_session_history_id: sessionId });
  }

  async function api(cmd: string, f: Record<string, string>, res: http.ServerResponse): Promise<void> {
    const ok = (body: Record<string, unknown>) => {
      apiLog.push({ cmd, ok: true });
      send(res, 200, body);
    };
    switch (cmd) {
      case 'GetApplications': {
        const list = apps.filter((a) => (!f.application_id || a.application_id === Number(f.application_id)) && (!f.application_name || a.application_name.includes(f.application_name)));
        return ok({ result: list.map((a) => ({ ...a, modified: '2026-01-01 00:00:00' })), total_count: list.length, count: list.length });
      }
      case 'AddApplication': {
        if (!/^[a-z][a-z0-9-]{1,64}$/.test(f.application_name ?? '')) return apiError(res, 107, 'Invalid application name');
        const full = `${f.application_name}.${account.id}.voximplant.com`;
        if (apps.some((a) => a.application_name === full)) return apiError(res, 129, 'Application name is not unique');
        const a = { application_id: ++ids, application_name: full, secure_record_storage: f.secure_record_storage === 'true' };
        apps.push(a);
        return ok({ result: 1, application_id: a.application_id, application_name: full, secure_record_storage: a.secure_record_storage });
      }
      case 'SetApplicationInfo': {
        const a = appOf(f);
        if (!a) return apiError(res, 116, 'Invalid application id');
        if (f.secure_record_storage !== undefined) a.secure_record_storage = f.secure_record_storage === 'true';
        return ok({ result: 1, application_name: a.application_name, secure_record_storage: a.secure_record_storage });
      }
      case 'GetScenarios': {
        let list = scenarios.filter((s) => (!f.scenario_id || s.scenario_id === Number(f.scenario_id)) && (!f.scenario_name || s.scenario_name.toLowerCase().includes(f.scenario_name.toLowerCase())));
        const a = f.application_id || f.application_name ? appOf(f) : undefined;
        if (a) list = list.filter((s) => s.application_id === a.application_id);
        if (f.with_script === 'true' && !f.scenario_id) return apiError(res, 101, 'with_script needs scenario_id');
        return ok({ result: list.map((s) => ({ scenario_id: s.scenario_id, scenario_name: s.scenario_name, modified: '2026-01-01 00:00:00', ...(f.with_script === 'true' ? { scenario_script: s.scenario_script } : {}) })), total_count: list.length, count: list.length });
      }
      case 'AddScenario': {
        if (!f.scenario_name || f.scenario_name.length >= 30) return apiError(res, 101, 'scenario_name must be 1–29 characters');
        if (Buffer.byteLength(f.scenario_script ?? '') >= 128 * 1024) return apiError(res, 130, 'The script text is too long');
        const a = appOf(f);
        if (scenarios.some((s) => s.scenario_name === f.scenario_name && s.application_id === a?.application_id)) return apiError(res, 133, 'Scenario name is not unique');
        const s = { scenario_id: ++ids, scenario_name: f.scenario_name, scenario_script: f.scenario_script ?? '', application_id: a?.application_id ?? 0 };
        scenarios.push(s);
        return ok({ result: 1, scenario_id: s.scenario_id });
      }
      case 'SetScenarioInfo': {
        const s = scenarios.find((x) => x.scenario_id === Number(f.scenario_id));
        if (!s) return apiError(res, 132, 'Invalid scenario_id');
        if (Buffer.byteLength(f.scenario_script ?? '') >= 128 * 1024) return apiError(res, 130, 'The script text is too long');
        if (f.scenario_script !== undefined) s.scenario_script = f.scenario_script;
        return ok({ result: 1 });
      }
      case 'GetRules': {
        const a = appOf(f);
        if (!a) return apiError(res, 116, 'Invalid application');
        const list = rules.filter((r) => r.application_id === a.application_id && (!f.rule_name || r.rule_name === f.rule_name));
        return ok({ result: list.map((r) => ({ ...r, scenarios: f.with_scenarios === 'true' ? r.scenarios.map((id) => ({ scenario_id: id })) : undefined, modified: '2026-01-01 00:00:00' })), total_count: list.length, count: list.length });
      }
      case 'AddRule': {
        const a = appOf(f);
        if (!a) return apiError(res, 116, 'Invalid application');
        if (!f.rule_name || !f.rule_pattern) return apiError(res, 134, 'Required parameter is empty');
        if (rules.some((r) => r.rule_name === f.rule_name && r.application_id === a.application_id)) return apiError(res, 175, 'rule_name is not unique');
        const r = { rule_id: ++ids, rule_name: f.rule_name, rule_pattern: f.rule_pattern, application_id: a.application_id, scenarios: f.scenario_id ? [Number(f.scenario_id)] : [] };
        rules.push(r);
        return ok({ result: 1, rule_id: r.rule_id });
      }
      case 'BindScenario': {
        const r = rules.find((x) => x.rule_id === Number(f.rule_id));
        if (!r) return apiError(res, 147, 'Invalid rule_id');
        const sid = Number(f.scenario_id);
        if (f.bind === 'false') r.scenarios = r.scenarios.filter((x) => x !== sid);
        else if (!r.scenarios.includes(sid)) r.scenarios.push(sid);
        return ok({ result: 1 });
      }
      case 'StartScenarios': {
        const limit = o.maxConcurrentStarts ?? 200;
        if (startsInFlight >= limit) return send(res, 429, { error: { code: 429, msg: 'Too Many Requests' } });
        startsInFlight++;
        try {
          apiLog.push({ cmd, ok: true });
          return await startScenarios(f, res);
        } finally {
          startsInFlight--;
        }
      }
      case 'GetCallHistory':
        return ok({ result: sessions.filter((s) => !f.call_session_history_id || String(s.sessionId) === f.call_session_history_id).map((s) => ({ call_session_history_id: s.sessionId, custom_data: s.customData, finish_reason: 'Normal termination', records: s.recordingId ? [{ record_url: `${state.base}/records/${s.recordingId}.flac` }] : [] })), total_count: sessions.length, count: sessions.length });
      default:
        apiLog.push({ cmd, ok: false, code: 103 });
        return apiError(res, 103, 'Unknown command');
    }
  }

  function serveRecord(req: http.IncomingMessage, res: http.ServerResponse, id: string): void {
    const rec = state.recordings.get(id);
    if (!rec) return send(res, 404, { error: 'not found' });
    if (rec.secure && !authorized(req.headers.authorization)) return send(res, 403, { error: 'secure record storage: authorization required' });
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]), rec.bytes.length - 1) : rec.bytes.length - 1;
      res.writeHead(206, { 'content-type': 'audio/flac', 'content-range': `bytes ${start}-${end}/${rec.bytes.length}`, 'content-length': end - start + 1 });
      res.end(rec.bytes.subarray(start, end + 1));
      return;
    }
    res.writeHead(200, { 'content-type': 'audio/flac', 'accept-ranges': 'bytes', 'content-length': rec.bytes.length });
    res.end(rec.bytes);
  }

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const rec = /^\/records\/([0-9a-f-]+)\.flac$/.exec(url.pathname);
      if (rec && req.method === 'GET') return serveRecord(req, res, rec[1]!);
      const control = /^\/request\/(\d+)\/([0-9a-f]+)$/.exec(url.pathname);
      if (control && req.method === 'POST') {
        const s = live.get(Number(control[1]));
        if (!s || s.controlToken !== control[2]) return send(res, 404, { error: 'no such session' });
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        s.deliverHttp(Buffer.concat(chunks).toString('utf8'));
        return send(res, 200, { result: 1 });
      }
      const m = /^\/platform_api(?:\/([A-Za-z]+))?\/?$/.exec(url.pathname);
      if (!m || (req.method !== 'POST' && req.method !== 'GET')) return send(res, 404, { error: 'not found' });
      const f = await fields(req, url);
      const cmd = m[1] ?? f.cmd;
      if (!cmd) return apiError(res, 102, "Missing 'cmd' parameter");
      if (!authorized(req.headers.authorization)) {
        apiLog.push({ cmd, ok: false, code: 100 });
        return apiError(res, 100, 'Authorization failed');
      }
      return api(cmd, f, res);
    })().catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, { error: { code: 1, msg: (e as Error).message } });
    });
  });
  server.on('clientError', (_e, socket) => socket.destroy());
  // Like the providers' front ends, keep idle connections longer than clients do (a client reusing a
  // connection the server just closed fails its request: UND_ERR_SOCKET).
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: state.base,
    env: {
      VOXIMPLANT_ACCOUNT_ID: String(account.id),
      VOXIMPLANT_KEY_ID: account.keyId,
      VOXIMPLANT_PRIVATE_KEY: account.privateKey,
      VOXIMPLANT_FROM: '+74950000000',
      VOXIMPLANT_API_URL: state.base,
    },
    account,
    apps,
    scenarios,
    rules,
    sessions,
    faults,
    apiLog,
    callee: (n, c) => void state.callees.set(n.replace(/\D/g, ''), c),
    async idle(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (live.size) {
        if (Date.now() > deadline) throw new Error(`${live.size} session(s) still live`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      for (const s of live.values()) s.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}
