import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwilioEmulator, type TwilioEmulator } from '../../fakes/twilio/index.js';
import { startVoximplantEmulator, type VoximplantEmulator } from '../../fakes/voximplant/index.js';
import { freePort, tempDir } from '../../support/dozvonProcess.js';

/** `npm run cli -- voice-setup …` and `voice-check …`, run as a user runs them, against the emulators. */
let vox: VoximplantEmulator;
let tw: TwilioEmulator;
const dirs: string[] = [];

/** One data directory for every run: the embedded database is created once (the slow part of a start). */
/** Each run is a fresh Node process compiling the sources (tsx): seconds on a quiet machine, far more on a loaded one. */
const RUN_MS = 90_000;
let dataDir = '';

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  if (!dataDir) {
    dataDir = tempDir('cli');
    dirs.push(dataDir);
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', DEFAULT_LOCALE: 'en', CRM_ALLOW_HTTP: 'true', SANDBOX_TTS: 'generated', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? -1, out }));
  });
}

beforeAll(async () => {
  vox = await startVoximplantEmulator({ timeScale: 0.01 });
  tw = await startTwilioEmulator({ profile: 'twilio', timeScale: 0.01 });
});
afterAll(async () => {
  await vox?.stop();
  await tw?.stop();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('voice-setup voximplant', () => {
  it('creates the application, the scenario (with PUBLIC_URL) and the rule once; a second run changes nothing', async () => {
    const env = { ...vox.env, PUBLIC_URL: 'https://dozvon.example.com' };
    const first = await cli(['voice-setup', 'voximplant'], env);
    expect(first.code, first.out).toBe(0);
    expect(first.out).toMatch(/application dozvon\.\d+\.voximplant\.com \(id \d+\): created/);
    expect(first.out).toMatch(/scenario dozvon-call \(id \d+\): created, calls back https:\/\/dozvon\.example\.com/);
    expect(first.out).toMatch(/rule dozvon-outbound \(id \d+\): created/);
    const again = await cli(['voice-setup', 'voximplant'], env);
    expect(again.code, again.out).toBe(0);
    expect(again.out.match(/already up to date/g)).toHaveLength(3);
    expect([vox.apps.length, vox.scenarios.length, vox.rules.length]).toEqual([1, 1, 1]);
    expect(vox.apps[0]!.secure_record_storage).toBe(true);
    expect(vox.scenarios[0]!.scenario_script).toContain("var BASE = 'https://dozvon.example.com';");
    const moved = await cli(['voice-setup', 'voximplant'], { ...env, PUBLIC_URL: 'https://calls.example.com' });
    expect(moved.out).toMatch(/scenario dozvon-call \(id \d+\): updated/);
  }, 3 * RUN_MS);

  it('a platform named without its settings stops with the missing settings named', async () => {
    const r = await cli(['voice-check', 'twilio'], { VOICE_PLATFORM: 'twilio', TWILIO_ACCOUNT_SID: 'AC123' });
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('VOICE_PLATFORM twilio: missing TWILIO_AUTH_TOKEN, TWILIO_FROM');
  }, RUN_MS);
});

describe('voice-check', () => {
  it('checks the credentials, then places one real call and prints each event as it happens', async () => {
    const port = await freePort();
    const r = await cli(['voice-check', 'twilio', '--to', '+79000000004'], { ...tw.env, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('twilio: the credentials work.');
    expect(r.out).toMatch(/account: AC[0-9a-f]{32}/);
    expect(r.out).toMatch(/calling \+79000000004/);
    for (const e of ['initiated', 'ringing', 'answered', 'ended answered SIP 200']) expect(r.out).toContain(` ${e}`);
    expect(r.out).toMatch(/ended: human, result check_ok/);
    expect(r.out).toMatch(/recording: http:\/\/127\.0\.0\.1:\d+\/recordings\//);
  }, 2 * RUN_MS);

  it('bad credentials are reported, not a stack trace', async () => {
    const r = await cli(['voice-check', 'twilio'], { ...tw.env, TWILIO_AUTH_TOKEN: 'wrong', PORT: '0' });
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('HTTP 401 (20003)');
    expect(r.out).not.toMatch(/\n\s+at /);
  }, RUN_MS);
});
