import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../../src/core/clock.js';
import { createLogger } from '../../../../src/log.js';
import { Recorder } from '../../../../src/voice/sandbox/recorder.js';
import { SandboxPlatform } from '../../../../src/voice/sandbox/sandboxPlatform.js';

const mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sbx-media-'));
afterAll(() => fs.rmSync(mediaDir, { recursive: true, force: true }));

let renders = 0;
const platform = new SandboxPlatform({
  timeScale: 1,
  seed: 'test',
  mix: undefined,
  mediaDir,
  publicUrl: () => 'http://127.0.0.1:1',
  callbackKey: Buffer.alloc(32, 3),
  clock: systemClock,
  engine: { advance: () => Promise.reject(new Error('no dialogue here')) },
  log: createLogger('silent'),
  // Stands in for the render thread: stores the bytes in `file` and gives them back.
  renderRecording: async (_rec, talkMs, _lang, file) => {
    const wav = Buffer.from(`RIFF call ${++renders} ${talkMs}`);
    fs.writeFileSync(file, wav);
    return wav;
  },
});
const save = (id: string, talkMs: number): Promise<string> =>
  (platform as unknown as { saveRecording(id: string, r: Recorder, ms: number, lang: 'ru'): Promise<string> }).saveRecording(id, new Recorder(), talkMs, 'ru');

describe('the sandbox platform’s recordings', () => {
  it('are downloaded from memory right after the call, from the file after that, and only by a signed link', async () => {
    const id = 'sbx-00000000-0000-4000-8000-000000000001';
    const url = await save(id, 1000);
    fs.writeFileSync(path.join(mediaDir, `${id}.wav`), 'RIFF the file'); // tells the two apart
    expect((await platform.downloadRecording(url, { maxBytes: 1e6 })).bytes.toString()).toBe('RIFF call 1 1000');
    expect((await platform.downloadRecording(url, { maxBytes: 1e6 })).bytes.toString()).toBe('RIFF the file');
    await expect(platform.downloadRecording(url.replace(/sig=[0-9a-f]+/, `sig=${'0'.repeat(64)}`), { maxBytes: 1e6 })).rejects.toThrow(/not a sandbox recording link/);
  });

  it('refuse one larger than the engine takes, from memory as from the file', async () => {
    const id = 'sbx-00000000-0000-4000-8000-000000000002';
    const url = await save(id, 2000);
    await expect(platform.downloadRecording(url, { maxBytes: 5 })).rejects.toThrow(/too large/);
  });
});
