import fs from 'node:fs';
import type { Clock } from '../../src/core/clock.js';
import { startDozvon, type RunningDozvon } from '../../src/main.js';
import { createAdminFromCli } from '../../src/engine/auth/users.js';
import { login } from '../../src/engine/auth/users.js';
import { createLogger, type Logger } from '../../src/log.js';
import { freshDatabaseEnv, pgliteTemplate } from './db.js';

/**
 * A Dozvon server for one test file: its own database (a copy of the migrated template), its own
 * data directory, a free port, fast sandbox time, and a signed-in admin.
 */
export interface TestApp {
  dozvon: RunningDozvon;
  url: string;
  token: string;
  tenantId: string;
  env: Record<string, string>;
  /** JSON request to /api/v1 as the admin (or with the given token / headers). */
  api<T = unknown>(method: string, path: string, body?: unknown, o?: { token?: string | null; headers?: Record<string, string> }): Promise<{ status: number; body: T; headers: Headers }>;
  stop(): Promise<void>;
}

export async function startTestApp(extraEnv: Record<string, string> = {}, opts: { clock?: Clock; log?: Logger } = {}): Promise<TestApp> {
  const dbEnv = await freshDatabaseEnv();
  const env: Record<string, string> = {
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SANDBOX_TIME_SCALE: '0.01',
    SANDBOX_TTS: 'generated',
    DEFAULT_LOCALE: 'en',
    ...dbEnv,
    ...extraEnv,
  };
  const dozvon = await startDozvon(env, { pgliteTemplate: pgliteTemplate(), log: opts.log ?? createLogger(env.LOG_LEVEL ?? 'silent'), clock: opts.clock });
  const admin = { email: `admin-${Date.now()}@example.com`, name: 'Admin', password: 'correct-horse-battery', locale: 'en' as const };
  await createAdminFromCli(dozvon.app, admin);
  const { token } = await login(dozvon.app, admin.email, admin.password);
  const api: TestApp['api'] = async (method, path, body, o = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    const tok = o.token === undefined ? token : o.token;
    if (tok) headers.authorization = `Bearer ${tok}`;
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(`${dozvon.url}/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as never, headers: res.headers };
  };
  return {
    dozvon,
    url: dozvon.url,
    token,
    tenantId: dozvon.app.consoleTenantId,
    env,
    api,
    async stop() {
      await dozvon.stop();
      fs.rmSync(env.DATA_DIR!, { recursive: true, force: true });
    },
  };
}
