import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startTwilioEmulator } from '../../test/fakes/twilio/index.js';

/**
 * The platform's side of `npm run bench -- voice`, in a process of its own (forked by
 * bench/voice.ts): the Twilio emulator and the 50 "lines" that keep calls live. In the bench's own
 * process its work (TwiML parsing, recording synthesis, 50 workers) delayed its event loop and so
 * every webhook time it measured, which then said more about the emulator than about Dozvon.
 *
 * Messages: → parent `{ type: 'ready', env }`; ← `{ type: 'run', ... }`; → `{ type: 'done', ... }`;
 * ← `{ type: 'stop' }`.
 */
export interface RunOrder {
  type: 'run';
  url: string;
  token: string;
  templateId: string;
  live: number;
  seconds: number;
}

export interface RunResult {
  type: 'done';
  webhooks: { kind: string; ms: number; sentAt: number; path: string }[];
  peak: number;
  completed: number;
  lagP99Ms: number;
}

async function main(): Promise<void> {
  const emu = await startTwilioEmulator({ profile: 'twilio', timeScale: 1, speechInRecordings: false });
  const send = (m: unknown) => process.send?.(m);
  process.on('message', (m: RunOrder | { type: 'stop' }) => {
    if (m.type === 'stop') void emu.stop().finally(() => process.exit(0));
    else void run(m).then(send, (e: unknown) => {
      process.stderr.write(`voice platform process: ${e instanceof Error ? e.stack : String(e)}\n`);
      process.exit(1);
    });
  });
  process.on('disconnect', () => void emu.stop().finally(() => process.exit(0)));
  send({ type: 'ready', env: emu.env });

  async function run(o: RunOrder): Promise<RunResult> {
    const headers = { authorization: `Bearer ${o.token}`, 'content-type': 'application/json' };
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const until = performance.now() + o.seconds * 1000;
    let placed = 0;
    let peak = 0;
    const worker = async (i: number) => {
      while (performance.now() < until) {
        placed++;
        // Numbers of no magic ending: on the emulator a woman who agrees answers each of them.
        const phone = `+7901${String(i * 10_000 + (placed % 5000) + 5000).padStart(7, '0')}`;
        const res = await fetch(`${o.url}/api/v1/test-calls`, { method: 'POST', headers, body: JSON.stringify({ templateId: o.templateId, phone, variables: { name: 'Anna' } }) });
        const a = (await res.json()) as { id: string };
        if (res.status !== 202) throw new Error(`test call refused: ${res.status} ${JSON.stringify(a)}`);
        // The line is free once the platform has ended the call and delivered its callbacks. Watched
        // on the emulator, not by long-polling Dozvon: a campaign has nobody polling its calls, and
        // 50 polls a second would be load of the bench's own making.
        const sent = Date.now();
        while (!emu.calls.some((c) => c.to === phone && c.ended) && Date.now() - sent < 120_000) await new Promise((r) => setTimeout(r, 200));
      }
    };
    const sampler = setInterval(() => (peak = Math.max(peak, emu.calls.filter((c) => c.answeredAt && !c.ended).length)), 100);
    await Promise.all(Array.from({ length: o.live }, (_, i) => worker(i)));
    clearInterval(sampler);
    lag.disable();
    return {
      type: 'done',
      webhooks: emu.webhooks.map((w) => ({ kind: w.kind, ms: w.ms, sentAt: w.sentAt, path: new URL(w.url).pathname })),
      peak,
      completed: emu.calls.filter((c) => c.ended).length,
      // The histogram's figures include its 10 ms sampling interval.
      lagP99Ms: Math.max(0, Math.round(lag.percentile(99) / 1e4) / 100 - 10),
    };
  }
}

await main();
