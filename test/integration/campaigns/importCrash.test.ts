import { afterAll, describe, expect, it } from 'vitest';
import { apiClient, setupAdmin, startDozvonProcess, type DozvonProcess } from '../../support/dozvonProcess.js';
import { freshDatabaseEnv } from '../../support/db.js';

/**
 * A server killed while it stores a clients file: the file is stored batch by batch, so the
 * batches already in survive the crash. None of them is dialled, and after the restart they are
 * removed — as if the file had never been sent (on PostgreSQL once the import has been silent for
 * ten minutes: another process might still be running it).
 */
const procs: DozvonProcess[] = [];
afterAll(async () => {
  for (const p of procs) await p.kill();
});

type CampaignBody = { numbers: Record<string, number> };
const stored = (c: CampaignBody) => Object.values(c.numbers).reduce((n, x) => n + x, 0);

describe('a server killed in the middle of an import', () => {
  it('leaves nothing of the file after its restart, and dials none of it', async () => {
    const dbEnv = await freshDatabaseEnv();
    const env = { ...(dbEnv.DATABASE_URL ? { DATABASE_URL: dbEnv.DATABASE_URL } : { DATABASE_URL: '' }), SECRET_KEY: 'import-crash-secret-key-0123456789abcdef', SANDBOX_TTS: 'generated' };
    const first = await startDozvonProcess({ dataDir: dbEnv.DATA_DIR, env });
    procs.push(first);
    const token = await setupAdmin(first);
    const api = apiClient(first.url, token);
    const scenarios = await api<{ scenarios: { id: string }[] }>('GET', '/scenarios');
    const template = await api<{ id: string }>('POST', '/templates', { name: 'Import crash', scenarioId: scenarios.scenarios[0]!.id, callingWindow: { from: '00:00', to: '23:59' } });
    const campaign = await api<{ id: string }>('POST', '/campaigns', {
      name: 'Import crash',
      templateId: template.id,
      settings: { window: { days: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00' }, intensity: 50 },
    });

    const rows = 60_000;
    const form = new FormData();
    const lines = ['phone', ...Array.from({ length: rows }, (_, i) => `+7903${String(i).padStart(7, '0')}`)];
    form.append('file', new Blob([lines.join('\n')]), 'big.csv');
    const upload = fetch(`${first.url}/api/v1/campaigns/${campaign.id}/numbers/import`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form }).then(
      (r) => r.status,
      () => 'connection lost',
    );
    // Killed once some of the file is in.
    let before: CampaignBody | undefined;
    for (let i = 0; i < 2000 && !before; i++) {
      const c = await api<CampaignBody>('GET', `/campaigns/${campaign.id}`);
      if (stored(c) > 0) before = c;
      else await new Promise((r) => setTimeout(r, 10));
    }
    expect(before, 'some of the file was stored before the kill').toBeDefined();
    expect(stored(before!)).toBeLessThan(rows);
    await first.kill();
    expect(await upload).toBe('connection lost');

    const second = await startDozvonProcess({ dataDir: dbEnv.DATA_DIR, env });
    procs.push(second);
    const api2 = apiClient(second.url, token);
    let after: CampaignBody = { numbers: {} };
    const pglite = !dbEnv.DATABASE_URL;
    for (let i = 0; i < 300; i++) {
      after = await api2<CampaignBody>('GET', `/campaigns/${campaign.id}`);
      if (pglite ? stored(after) === 0 : stored(after) > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (pglite) expect(stored(after)).toBe(0);
    // Never dialled, whichever database.
    expect(after.numbers.dialing ?? 0).toBe(0);
    expect(Object.keys(after.numbers).filter((s) => s !== 'new')).toEqual([]);
    if (pglite) {
      // The campaign takes files again.
      const small = new FormData();
      small.append('file', new Blob(['phone\n+79039999999\n']), 'small.csv');
      const r = await fetch(`${second.url}/api/v1/campaigns/${campaign.id}/numbers/import`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: small });
      expect(r.status).toBe(200);
    }
  });
});
