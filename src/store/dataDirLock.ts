import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';

/**
 * PGlite does not lock its data directory: two processes would open it silently and diverge. We
 * hold `$DATA_DIR/dozvon.lock.d` for the life of the process with proper-lockfile: the directory
 * is created atomically (mkdir) and its mtime is touched every `heartbeatMs` — the heartbeat.
 *
 * Whether the holder is alive is judged by its heartbeat, not by its pid (a pid can be reused, a
 * container restarts as pid 1 again under a new hostname):
 * - a heartbeat that moves while we watch means a live holder: refused at once, clearly;
 * - a heartbeat older than `staleMs` means a dead holder, whoever it was: taken over;
 * - when the owner file beside the lock proves the holder gone (same host, its pid no longer
 *   running or our own pid), two seconds of silence are enough, so a restart after a crash does
 *   not wait the whole `staleMs`.
 * A take-over removes and re-creates the directory; a concurrent starter that removed ours in that
 * instant is caught by the settle check below (skipped when neither the lock nor its owner file
 * existed before: no stale lock for anyone to remove), and any later loss (the directory removed or
 * re-created by someone else) reaches `onCompromised`: the database must not be used any more.
 */
export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly ownerPid: number | undefined,
    legacy = false,
  ) {
    super(
      `Another Dozvon process (pid ${ownerPid ?? 'unknown'}) is already using the data directory ${dataDir}. ` +
        'The embedded database (PGlite) can be opened by one process only. Stop the other process, ' +
        'choose another DATA_DIR, or set DATABASE_URL to a PostgreSQL server to run several processes.' +
        (legacy ? ` (It holds the lock file of an older Dozvon version, ${path.join(dataDir, LEGACY_LOCK_FILE)}; delete that file if no such process runs.)` : ''),
    );
    this.name = 'DataDirLockedError';
  }
}

export interface DataDirLock {
  release(): Promise<void>;
}

export interface LockDataDirOptions {
  /**
   * Called once if the lock is lost while held (its directory was removed or taken over, its
   * heartbeat could not be written): stop using the database at once.
   */
  onCompromised(err: Error): void;
  /** Called when a dead holder's lock was taken over (for the log). */
  onTakeover?(previous: LockOwner | undefined): void;
  /** How often the holder touches the lock (≥ 1000 ms). */
  heartbeatMs?: number;
  /** A lock whose heartbeat is older than this is taken over, whoever holds it (≥ 2000 ms). */
  staleMs?: number;
}

/** Who holds the lock, as written beside it (for messages and for the fast take-over). */
export interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
}

export const LOCK_DIR = 'dozvon.lock.d';
export const OWNER_FILE = 'dozvon.lock.json';
/** The lock file of Dozvon versions before the heartbeat lock. */
export const LEGACY_LOCK_FILE = 'dozvon.lock';

const DEFAULT_HEARTBEAT_MS = 1000;
const DEFAULT_STALE_MS = 30_000;
// proper-lockfile's smallest staleness: a provably dead holder is taken over after this silence.
const PROVEN_DEAD_STALE_MS = 2000;
const POLL_MS = 200;
// Longer than a concurrent starter's stat → rmdir of a stale lock takes; see `settled`.
const SETTLE_MS = 150;

/** Data directories this process holds (a second lock of the same one is refused at once). */
const held = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    // missing, unreadable or half-written: nothing is known about the owner
    return undefined;
  }
}

function statOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

/** The owner file says its process is gone: same machine, and its pid is not running (or is ours). */
function provablyGone(owner: LockOwner | undefined): boolean {
  if (!owner || typeof owner.pid !== 'number' || owner.host !== os.hostname()) return false;
  return owner.pid === process.pid || !isAlive(owner.pid);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function lockDataDir(dataDir: string, o: LockDataDirOptions): Promise<DataDirLock> {
  const dir = path.resolve(dataDir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (held.has(dir)) throw new DataDirLockedError(dir, process.pid);
  const lockPath = path.join(dir, LOCK_DIR);
  const ownerPath = path.join(dir, OWNER_FILE);
  const heartbeatMs = Math.max(1000, o.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
  const staleMs = Math.max(PROVEN_DEAD_STALE_MS, o.staleMs ?? DEFAULT_STALE_MS, heartbeatMs * 2);
  let compromised = false;
  let abandoned = false;
  const onCompromised = (err: Error) => {
    if (compromised || abandoned) return;
    compromised = true;
    held.delete(dir);
    o.onCompromised(err);
  };

  // Neither the lock nor its owner file: the last holder released it (the directory goes first,
  // then the owner file) or there never was one. No stale lock exists for a concurrent starter to
  // have judged stale and be about to remove, so a lock made on the first try needs no settle wait
  // (a restart after a clean stop then saves its 150 ms).
  const clean = statOrUndefined(lockPath) === undefined && statOrUndefined(ownerPath) === undefined;
  let attempts = 0;
  // Give up once a silent lock would have gone stale (plus a beat): by then it has been taken over.
  const deadline = Date.now() + staleMs + heartbeatMs * 2;
  let firstSeen: number | undefined;
  let tookOver: LockOwner | undefined;
  let release: (() => Promise<void>) | undefined;
  while (!release) {
    const owner = readJson<LockOwner>(ownerPath);
    const gone = provablyGone(owner);
    attempts++;
    try {
      release = await lockfile.lock(dir, {
        lockfilePath: lockPath,
        realpath: false,
        stale: gone ? PROVEN_DEAD_STALE_MS : staleMs,
        update: heartbeatMs,
        retries: 0,
        onCompromised,
      });
      if (firstSeen !== undefined || gone) tookOver = owner;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // ENOENT: taking over a stale lock, another starter removed the directory we had just made
      // (its stat saw the stale one): the race is theirs or the next round's, as with ELOCKED.
      if (code === 'ENOENT' && Date.now() <= deadline) {
        await sleep(POLL_MS);
        continue;
      }
      if (code !== 'ELOCKED') throw e;
      const mtime = statOrUndefined(lockPath)?.mtimeMs;
      // The owner as it is now (another starter may have taken the lock over meanwhile).
      const holder = () => readJson<LockOwner>(ownerPath)?.pid ?? owner?.pid;
      if (mtime !== undefined && firstSeen !== undefined && mtime !== firstSeen) {
        // Its heartbeat moved while we watched: a live holder.
        throw new DataDirLockedError(dir, holder());
      }
      firstSeen ??= mtime;
      if (Date.now() > deadline) throw new DataDirLockedError(dir, holder());
      await sleep(POLL_MS);
      continue;
    }
    if (!(clean && attempts === 1 && !gone) && !(await settled(lockPath))) {
      // A concurrent starter removed the directory we had just created and made its own: it holds
      // it. Forget ours without removing anything (proper-lockfile would rmdir the winner's).
      abandoned = true;
      await lockfile.unlock(dir, { realpath: false, lockfilePath: lockPath, fs: keepDirectory });
      throw new DataDirLockedError(dir, readJson<LockOwner>(ownerPath)?.pid);
    }
  }

  held.add(dir);
  const me: LockOwner = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() };
  try {
    // proper-lockfile creates the directory with the process umask (0755 outside the server, e.g. the CLI).
    fs.chmodSync(lockPath, 0o700);
    writeAtomically(ownerPath, JSON.stringify(me));
    checkLegacyLock(dir);
  } catch (e) {
    held.delete(dir);
    await release().catch(() => undefined); // the error above is what the caller must see
    fs.rmSync(ownerPath, { force: true });
    throw e;
  }
  if (tookOver !== undefined || firstSeen !== undefined) o.onTakeover?.(tookOver);

  let released = false;
  return {
    async release() {
      if (released || compromised) return;
      released = true;
      held.delete(dir);
      // The directory first: a crash between the two leaves a stale owner file, never a lock.
      await release!().catch(() => undefined); // already gone (compromised meanwhile): nothing to undo
      if (readJson<LockOwner>(ownerPath)?.pid === me.pid) fs.rmSync(ownerPath, { force: true });
    },
  };
}

/**
 * True when the lock directory we just created is still the same one a moment later. proper-lockfile
 * judges staleness by stat, then removes: a starter that judged the old lock stale an instant before
 * we replaced it would remove ours. Its removal happens right after its stat, so a short wait shows it.
 */
async function settled(lockPath: string): Promise<boolean> {
  const before = statOrUndefined(lockPath);
  await sleep(SETTLE_MS);
  const after = statOrUndefined(lockPath);
  return Boolean(before && after && before.ino === after.ino && before.ctimeMs === after.ctimeMs);
}

/** An `fs` for proper-lockfile's unlock that forgets the lock but leaves the directory alone. */
const keepDirectory = { rmdir: (_path: string, cb: (err: null) => void) => cb(null) };

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/**
 * Versions before this lock wrote `dozvon.lock` (pid + host) and nothing else. One still running on
 * this machine must be refused; a leftover of one that is gone is removed.
 */
function checkLegacyLock(dir: string): void {
  const file = path.join(dir, LEGACY_LOCK_FILE);
  if (!fs.existsSync(file)) return;
  const owner = readJson<Partial<LockOwner>>(file);
  const sameHost = !owner?.host || owner.host === os.hostname();
  if (owner?.pid && sameHost && owner.pid !== process.pid && isAlive(owner.pid)) throw new DataDirLockedError(dir, owner.pid, true);
  fs.rmSync(file, { force: true });
}
