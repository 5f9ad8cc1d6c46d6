import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/store/openDatabase.js';
import { apiClient, setupAdmin, startDozvonProcess, tempDir, type DozvonProcess } from '../../support/dozvonProcess.js';
import { freshDatabaseEnv, onRealPostgres } from '../../support/db.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhookReceiver.js';

/**
 * A PostgreSQL restart under a running campaign (issue 8 §1). The server is stopped with
 * `pg_ctl stop -m fast` while calls are in progress and outcome webhooks are being delivered, and
 * started again. Dozvon must not exit; while the database is gone /health says 503 db "down" and
 * the API answers 503 `service_unavailable` in the caller's language; the dispatcher, the outbox
 * worker and the scheduled jobs pause (one log line each, not a flood) and resume by themselves;
 * afterwards every number has exactly one call per attempt and every outbox job was delivered once.
 * Runs in CI's PostgreSQL step, which provides DOZVON_TEST_PGCTL (see .ci/with-postgres).
 */
const pgctl = process.env.DOZVON_TEST_PGCTL;
let p: DozvonProcess | undefined;
let hooks: WebhookReceiver | undefined;
afterAll(async () => {
  await p?.kill();
  await hooks?.close();
  // Whatever happened, leave the server running for the other test files.
  if (pgctl && !serverRunning()) execFileSync(pgctl, ['start'], { stdio: 'ignore' });
});

function serverRunning(): boolean {
  try {
    execFileSync(pgctl!, ['status'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Polls `read` until `done`; the deadline only guards against a hang (the work itself is event-driven). */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string, timeoutMs = 240_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!onRealPostgres() || !pgctl)('a PostgreSQL restart under a running campaign (PostgreSQL only)', () => {
  it('is survived: 503 while down, then every number called once per attempt and every outbox job delivered once', async () => {
    hooks = await startWebhookReceiver();
    const dbEnv = await freshDatabaseEnv();
    const env = {
      DATABASE_URL: dbEnv.DATABASE_URL!,
      SECRET_KEY: 'database-restart-secret-key-0123456789abcdef',
      SANDBOX_TIME_SCALE: '0.05',
      SANDBOX_TTS: 'generated',
      CRM_ALLOW_HTTP: 'true',
      LOG_LEVEL: 'warn',
    };
    p = await startDozvonProcess({ dataDir: tempDir('pgrestart'), env });
    const token = await setupAdmin(p);
    const api = apiClient(p.url, token);
    const scenarios = await api<{ scenarios: { id: string }[] }>('GET', '/scenarios');
    const template = await api<{ id: string }>('POST', '/templates', {
      name: 'Restart',
      scenarioId: scenarios.scenarios[0]!.id,
      callingWindow: { from: '00:00', to: '23:59' },
      // Busy numbers are called again at once: redials go on across the outage.
      redial: { mode: 'inline', rules: { busy: { delayMinutes: 0, from: 'start', maxCount: 1 } } },
    });
    const campaign = await api<{ id: string }>('POST', '/campaigns', {
      name: 'Restart',
      templateId: template.id,
      settings: { window: { days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }, maxConcurrent: 6, intensity: 4, attempts: { initial: 1, max: 2 }, webhookUrl: hooks.url },
    });
    // Humans who agree, busy numbers (a redial each), machines, no answer.
    const phones = Array.from({ length: 40 }, (_, i) => `+7901${String(i).padStart(3, '0')}000${['4', '1', '3', '2'][i % 4]}`);
    await api('POST', `/campaigns/${campaign.id}/numbers/batch`, { items: phones.map((phone) => ({ phone })) });

    // Calls are in progress and webhooks have started to flow: stop the server.
    await until(() => api<{ numbers: Record<string, number> }>('GET', `/campaigns/${campaign.id}`), (c) => (c.numbers.dialing ?? 0) >= 2 && hooks!.received.length >= 2, 'calls in progress');
    execFileSync(pgctl!, ['stop', '-m', 'fast'], { stdio: 'ignore' });
    try {
      // While it is gone: the process lives, /health says so in time, the API answers 503 translated.
      const health = await fetch(`${p.url}/health`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ status: 'degraded', db: 'down' });
      const r = await fetch(`${p.url}/api/v1/templates?lang=ru`, { headers: { authorization: `Bearer ${token}` } });
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('5');
      const body = (await r.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('service_unavailable');
      expect(body.error.message).toMatch(/недоступен/);
      // Each worker notices and says so once.
      await until(async () => p!.output(), (out) => /dispatcher: database unavailable/.test(out) && /outbox worker: database unavailable/.test(out), 'the workers to pause', 60_000);
      expect(p.child.exitCode, p.output()).toBeNull();
    } finally {
      execFileSync(pgctl!, ['start'], { stdio: 'ignore' });
    }
    expect(serverRunning()).toBe(true);

    await until(async () => (await fetch(`${p!.url}/health`)).status, (s) => s === 200, '/health to recover');
    const done = await until(
      () => api<{ numbers: Record<string, number> }>('GET', `/campaigns/${campaign.id}`),
      (c) => (c.numbers.new ?? 0) + (c.numbers.dialing ?? 0) + (c.numbers.callback ?? 0) === 0,
      'every number to finish',
    );
    expect(Object.values(done.numbers).reduce((a, b) => a + b, 0)).toBe(phones.length);
    expect(p.child.exitCode, p.output()).toBeNull();
    const out = p.output();
    expect(out).toMatch(/dispatcher: database is back/);
    expect(out).toMatch(/outbox worker: database is back/);
    // A pause is one line, not one per tick: a handful at most across the outage.
    for (const who of ['dispatcher', 'outbox worker', 'scheduled jobs']) {
      expect(out.split(`${who}: database unavailable`).length - 1, who).toBeLessThanOrEqual(2);
    }

    const { db, close } = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: tempDir('pgcheck') });
    try {
      // Outbox: nothing pending or dead once the hooks are all delivered.
      const outbox = await until(
        () => db.query<{ status: string; n: string }>('SELECT status, count(*) AS n FROM outbox GROUP BY status'),
        (r) => r.rows.every((x) => x.status === 'done'),
        'the outbox to drain',
      );
      const jobs = await db.query<{ id: string }>(`SELECT id FROM outbox WHERE channel = 'webhook'`);
      expect(outbox.rows.length).toBeGreaterThan(0);
      // Each job reached the receiver exactly once (accepted deliveries, by delivery id).
      const deliveries = new Map<string, number>();
      for (const h of hooks.received) if (h.answered === 200) deliveries.set(String(h.headers['x-dozvon-delivery']), (deliveries.get(String(h.headers['x-dozvon-delivery'])) ?? 0) + 1);
      expect([...deliveries.entries()].filter(([, n]) => n > 1)).toEqual([]);
      expect(new Set(deliveries.keys())).toEqual(new Set(jobs.rows.map((j) => j.id)));

      // Calls: one platform call per placed attempt, no attempt number placed twice, none left open.
      const twice = await db.query(
        `SELECT number_id, attempt_no, count(*) AS n FROM attempts WHERE campaign_id = $1 AND placed GROUP BY number_id, attempt_no HAVING count(*) > 1`,
        [campaign.id],
      );
      expect(twice.rows).toEqual([]);
      const calls = await db.query<{ placed: string; ids: string; open: string }>(
        `SELECT count(*) FILTER (WHERE placed) AS placed, count(DISTINCT provider_call_id) FILTER (WHERE placed) AS ids,
                count(*) FILTER (WHERE status <> 'completed') AS open
         FROM attempts WHERE campaign_id = $1`,
        [campaign.id],
      );
      expect(Number(calls.rows[0]!.open)).toBe(0);
      expect(Number(calls.rows[0]!.ids)).toBe(Number(calls.rows[0]!.placed));
      // Every placed attempt ended with its own outcome webhook.
      const hooksPerAttempt = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM attempts a WHERE a.campaign_id = $1 AND a.placed
           AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.idempotency_key = 'webhook:attempt.completed:' || a.id)`,
        [campaign.id],
      );
      expect(Number(hooksPerAttempt.rows[0]!.n)).toBe(0);
    } finally {
      await close();
    }
  }, 360_000);
});
