import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeStaleUploads, uploadsDir } from '../../../src/http/uploads.js';

describe('uploads a crashed process left in DATA_DIR/uploads', () => {
  it('are removed at the next start; an upload still being read (another process on the same DATA_DIR) stays', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dozvon-uploads-'));
    expect(await removeStaleUploads(dataDir)).toBe(0); // no directory yet
    const dir = uploadsDir(dataDir);
    fs.mkdirSync(dir);
    const old = path.join(dir, 'old.upload');
    const fresh = path.join(dir, 'fresh.upload');
    fs.writeFileSync(old, 'phone\n+79001234567\n');
    fs.writeFileSync(fresh, 'phone\n+79001234568\n');
    const dayAgo = new Date(Date.now() - 86_400_000);
    fs.utimesSync(old, dayAgo, dayAgo);
    expect(await removeStaleUploads(dataDir)).toBe(1);
    expect(fs.readdirSync(dir)).toEqual(['fresh.upload']);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
