import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirLockedError, LEGACY_LOCK_FILE, LOCK_DIR, lockDataDir, OWNER_FILE, type LockOwner } from '../../../src/store/dataDirLock.js';
import { startDozvonProcess, type DozvonProcess } from '../../support/dozvonProcess.js';
import { onRealPostgres, tmpDir } from '../../support/db.js';

/**
 * The embedded database can be opened by one process. The lock is judged by its heartbeat: a live
 * holder is refused, a dead one — killed, its pid reused by another process, its container
 * restarted as the same pid or under another hostname — is taken over, and of several starters
 * racing for one stale lock exactly one wins.
 */
const started: DozvonProcess[] = [];
const holders: ChildProcess[] = [];
afterAll(async () => {
  for (const p of started) await p.kill();
  for (const h of holders) if (h.exitCode === null && h.signalCode === null) h.kill('SIGKILL');
});

const env = { DATABASE_URL: '', WORKERS: 'false', SANDBOX_TTS: 'generated' };
const noop = () => undefined;

interface Holder {
  child: ChildProcess;
  /** Resolves with the first event the holder prints: locked, refused. */
  first: Promise<{ event: string; pid?: number; message?: string }>;
  /** Resolves when the holder reports its lock compromised. */
  compromised: Promise<void>;
  exited: Promise<void>;
}

/** A separate process that takes the lock (test/support/holdDataDirLock.ts) and keeps it until killed. */
function holdLock(dir: string, staleMs?: number): Holder {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/holdDataDirLock.ts', dir, ...(staleMs ? [String(staleMs)] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  holders.push(child);
  let out = '';
  let err = '';
  const lines: ((o: { event: string }) => void)[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    let i: number;
    while ((i = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, i);
      out = out.slice(i + 1);
      const ev = JSON.parse(line) as { event: string };
      for (const l of lines) l(ev);
    }
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const first = new Promise<{ event: string }>((resolve, reject) => {
    lines.push((ev) => ev.event !== 'compromised' && resolve(ev));
    void exited.then(() => reject(new Error(`holder exited without a word: ${err}`)));
  });
  const compromised = new Promise<void>((resolve) => lines.push((ev) => ev.event === 'compromised' && resolve()));
  return { child, first, compromised, exited };
}

/** A lock as a process that is gone left it: the directory with its heartbeat `ageMs` old, and the owner file. */
function leaveLock(dir: string, owner: LockOwner, ageMs: number): void {
  fs.mkdirSync(path.join(dir, LOCK_DIR), { recursive: true });
  const at = new Date(Date.now() - ageMs);
  fs.utimesSync(path.join(dir, LOCK_DIR), at, at);
  fs.writeFileSync(path.join(dir, OWNER_FILE), JSON.stringify(owner));
}

/** Four starters race for the directory: exactly one holds it, the others are refused, and nobody removes the winner's lock under it. */
async function expectOneHolder(dir: string): Promise<void> {
  const racers = Array.from({ length: 4 }, () => holdLock(dir));
  const results = await Promise.all(racers.map((r) => r.first));
  expect(results.filter((r) => r.event === 'locked')).toHaveLength(1);
  for (const r of results.filter((x) => x.event !== 'locked')) expect(r.message).toMatch(/Another Dozvon process/);
  const winner = racers[results.findIndex((r) => r.event === 'locked')]!;
  const outcome = await Promise.race([winner.compromised.then(() => 'compromised'), new Promise((r) => setTimeout(() => r('held'), 2500))]);
  expect(outcome).toBe('held');
  for (const r of racers) r.child.kill('SIGKILL');
  await Promise.all(racers.map((r) => r.exited));
}

const owner = (o: Partial<LockOwner>): LockOwner => ({ pid: 999_999, host: os.hostname(), startedAt: new Date().toISOString(), ...o });

describe.skipIf(onRealPostgres())('the PGlite data directory lock (skipped on a real PostgreSQL: DATA_DIR holds no database there)', () => {
  it('a second Dozvon on the same DATA_DIR refuses with a clear message; after a SIGKILL of the first the directory is usable again', async () => {
    const dataDir = tmpDir('lock');
    const first = await startDozvonProcess({ dataDir, env });
    started.push(first);
    const second = startDozvonProcess({ dataDir, env });
    await expect(second).rejects.toThrow(new RegExp(`Another Dozvon process \\(pid ${first.child.pid}\\) is already using the data directory`));
    await expect(second).rejects.toThrow(/DATABASE_URL/);
    await first.kill();
    const third = await startDozvonProcess({ dataDir, env });
    started.push(third);
    expect(third.output()).not.toContain('Another Dozvon process');
    await third.stop();
    expect(third.child.exitCode).toBe(0);
    // A clean stop leaves no lock behind.
    expect(fs.existsSync(path.join(dataDir, LOCK_DIR))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, OWNER_FILE))).toBe(false);
  }, 120_000);

  it('a live holder is refused: its heartbeat moves, whatever its pid', async () => {
    const dir = tmpDir('lock-live');
    const holder = holdLock(dir);
    const locked = await holder.first;
    expect(locked.event).toBe('locked');
    const refused = lockDataDir(dir, { onCompromised: noop });
    await expect(refused).rejects.toBeInstanceOf(DataDirLockedError);
    await expect(refused).rejects.toThrow(`(pid ${locked.pid})`);
    // The holder was never disturbed.
    holder.child.kill('SIGKILL');
    await holder.exited;
  }, 60_000);

  it('a holder killed with SIGKILL is taken over, and the take-over names it', async () => {
    const dir = tmpDir('lock-killed');
    const holder = holdLock(dir);
    const { pid } = await holder.first;
    holder.child.kill('SIGKILL');
    await holder.exited;
    let previous: LockOwner | undefined;
    const lock = await lockDataDir(dir, { onCompromised: noop, onTakeover: (p) => (previous = p) });
    expect(previous?.pid).toBe(pid);
    expect((JSON.parse(fs.readFileSync(path.join(dir, OWNER_FILE), 'utf8')) as LockOwner).pid).toBe(process.pid);
    await lock.release();
  }, 60_000);

  it('a stale lock whose pid now belongs to another live process is taken over', async () => {
    const dir = tmpDir('lock-reused');
    // Our parent is alive: the old lock's pid "was reused". Only the silent heartbeat tells.
    leaveLock(dir, owner({ pid: process.ppid }), 60_000);
    const lock = await lockDataDir(dir, { onCompromised: noop });
    await lock.release();
  });

  it('a lock left under our own pid (a container restarting as pid 1) is taken over', async () => {
    const dir = tmpDir('lock-samepid');
    leaveLock(dir, owner({ pid: process.pid }), 3000);
    const lock = await lockDataDir(dir, { onCompromised: noop });
    await lock.release();
  });

  it('a lock from another hostname (a container recreated) is taken over once its heartbeat is stale', async () => {
    const dir = tmpDir('lock-host');
    leaveLock(dir, owner({ host: 'old-container', pid: process.pid }), 0);
    let previous: LockOwner | undefined;
    const lock = await lockDataDir(dir, { onCompromised: noop, staleMs: 3000, onTakeover: (p) => (previous = p) });
    expect(previous?.host).toBe('old-container');
    await lock.release();
  }, 30_000);

  it('several starters racing for one stale lock: exactly one holds it, the others are refused', async () => {
    const dir = tmpDir('lock-race');
    leaveLock(dir, owner({ pid: process.ppid }), 60_000);
    await expectOneHolder(dir);
  }, 60_000);

  it('several starters racing on a clean directory (a restart after a clean stop): exactly one holds it, the others are refused', async () => {
    const dir = tmpDir('lock-race-clean');
    const first = await lockDataDir(dir, { onCompromised: noop });
    await first.release();
    expect(fs.existsSync(path.join(dir, LOCK_DIR)) || fs.existsSync(path.join(dir, OWNER_FILE))).toBe(false);
    await expectOneHolder(dir);
  }, 60_000);

  it('a holder whose lock is removed under it is told at its next heartbeat', async () => {
    const dir = tmpDir('lock-lost');
    let lost!: (e: Error) => void;
    const compromised = new Promise<Error>((r) => (lost = r));
    const lock = await lockDataDir(dir, { onCompromised: (e) => lost(e) });
    fs.rmSync(path.join(dir, LOCK_DIR), { recursive: true });
    expect((await compromised).message).toBeTruthy();
    await lock.release();
  });

  it('the same directory twice in one process: the second is refused at once', async () => {
    const dir = tmpDir('lock-twice');
    const lock = await lockDataDir(dir, { onCompromised: noop });
    await expect(lockDataDir(dir, { onCompromised: noop })).rejects.toThrow(`(pid ${process.pid})`);
    await lock.release();
    const again = await lockDataDir(dir, { onCompromised: noop });
    await again.release();
  });

  it("an older version's lock file: refused while that process runs, removed once it is gone", async () => {
    const dir = tmpDir('lock-legacy');
    fs.writeFileSync(path.join(dir, LEGACY_LOCK_FILE), JSON.stringify({ pid: process.ppid, host: os.hostname() }));
    await expect(lockDataDir(dir, { onCompromised: noop })).rejects.toThrow(LEGACY_LOCK_FILE);
    // Refusing left nothing of ours behind.
    expect(fs.existsSync(path.join(dir, LOCK_DIR))).toBe(false);
    fs.writeFileSync(path.join(dir, LEGACY_LOCK_FILE), JSON.stringify({ pid: 999_999, host: os.hostname() }));
    const lock = await lockDataDir(dir, { onCompromised: noop });
    expect(fs.existsSync(path.join(dir, LEGACY_LOCK_FILE))).toBe(false);
    await lock.release();
  });
});
