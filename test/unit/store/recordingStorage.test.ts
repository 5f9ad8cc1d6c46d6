import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileRecordingStorage } from '../../../src/store/recordingStorage.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
});

async function readAll(storage: FileRecordingStorage, key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of storage.read(key)) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

describe('recordings on disk', () => {
  it('are stored whole under their key, in directories made as needed, and read back', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-'));
    roots.push(root);
    const storage = new FileRecordingStorage(root);
    await storage.put('t1/2026/12/a.wav', Buffer.from('first'));
    await storage.put('t1/2026/12/b.wav', Buffer.from('second'));
    expect(await readAll(storage, 't1/2026/12/a.wav')).toBe('first');
    expect(await storage.size('t1/2026/12/b.wav')).toBe(6);
    // No temporary file is left beside them.
    expect(fs.readdirSync(path.join(root, 't1/2026/12')).sort()).toEqual(['a.wav', 'b.wav']);
  });

  it('are stored even when their directory was removed by hand after the first one', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-'));
    roots.push(root);
    const storage = new FileRecordingStorage(root);
    await storage.put('t1/x/a.wav', Buffer.from('first'));
    fs.rmSync(path.join(root, 't1'), { recursive: true });
    await storage.put('t1/x/b.wav', Buffer.from('again'));
    expect(await readAll(storage, 't1/x/b.wav')).toBe('again');
  });

  it('refuse a key that would leave their directory', async () => {
    const storage = new FileRecordingStorage(os.tmpdir());
    await expect(storage.put('../escape.wav', Buffer.from('x'))).rejects.toThrow(/bad storage key/);
    await expect(storage.put('a/../../escape.wav', Buffer.from('x'))).rejects.toThrow(/bad storage key/);
  });
});
