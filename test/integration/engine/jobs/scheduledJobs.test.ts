import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../../src/log.js';
import { startDozvon, type RunningDozvon } from '../../../../src/main.js';
import { startTestApp } from '../../../support/app.js';

/**
 * The recurring jobs (lease recovery, re-planning, recordings, statistics, sign-in sweeps) are
 * registered once and kept across restarts: a restart that finds them as they should be leaves
 * them alone, one whose settings changed updates them, and one that lost its next run gets it back.
 */
const running: RunningDozvon[] = [];
let dataDir: string | undefined;
afterAll(async () => {
  for (const r of running) await r.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

interface JobRow {
  id: string;
  name: string;
  repeat_interval: string;
  next_run_at: Date | null;
}

async function jobs(d: RunningDozvon): Promise<JobRow[]> {
  const r = await d.app.db.query<JobRow>(`SELECT id::text, name, repeat_interval, next_run_at FROM agenda_jobs WHERE type = 'single' ORDER BY name`);
  return r.rows;
}

describe('recurring jobs across restarts', () => {
  it('are kept as they are, updated when their interval changes, and given back a lost next run', async () => {
    const t = await startTestApp({ DIAL_LEASE_SEC: '30' });
    dataDir = t.env.DATA_DIR;
    const first = await jobs(t.dozvon);
    expect(first.map((j) => j.name)).toEqual(['auth:sweep', 'db:analyze', 'numbers:recoverLeases', 'numbers:replanMissed', 'recordings:sweep']);
    expect(first.find((j) => j.name === 'numbers:recoverLeases')!.repeat_interval).toBe('30 seconds');
    await t.dozvon.stop();

    const restart = async (env: Record<string, string>) => {
      const d = await startDozvon(env, { log: createLogger('silent') });
      running.push(d);
      return d;
    };
    let d = await restart(t.env);
    const again = await jobs(d);
    expect(again.map((j) => [j.id, j.name, j.repeat_interval])).toEqual(first.map((j) => [j.id, j.name, j.repeat_interval]));
    await d.app.db.query(`UPDATE agenda_jobs SET next_run_at = NULL, locked_at = NULL WHERE name = 'auth:sweep'`);
    await d.stop();
    running.pop();

    d = await restart({ ...t.env, DIAL_LEASE_SEC: '10' });
    const changed = await jobs(d);
    expect(changed).toHaveLength(5);
    expect(changed.find((j) => j.name === 'numbers:recoverLeases')!.repeat_interval).toBe('10 seconds');
    expect(changed.find((j) => j.name === 'auth:sweep')!.next_run_at).not.toBeNull();
  }, 60_000);
});
