import fs from 'node:fs';
import path from 'node:path';

/**
 * Uploaded files waiting to be read (clients files, see body.ts `readMultipartToDisk`): inside the
 * data directory, private to the server. Each request removes its own; what a crash left behind
 * (client phone numbers) is removed at the next start.
 */
export function uploadsDir(dataDir: string): string {
  return path.join(dataDir, 'uploads');
}

// Older than any import in progress: processes sharing DATA_DIR (PostgreSQL) keep their live uploads.
const STALE_MS = 6 * 3600_000;

/** Removes uploads a crashed process left; returns how many. */
export async function removeStaleUploads(dataDir: string, now = Date.now()): Promise<number> {
  const dir = uploadsDir(dataDir);
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch {
    return 0; // no upload yet
  }
  let removed = 0;
  for (const name of names) {
    const file = path.join(dir, name);
    const stat = await fs.promises.stat(file).catch(() => undefined);
    if (!stat || now - stat.mtimeMs < STALE_MS) continue;
    await fs.promises.rm(file, { force: true });
    removed++;
  }
  return removed;
}
