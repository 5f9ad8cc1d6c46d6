import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/store/openDatabase.js';
import { apiClient, setupAdmin, startDozvonProcess, type DozvonProcess } from '../../support/dozvonProcess.js';
import { freshDatabaseEnv } from '../../support/db.js';

/**
 * Crash safety: a worker killed with SIGKILL in the middle of a campaign and started again.
 * No number is lost, no attempt is dialled twice, and numbers stuck "dialing" are recovered.
 * Runs on PGlite by default and on the real PostgreSQL in CI's second step.
 */
const procs: DozvonProcess[] = [];
afterAll(async () => {
  for (const p of procs) await p.kill();
});

describe('a worker killed mid-campaign', () => {
  it('resumes after a restart: every number finished, at most one placed call per number and attempt', async () => {
    const dbEnv = await freshDatabaseEnv();
    const env = {
      ...(dbEnv.DATABASE_URL ? { DATABASE_URL: dbEnv.DATABASE_URL } : { DATABASE_URL: '' }),
      SECRET_KEY: 'crash-test-secret-key-0123456789abcdef',
      SANDBOX_TIME_SCALE: '0.1',
      SANDBOX_TTS: 'generated',
      DIAL_LEASE_SEC: '3',
    };
    const first = await startDozvonProcess({ dataDir: dbEnv.DATA_DIR, env });
    procs.push(first);
    const api = apiClient(first.url, await setupAdmin(first));
    const scenarios = await api<{ scenarios: { id: string }[] }>('GET', '/scenarios');
    const template = await api<{ id: string }>('POST', '/templates', {
      name: 'Crash',
      scenarioId: scenarios.scenarios[0]!.id,
      callingWindow: { from: '00:00', to: '23:59' },
      redial: { mode: 'inline', rules: { failure: { delayMinutes: 0, from: 'start', maxCount: 5 } } },
    });
    const campaign = await api<{ id: string }>('POST', '/campaigns', {
      name: 'Crash test',
      templateId: template.id,
      settings: { window: { days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }, maxConcurrent: 8, intensity: 20, attempts: { initial: 1, max: 5 } },
    });
    // 30 clients who all answer and agree: each must end "answered" exactly once.
    const phones = Array.from({ length: 30 }, (_, i) => `+7900${String(i).padStart(3, "0")}0004`);
    await api('POST', `/campaigns/${campaign.id}/numbers/batch`, { items: phones.map((phone) => ({ phone })) });

    // Kill it while calls are in progress.
    for (let i = 0; i < 400; i++) {
      const n = await api<{ numbers: Record<string, number> }>('GET', `/campaigns/${campaign.id}`);
      if ((n.numbers.dialing ?? 0) >= 3 && (n.numbers.answered ?? 0) >= 3) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    await first.kill();

    const second = await startDozvonProcess({ dataDir: dbEnv.DATA_DIR, env });
    procs.push(second);
    const api2 = apiClient(second.url, await setupAdminOrLogin(second));
    let counts: Record<string, number> = {};
    for (let i = 0; i < 600; i++) {
      counts = (await api2<{ numbers: Record<string, number> }>('GET', `/campaigns/${campaign.id}`)).numbers;
      if ((counts.answered ?? 0) === phones.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(counts).toEqual({ answered: phones.length });
    await second.stop();

    const { db, close } = await openDatabase({ databaseUrl: dbEnv.DATABASE_URL, dataDir: dbEnv.DATA_DIR });
    try {
      const dup = await db.query<{ number_id: string; attempt_no: number; n: string }>(
        `SELECT number_id, attempt_no, count(*) AS n FROM attempts WHERE campaign_id = $1 AND placed GROUP BY number_id, attempt_no HAVING count(*) > 1`,
        [campaign.id],
      );
      expect(dup.rows).toEqual([]);
      const open = await db.query(`SELECT 1 FROM attempts WHERE campaign_id = $1 AND status <> 'completed'`, [campaign.id]);
      expect(open.rows).toEqual([]);
      const human = await db.query<{ n: string }>(`SELECT count(DISTINCT number_id) AS n FROM attempts WHERE campaign_id = $1 AND outcome = 'human'`, [campaign.id]);
      expect(Number(human.rows[0]!.n)).toBe(phones.length);
    } finally {
      await close();
    }
  }, 180_000);
});

async function setupAdminOrLogin(p: DozvonProcess): Promise<string> {
  const r = await fetch(`${p.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'ops@example.com', password: 'ops-password-1' }),
  });
  if (r.ok) return ((await r.json()) as { token: string }).token;
  return setupAdmin(p);
}
