import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Nothing ends a serving process (issue 8 §1): an unhandled rejection or an uncaught exception is
 * logged with its stack and the server keeps answering. Runs a small server with the guards that
 * src/main.ts installs, in its own process, so an exit would be seen as one.
 */
const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/process/guardedServer.ts'], { stdio: ['ignore', 'pipe', 'pipe'] });
let out = '';
child.stdout.on('data', (d: Buffer) => (out += d.toString()));
child.stderr.on('data', (d: Buffer) => (out += d.toString()));
afterAll(() => {
  child.kill('SIGKILL');
});

async function port(): Promise<number> {
  for (;;) {
    const m = /listening (\d+)/.exec(out);
    if (m) return Number(m[1]);
    if (child.exitCode !== null) throw new Error(`exited: ${out}`);
    await new Promise((r) => child.stdout.once('data', r));
  }
}

describe('process guards', () => {
  it('a throw in a timer, an unawaited rejection and an unheard error event are logged with their stack; the server keeps serving', async () => {
    const base = `http://127.0.0.1:${await port()}`;
    for (const path of ['/throw', '/reject', '/emit']) {
      expect((await fetch(`${base}${path}`)).status).toBe(200);
    }
    // Each failure is counted by the guards once it has happened; the server answers throughout.
    let caught = 0;
    while (caught < 3) {
      caught = ((await (await fetch(`${base}/ok`)).json()) as { caught: number }).caught;
      expect(child.exitCode, out).toBeNull();
    }
    // Counted is not yet written: the log lines reach our pipe a moment later.
    type Line = { level: number; msg: string; err: { message: string; stack: string } };
    const errorLines = () => out.split('\n').slice(0, -1).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line).filter((l) => l.level === 50);
    while (errorLines().length < 3) await new Promise((r) => child.stdout.once('data', r));
    const logged = errorLines();
    expect(logged.map((l) => l.err.message).sort()).toEqual(['a promise nobody awaited', 'an error event nobody listened to', 'thrown in a timer']);
    for (const l of logged) expect(l.err.stack).toMatch(/\n\s+at /);
    expect(logged.map((l) => l.msg)).toContain('uncaught exception; the process keeps serving');
    expect(logged.map((l) => l.msg)).toContain('unhandled promise rejection; the process keeps serving');
  });
});
