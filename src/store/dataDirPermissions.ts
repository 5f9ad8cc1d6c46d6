import fs from 'node:fs';
import path from 'node:path';

/**
 * `$DATA_DIR` holds the database, recordings, the master key and the setup code: nobody but the
 * account Dozvon runs as may read or change any of it. The directory is 0700 and every file in it
 * 0600 (an owner's execute bit is kept). Dozvon creates its own files that way (a umask of 077 plus
 * explicit modes), but PGlite sets 0666 on the files of a new cluster itself and installs before
 * this version left files 0666 / 0644 — so the tree is walked at start and tightened, and what was
 * changed is reported. Symbolic links are neither followed nor changed.
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

/** Creates the data directory (0700) if needed; tightens it and everything below it. */
export function secureDataDir(dataDir: string): TightenReport {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const report: TightenReport = { changed: 0, examples: [], failed: [] };
  const tighten = (file: string, st: fs.Stats) => {
    const mode = st.mode & 0o777;
    if ((mode & 0o077) === 0) return;
    try {
      fs.chmodSync(file, mode & 0o700);
      report.changed++;
      if (report.examples.length < MAX_EXAMPLES) report.examples.push(`${path.relative(dataDir, file) || '.'} ${mode.toString(8)}`);
    } catch (e) {
      report.failed.push({ path: path.relative(dataDir, file) || '.', code: (e as NodeJS.ErrnoException).code ?? 'error' });
    }
  };
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      // Removed meanwhile (PGlite's temporary files) or unreadable: nothing to tighten there.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') report.failed.push({ path: path.relative(dataDir, dir), code: (e as NodeJS.ErrnoException).code ?? 'error' });
      return;
    }
    // This directory's entries before those of its subdirectories: the report's examples then
    // show the top-level files (secret.key, setup-code.txt) rather than a thousand database files.
    const subdirs: string[] = [];
    for (const entry of entries) {
      if (entry.isSymbolicLink()) continue;
      const file = path.join(dir, entry.name);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(file);
      } catch {
        continue; // gone between readdir and lstat
      }
      tighten(file, st);
      if (st.isDirectory()) subdirs.push(file);
    }
    for (const sub of subdirs) walk(sub);
  };
  tighten(dataDir, fs.statSync(dataDir));
  walk(dataDir);
  return report;
}
