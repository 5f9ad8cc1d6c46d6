import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { decodeWav, resample } from '../src/voice/audio/index.js';
import { estimateGender } from '../src/voice/gender/estimateGender.js';
import { startTwilioEmulator } from '../test/fakes/twilio/index.js';
import { print, setupAdmin, startDozvonProcess, tempDir } from './support/server.js';

/**
 * Voice-platform figures (`npm run bench -- voice`):
 * - voice_step_p99_ms: how long Dozvon takes to answer a platform's step webhook (the TwiML of the
 *   next interpreter step: answer, each answer heard) with 50 calls live at once, seen from the
 *   platform (the Twilio emulator, in this process; Dozvon in its own). Twilio gives up after 15 s;
 *   the goal is under 300 ms.
 * - gender_accuracy: share of espeak-ng male and female voices (several variants, Russian and
 *   English phrases, at telephone 8 kHz) whose gender Dozvon estimates right; gender_unknown_ratio:
 *   share it declines to guess (counted as not right above).
 */
export async function benchVoice(o: { live?: number; seconds?: number } = {}): Promise<void> {
  await benchVoiceStep(o);
  benchGender();
}

async function benchVoiceStep(o: { live?: number; seconds?: number }): Promise<void> {
  const live = o.live ?? 50;
  const seconds = o.seconds ?? 60;
  // Real time: calls of ~15 s, 50 workers keep 50 calls live all along, as 50 real lines would.
  const emu = await startTwilioEmulator({ profile: 'twilio', timeScale: 1, speechInRecordings: false });
  const dataDir = tempDir('voice');
  const server = await startDozvonProcess({ dataDir, env: { ...emu.env, VOICE_PLATFORM: 'twilio', CRM_ALLOW_HTTP: 'true', TWILIO_CPS: '1000', ...(process.env.BENCH_DEBUG ? { LOG_LEVEL: 'debug' } : {}) }, nodeArgs: process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [] });
  try {
    const token = await setupAdmin(server);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const templates = (await (await fetch(`${server.url}/api/v1/templates`, { headers })).json()) as { templates: { id: string; settings: Record<string, unknown> }[] };
    const starter = templates.templates[0]!;
    // Detection off: every webhook measured is an interpreter step or an event, none waits on a verdict.
    await fetch(`${server.url}/api/v1/templates/${starter.id}`, { method: 'PUT', headers, body: JSON.stringify({ ...starter.settings, amd: { mode: 'off', greetingId: null } }) });
    // The platform's side runs in this process: its own event-loop lag is part of every time it
    // measures, so it is printed beside them (a loaded bench process inflates the step times).
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const until = performance.now() + seconds * 1000;
    let placed = 0;
    let peak = 0;
    const worker = async (i: number) => {
      while (performance.now() < until) {
        placed++;
        // Numbers of no magic ending: on the emulator a woman who agrees answers each of them.
        const phone = `+7901${String(i * 10_000 + (placed % 5000) + 5000).padStart(7, '0')}`;
        const res = await fetch(`${server.url}/api/v1/test-calls`, { method: 'POST', headers, body: JSON.stringify({ templateId: starter.id, phone, variables: { name: 'Anna' } }) });
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
    await Promise.all(Array.from({ length: live }, (_, i) => worker(i)));
    clearInterval(sampler);
    lag.disable();
    const steps = emu.webhooks.filter((w) => w.kind === 'answer' || w.kind === 'heard' || w.kind === 'dialed').map((w) => w.ms).sort((a, b) => a - b);
    const all = emu.webhooks.map((w) => w.ms).sort((a, b) => a - b);
    const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;
    // Figures from a shared machine mean little without its load (2 cores: a load of 2 is full).
    print('voice_machine_load_1m', Math.round(os.loadavg()[0]! * 100) / 100, 'load');
    print('voice_step_p50_ms', pct(steps, 0.5), 'ms');
    print('voice_step_p99_ms', pct(steps, 0.99), 'ms');
    print('voice_step_max_ms', steps.at(-1) ?? NaN, 'ms');
    print('voice_webhook_p99_ms', pct(all, 0.99), 'ms');
    print('voice_step_samples', steps.length, 'webhooks');
    // The histogram's figures include its 10 ms sampling interval.
    print('voice_bench_loop_lag_p99_ms', Math.max(0, Math.round(lag.percentile(99) / 1e4) / 100 - 10), 'ms');
    // The same for Dozvon's process (its /health reports the last minute's event-loop delay).
    const health = (await (await fetch(`${server.url}/health`)).json()) as { eventLoopDelay?: { p99Ms: number; maxMs: number } };
    print('voice_server_loop_delay_p99_ms', health.eventLoopDelay?.p99Ms ?? NaN, 'ms');
    print('voice_server_loop_delay_max_ms', health.eventLoopDelay?.maxMs ?? NaN, 'ms');
    print('voice_live_calls_peak', peak, 'calls');
    print('voice_calls_completed', emu.calls.filter((c) => c.ended).length, 'calls');
    if (process.env.BENCH_DEBUG) {
      const kinds = [...new Set(emu.webhooks.map((w) => w.kind))];
      for (const k of kinds) {
        const xs = emu.webhooks.filter((w) => w.kind === k).map((w) => w.ms).sort((a, b) => a - b);
        process.stderr.write(`webhook ${k}: n ${xs.length} p50 ${pct(xs, 0.5).toFixed(1)} p99 ${pct(xs, 0.99).toFixed(1)} max ${xs.at(-1)?.toFixed(1)}\n`);
      }
      const own = server
        .output()
        .split('\n')
        .map((l) => /"path":"\/voice\/twilio\/calls\/[^/]+\/(answer|heard)[^"]*".*"ms":(\d+)/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => Number(m[2]))
        .sort((a, b) => a - b);
      process.stderr.write(`server-side step ms: p50 ${own[Math.floor(own.length / 2)]} p99 ${own[Math.floor(own.length * 0.99)]} max ${own.at(-1)} n ${own.length}\n`);
      const byKind = new Map<string, number[]>();
      for (const l of server.output().split('\n')) {
        const m = /"path":"\/voice\/twilio\/calls\/[^/]+\/([a-z]+)[^"]*".*"ms":(\d+)/.exec(l);
        if (m) byKind.set(m[1]!, [...(byKind.get(m[1]!) ?? []), Number(m[2])]);
      }
      for (const [k, xs] of byKind) {
        xs.sort((a, b) => a - b);
        process.stderr.write(`server-side ${k}: n ${xs.length} p50 ${pct(xs, 0.5)} p99 ${pct(xs, 0.99)} max ${xs.at(-1)}\n`);
      }
      const slow = server.output().split('\n').filter((l) => /"ms":\d{4,}/.test(l) && l.includes('/voice/'));
      process.stderr.write(`${slow.slice(0, 10).join('\n')}\n`);
    }
  } finally {
    await server.stop();
    await emu.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const PHRASES: Record<'ru' | 'en', string[]> = {
  ru: ['Алло, слушаю вас.', 'Да, конечно, мне это интересно.', 'Нет, спасибо, не надо.', 'Перезвоните мне, пожалуйста, позже.', 'А кто это звонит?'],
  en: ['Hello, who is calling?', 'Yes, I would like to hear more about it.', 'No thanks, I am not interested.', 'Please call me back later.'],
};
const MALE = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7'];
const FEMALE = ['f1', 'f2', 'f3', 'f4', 'f5'];

function benchGender(): void {
  if (spawnSync('espeak-ng', ['--version']).status !== 0) {
    process.stderr.write('gender_accuracy: skipped, espeak-ng is not installed (apt-get install espeak-ng)\n');
    return;
  }
  let right = 0;
  let unknown = 0;
  let total = 0;
  for (const [lang, phrases] of Object.entries(PHRASES) as ['ru' | 'en', string[]][]) {
    for (const [gender, variants] of [['male', MALE], ['female', FEMALE]] as const) {
      for (const v of variants) {
        for (const p of phrases) {
          const out = spawnSync('espeak-ng', ['--stdout', '-v', `${lang}+${v}`, p]);
          const pcm = resample(decodeWav(out.stdout), 8000);
          const g = estimateGender(pcm.samples, pcm.sampleRate).gender;
          total++;
          if (g === gender) right++;
          else if (g === 'unknown') unknown++;
        }
      }
    }
  }
  print('gender_accuracy', right / total, 'ratio');
  print('gender_unknown_ratio', unknown / total, 'ratio');
  print('gender_samples', total, 'phrases');
}
