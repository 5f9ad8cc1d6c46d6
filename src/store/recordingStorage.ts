import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';

/**
 * Where audio bytes live. The filesystem under $DATA_DIR/recordings is the default; an
 * S3-compatible store can implement the same interface.
 */
export interface RecordingStorage {
  put(key: string, data: Buffer): Promise<void>;
  size(key: string): Promise<number | undefined>;
  /** A stream of bytes [start, end] inclusive (HTTP range semantics). */
  read(key: string, range?: { start: number; end: number }): Readable;
  remove(key: string): Promise<void>;
}

const SAFE_KEY = /^[A-Za-z0-9][A-Za-z0-9/_.-]{0,200}$/;

export class FileRecordingStorage implements RecordingStorage {
  constructor(private readonly root: string) {}

  private file(key: string): string {
    if (!SAFE_KEY.test(key) || key.includes('..')) throw new Error(`bad storage key ${key}`);
    return path.join(this.root, key);
  }

  /**
   * Directories made (or found) already: at 50 calls a second each of the two files of a call
   * asked for its directory again, and every request to the file system's threads costs the event
   * loop a wake-up of one of them. One that is gone since (removed by hand) is made again.
   */
  private readonly dirs = new Set<string>();

  async put(key: string, data: Buffer): Promise<void> {
    const file = this.file(key);
    const dir = path.dirname(file);
    if (!this.dirs.has(dir)) await this.makeDir(dir);
    // Write then rename: a reader never sees half a file, a crash never leaves one under the key.
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      await fs.promises.writeFile(tmp, data, { mode: 0o600 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      await this.makeDir(dir);
      await fs.promises.writeFile(tmp, data, { mode: 0o600 });
    }
    await fs.promises.rename(tmp, file);
  }

  private async makeDir(dir: string): Promise<void> {
    await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
    if (this.dirs.size >= 10_000) this.dirs.clear();
    this.dirs.add(dir);
  }

  async size(key: string): Promise<number | undefined> {
    try {
      return (await fs.promises.stat(this.file(key))).size;
    } catch {
      return undefined;
    }
  }

  read(key: string, range?: { start: number; end: number }): Readable {
    return fs.createReadStream(this.file(key), range ? { start: range.start, end: range.end } : {});
  }

  async remove(key: string): Promise<void> {
    await fs.promises.rm(this.file(key), { force: true });
  }
}
