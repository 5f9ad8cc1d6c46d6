import { fork, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { decodeWav, resample } from '../src/voice/audio/index.js';
import { estimateGender } from '../src/voice/gender/estimateGender.js';
import { percentile, print, setupAdmin, startDozvonProcess, tempDir, type DozvonProcess } from './support/server.js';
import type { RunOrder, RunResult } from './support/voicePlatformProcess.js';

/**
 * Voice-platform figures (`npm run bench -- voice`):
 * - voice_step_p99_ms: how long Dozvon takes to answer a platform's step webhook (the TwiML of the
 *   next interpreter step: answer, each answer heard) with 50 calls live at once, seen from the
 *   platform (the Twilio emulator and the load, in a process of their own; Dozvon in its own). Twilio gives up after 15 s;
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
  // Real time: calls of ~15 s, 50 lines keep 50 calls live all along, as 50 real lines would. The
  // platform's side runs in its own process, so its work does not colour the times it measures.
  const platform = fork(fileURLToPath(new URL('./support/voicePlatformProcess.ts', import.meta.url)), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  platform.on('error', (e) => process.stderr.write(`voice platform process: ${e.message}\n`));
  const next = <T>(type: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (m: { type: string }) => {
        if (m.type !== type) return;
        platform.off('exit', onExit);
        platform.off('message', onMessage);
        resolve(m as T);
      };
      const onExit = (code: number | null) => reject(new Error(`voice platform process exited (${code}) before '${type}'`));
      platform.on('message', onMessage);
      platform.once('exit', onExit);
    });
  const { env } = await next<{ env: Record<string, string> }>('ready');
  const dataDir = tempDir('voice');
  let server: DozvonProcess | undefined;
  try {
    server = await startDozvonProcess({ dataDir, env: { ...env, VOICE_PLATFORM: 'twilio', CRM_ALLOW_HTTP: 'true', TWILIO_CPS: '1000', ...(process.env.BENCH_DEBUG ? { LOG_LEVEL: 'debug' } : {}) }, nodeArgs: process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [] });
    const token = await setupAdmin(server);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const templates = (await (await fetch(`${server.url}/api/v1/templates`, { headers })).json()) as { templates: { id: string; settings: Record<string, unknown> }[] };
    const starter = templates.templates[0]!;
    // Detection off: every webhook measured is an interpreter step or an event, none waits on a verdict.
    await fetch(`${server.url}/api/v1/templates/${starter.id}`, { method: 'PUT', headers, body: JSON.stringify({ ...starter.settings, amd: { mode: 'off', greetingId: null } }) });
    const order: RunOrder = { type: 'run', url: server.url, token, templateId: starter.id, live, seconds };
    const done = next<RunResult>('done');
    platform.send(order);
    const r = await done;
    const steps = r.webhooks.filter((w) => w.kind === 'answer' || w.kind === 'heard' || w.kind === 'dialed').map((w) => w.ms);
    const all = r.webhooks.map((w) => w.ms);
    // Figures from a shared machine mean little without its load (2 cores: a load of 2 is full).
    print('voice_machine_load_1m', Math.round(os.loadavg()[0]! * 100) / 100, 'load');
    print('voice_step_p50_ms', percentile(steps, 50), 'ms');
    print('voice_step_p99_ms', percentile(steps, 99), 'ms');
    print('voice_step_max_ms', percentile(steps, 100), 'ms');
    print('voice_webhook_p99_ms', percentile(all, 99), 'ms');
    print('voice_step_samples', steps.length, 'webhooks');
    // The platform process's own event-loop delay is part of every time it measures.
    print('voice_platform_loop_lag_p99_ms', r.lagP99Ms, 'ms');
    // The same for Dozvon's process (its /health reports the last minute's event-loop delay).
    const health = (await (await fetch(`${server.url}/health`)).json()) as { eventLoopDelay?: { p99Ms: number; maxMs: number } };
    print('voice_server_loop_delay_p99_ms', health.eventLoopDelay?.p99Ms ?? NaN, 'ms');
    print('voice_server_loop_delay_max_ms', health.eventLoopDelay?.maxMs ?? NaN, 'ms');
    print('voice_live_calls_peak', r.peak, 'calls');
    print('voice_calls_completed', r.completed, 'calls');
    if (process.env.BENCH_DEBUG) printDebug(r, server);
  } finally {
    await server?.stop();
    platform.send({ type: 'stop' });
    await new Promise((resolve) => (platform.exitCode === null ? platform.once('exit', resolve) : resolve(null)));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** BENCH_DEBUG: times per webhook kind, as the platform saw them and as Dozvon logged them. */
function printDebug(r: RunResult, server: DozvonProcess): void {
  const spread = (xs: number[]) => `n ${xs.length} p50 ${percentile(xs, 50).toFixed(1)} p99 ${percentile(xs, 99).toFixed(1)} max ${percentile(xs, 100).toFixed(1)}`;
  const kinds = [...new Set(r.webhooks.map((w) => w.kind))];
  for (const k of kinds) process.stderr.write(`webhook ${k}: ${spread(r.webhooks.filter((w) => w.kind === k).map((w) => w.ms))}\n`);
  // Dozvon's access log: when each webhook's handling ended (pino's time) and how long it took.
  const handled = new Map<string, { start: number; end: number }[]>();
  const byKind = new Map<string, number[]>();
  for (const l of server.output().split('\n')) {
    const m = /"time":"([^"]+)".*"path":"(\/voice\/twilio\/calls\/[^/]+\/([a-z]+)[^"]*)".*"ms":(\d+)/.exec(l);
    if (!m) continue;
    byKind.set(m[3]!, [...(byKind.get(m[3]!) ?? []), Number(m[4])]);
    const end = Date.parse(m[1]!);
    handled.set(m[2]!, [...(handled.get(m[2]!) ?? []), { start: end - Number(m[4]), end }]);
  }
  for (const [k, xs] of byKind) process.stderr.write(`server-side ${k}: ${spread(xs)}\n`);
  // Where the rest goes: before Dozvon's handler starts (sockets, its event loop) or after it ends.
  for (const k of kinds) {
    const before: number[] = [];
    const after: number[] = [];
    for (const w of r.webhooks.filter((x) => x.kind === k)) {
      // Several status callbacks share a path: the handling that ended first within the wait.
      const h = (handled.get(w.path) ?? []).filter((x) => x.end >= w.sentAt - 5 && x.end <= w.sentAt + w.ms + 5).sort((a, b) => a.end - b.end)[0];
      if (!h) continue;
      before.push(h.start - w.sentAt);
      after.push(w.sentAt + w.ms - h.end);
    }
    process.stderr.write(`${k}: before handler ${spread(before)}; after it ${spread(after)}\n`);
  }
  const slow = server.output().split('\n').filter((l) => /"ms":\d{4,}/.test(l) && l.includes('/voice/'));
  process.stderr.write(`${slow.slice(0, 10).join('\n')}\n`);
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
