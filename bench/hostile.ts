import fs from 'node:fs';
import { clientsWorkbook, zipBomb } from '../test/support/hostileFiles.js';
import { apiClient, print, setupAdmin, startDozvonProcess, tempDir, type DozvonProcess } from './support/server.js';

/**
 * How well the server keeps answering while it imports files (issue 8 §1): /health is polled
 * back to back during (a) uploads of the 54 KB zip bomb whose sheet inflates to 50 MB — it once
 * blocked the event loop for 57 s — and (b) a normal import of a 100,000-row workbook. Files are
 * parsed in worker threads, so /health should answer in milliseconds throughout.
 *   health_p99_ms_during_hostile_xlsx, health_max_ms_during_hostile_xlsx
 *   health_p99_ms_during_100k_import, health_max_ms_during_100k_import, import_100k_xlsx_seconds
 */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** Polls /health back to back until `work` settles; returns each answer's latency in ms. */
async function healthDuring(url: string, work: Promise<unknown>): Promise<number[]> {
  let busy = true;
  void work.finally(() => (busy = false));
  const latencies: number[] = [];
  while (busy) {
    const started = performance.now();
    const r = await fetch(`${url}/health`);
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`/health answered ${r.status}`);
    latencies.push(performance.now() - started);
  }
  await work;
  return latencies;
}

async function upload(p: DozvonProcess, token: string, campaignId: string, data: Buffer, name: string): Promise<number> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(data)]), name);
  const r = await fetch(`${p.url}/api/v1/campaigns/${campaignId}/numbers/import`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  await r.arrayBuffer();
  return r.status;
}

export async function benchHostile(): Promise<void> {
  const dataDir = tempDir('hostile');
  const server = await startDozvonProcess({ dataDir, env: { WORKERS: 'false', SANDBOX_TTS: 'generated', UPLOAD_LIMIT_MB: '64' } });
  try {
    const token = await setupAdmin(server);
    const api = apiClient(server.url, token);
    const scenarios = await api<{ scenarios: { id: string }[] }>('GET', '/scenarios');
    const template = await api<{ id: string }>('POST', '/templates', { name: 'Hostile', scenarioId: scenarios.scenarios[0]!.id });
    const campaign = await api<{ id: string }>('POST', '/campaigns', { name: 'Hostile', templateId: template.id, startAt: new Date(Date.now() + 86400_000).toISOString() });

    const bomb = await zipBomb(50);
    const hostile = await healthDuring(
      server.url,
      (async () => {
        for (let i = 0; i < 5; i++) {
          const status = await upload(server, token, campaign.id, bomb, 'clients.xlsx');
          if (status !== 413) throw new Error(`the zip bomb was answered ${status}, not 413`);
        }
      })(),
    );
    print('hostile_xlsx_bytes', bomb.length, 'bytes');
    print('health_p99_ms_during_hostile_xlsx', Math.round(percentile(hostile, 99) * 10) / 10, 'ms');
    print('health_max_ms_during_hostile_xlsx', Math.round(Math.max(...hostile) * 10) / 10, 'ms');

    const normal = await clientsWorkbook(100_000);
    const started = performance.now();
    let seconds = 0;
    const during = await healthDuring(
      server.url,
      upload(server, token, campaign.id, normal, 'clients.xlsx').then((status) => {
        if (status !== 200) throw new Error(`the 100k import was answered ${status}`);
        seconds = (performance.now() - started) / 1000;
      }),
    );
    print('health_p99_ms_during_100k_import', Math.round(percentile(during, 99) * 10) / 10, 'ms');
    print('health_max_ms_during_100k_import', Math.round(Math.max(...during) * 10) / 10, 'ms');
    print('import_100k_xlsx_seconds', Math.round(seconds * 10) / 10, 's');
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
