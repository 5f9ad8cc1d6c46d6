import fs from 'node:fs';
import path from 'node:path';

/**
 * `$DATA_DIR` holds the database, recordings, the master key and the setup code: nobody but the
 * account Dozvon runs as may read or change any of it. The directory is 0700 and every file in it
 * 0600 (an owner's execute bit is kept). Dozvon creates its own files that way (a umask of 077 plus
 * explicit modes), but PGlite sets 0666 on the files of a new cluster itself (and 0644 on some it
 * writes later), and installs before this version left files 0666 / 0644 — so the tree is walked
 * and tightened, and what was changed is reported. Symbolic links are neither followed nor changed.
 *
 * A start tightens the directory and its own entries at once (`secureDataDirTop`): a 0700 directory
 * already shuts everyone else out of everything below it. The rest — the database's thousand files,
 * every recording — is walked once the server runs (`secureDataDirTree`), so a restart does not
 * wait for it, however many recordings there are.
 */
export interface TightenReport {
  /** Entries whose mode was tightened. */
  changed: number;
  /** Up to 20 of them, relative to the data directory, with the mode they had (e.g. "pg/base/1/112 666"). */
  examples: string[];
  /** Entries that could not be tightened (owned by another user…), with the reason. */
  failed: { path: string; code: string }[];
}

const MAX_EXAMPLES = 20;

// The same order at every start, whatever the file system's: the report's examples stay comparable.
const byName = (a: fs.Dirent, b: fs.Dirent) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The part shared by the walks: what one entry needs, and the report of what was done. */
class Tightener {
  readonly report: TightenReport = { changed: 0, examples: [], failed: [] };
  constructor(private readonly dataDir: string) {}

  /** The entry's mode without group and other bits, or undefined when it has none to remove. */
  needs(st: fs.Stats): number | undefined {
    const mode = st.mode & 0o777;
    return (mode & 0o077) === 0 ? undefined : mode & 0o700;
  }

  done(file: string, st: fs.Stats): void {
    this.report.changed++;
    if (this.report.examples.length < MAX_EXAMPLES) this.report.examples.push(`${this.relative(file)} ${(st.mode & 0o777).toString(8)}`);
  }

  failed(file: string, e: unknown): void {
    this.report.failed.push({ path: this.relative(file), code: (e as NodeJS.ErrnoException).code ?? 'error' });
  }

  private relative(file: string): string {
    return path.relative(this.dataDir, file) || '.';
  }
}

function tightenSync(t: Tightener, file: string, st: fs.Stats): void {
  const mode = t.needs(st);
  if (mode === undefined) return;
  try {
    fs.chmodSync(file, mode);
    t.done(file, st);
  } catch (e) {
    t.failed(file, e);
  }
}

/** This directory's entries that are not links, with their status (gone between readdir and lstat: skipped). */
function entriesSync(t: Tightener, dir: string): { file: string; st: fs.Stats }[] {
  let names: fs.Dirent[];
  try {
    names = fs.readdirSync(dir, { withFileTypes: true }).sort(byName);
  } catch (e) {
    // Removed meanwhile (PGlite's temporary files) or unreadable: nothing to tighten there.
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') t.failed(dir, e);
    return [];
  }
  const out: { file: string; st: fs.Stats }[] = [];
  for (const entry of names) {
    if (entry.isSymbolicLink()) continue;
    const file = path.join(dir, entry.name);
    try {
      out.push({ file, st: fs.lstatSync(file) });
    } catch {
      // gone between readdir and lstat
    }
  }
  return out;
}

/** Creates the data directory (0700) if needed; tightens it and its own entries, not below them. */
export function secureDataDirTop(dataDir: string): TightenReport {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const t = new Tightener(dataDir);
  tightenSync(t, dataDir, fs.statSync(dataDir));
  for (const { file, st } of entriesSync(t, dataDir)) tightenSync(t, file, st);
  return t.report;
}

/** Creates the data directory (0700) if needed; tightens it and everything below it, now. */
export function secureDataDir(dataDir: string): TightenReport {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const t = new Tightener(dataDir);
  const walk = (dir: string) => {
    // This directory's entries before those of its subdirectories: the report's examples then
    // show the top-level files (secret.key, setup-code.txt) rather than a thousand database files.
    const subdirs: string[] = [];
    for (const { file, st } of entriesSync(t, dir)) {
      tightenSync(t, file, st);
      if (st.isDirectory()) subdirs.push(file);
    }
    for (const sub of subdirs) walk(sub);
  };
  tightenSync(t, dataDir, fs.statSync(dataDir));
  walk(dataDir);
  return t.report;
}

/**
 * Tightens everything below the data directory's own entries without holding the event loop (each
 * file-system call on Node's threads); stops early when `signal` is aborted (the server stopping).
 */
export async function secureDataDirTree(dataDir: string, signal?: AbortSignal): Promise<TightenReport> {
  const t = new Tightener(dataDir);
  const walk = async (dir: string): Promise<void> => {
    if (signal?.aborted) return;
    let names: fs.Dirent[];
    try {
      names = (await fs.promises.readdir(dir, { withFileTypes: true })).sort(byName);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') t.failed(dir, e);
      return;
    }
    const subdirs: string[] = [];
    for (const entry of names) {
      if (signal?.aborted) return;
      if (entry.isSymbolicLink()) continue;
      const file = path.join(dir, entry.name);
      if (dir !== dataDir) {
        const st = await fs.promises.lstat(file).catch(() => undefined); // gone between readdir and lstat
        const mode = st && t.needs(st);
        if (st && mode !== undefined) {
          try {
            await fs.promises.chmod(file, mode);
            t.done(file, st);
          } catch (e) {
            t.failed(file, e);
          }
        }
      }
      if (entry.isDirectory()) subdirs.push(file);
    }
    for (const sub of subdirs) await walk(sub);
  };
  await walk(dataDir);
  return t.report;
}
