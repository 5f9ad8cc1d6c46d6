import fs from 'node:fs';
import { print, setupAdmin, startDozvonProcess, tempDir } from './support/server.js';

/**
 * Sandbox test calls completed per second through the HTTP API with SANDBOX_TIME_SCALE=0.01:
 * each call is placed (POST /test-calls) and awaited (GET /attempts/:id?wait), the full dialogue
 * of the magic number …0004 runs, its recording is rendered and downloaded by the engine.
 */
export async function benchTestCalls(o: { calls?: number; concurrency?: number } = {}): Promise<void> {
  const calls = o.calls ?? 200;
  const concurrency = o.concurrency ?? 20;
  const dataDir = tempDir('calls');
  const server = await startDozvonProcess({ dataDir, env: { SANDBOX_TIME_SCALE: '0.01', SANDBOX_TTS: 'generated' } });
  try {
    const token = await setupAdmin(server);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const templates = (await (await fetch(`${server.url}/api/v1/templates`, { headers })).json()) as { templates: { id: string }[] };
    const templateId = templates.templates[0]!.id;
    let next = 0;
    let completed = 0;
    let withRecording = 0;
    const started = performance.now();
    const worker = async () => {
      while (next < calls) {
        next++;
        const placed = (await (
          await fetch(`${server.url}/api/v1/test-calls`, { method: 'POST', headers, body: JSON.stringify({ templateId, phone: '+79000000004', variables: { name: 'Anna' } }) })
        ).json()) as { id: string };
        const done = (await (await fetch(`${server.url}/api/v1/attempts/${placed.id}?wait=60`, { headers })).json()) as { status: string; recordingId: string | null };
        if (done.status === 'completed') completed++;
        if (done.recordingId) withRecording++;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (performance.now() - started) / 1000;
    print('sandbox_test_calls_completed_per_sec', completed / seconds, 'calls/s');
    print('sandbox_test_calls_with_recording', withRecording / calls, 'ratio');
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
