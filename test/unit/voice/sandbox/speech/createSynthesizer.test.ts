import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSynthesizer } from '../../../../../src/voice/sandbox/speech/createSynthesizer.js';
import { probeEspeak } from '../../../../../src/voice/sandbox/speech/probeEspeak.js';
import { SpeechSynthesisError } from '../../../../../src/voice/sandbox/speech/speechSynthesizer.js';
import { createFakeEspeak, type FakeEspeak } from './support/fakeEspeak.js';

const ESPEAK = '/usr/bin/espeak-ng';
const HAS_ESPEAK = existsSync(ESPEAK);
/** Titles say why a test did not run, so a green run without espeak-ng is visibly partial. */
const needsEspeak = (title: string) => (HAS_ESPEAK ? title : `${title} [skipped: ${ESPEAK} not installed]`);
const MISSING = '/nonexistent/bin/espeak-ng';

describe('createSynthesizer', () => {
  let fake: FakeEspeak;
  beforeAll(() => {
    fake = createFakeEspeak();
  });
  afterAll(() => fake.cleanup());

  it('generated: never touches espeak-ng', async () => {
    expect((await createSynthesizer('generated', { command: MISSING })).kind).toBe('generated');
  });

  it('auto: falls back to the generated voice when espeak-ng is missing', async () => {
    expect((await createSynthesizer('auto', { command: MISSING })).kind).toBe('generated');
  });

  it('auto: does not take any program that answers --version for espeak-ng', async () => {
    expect((await createSynthesizer('auto', { command: fake.command('not-espeak') })).kind).toBe('generated');
  });

  it('auto: uses espeak-ng when the probe answers like espeak-ng', async () => {
    expect((await createSynthesizer('auto', { command: fake.command('speak') })).kind).toBe('espeak');
  });

  it('espeak: fails with a clear, coded error when espeak-ng is missing', async () => {
    const attempt = createSynthesizer('espeak', { command: MISSING });
    await expect(attempt).rejects.toBeInstanceOf(SpeechSynthesisError);
    await expect(attempt).rejects.toMatchObject({ code: 'espeak_unavailable' });
    await expect(attempt).rejects.toThrow(/apt-get install espeak-ng.*SANDBOX_TTS/s);
  });

  it('probes each command once and remembers the answer', async () => {
    const command = fake.command('speak');
    const before = fake.calls().length;
    const first = await probeEspeak(command);
    await probeEspeak(command);
    await createSynthesizer('auto', { command });
    expect(first).toMatchObject({ available: true, version: expect.stringContaining('eSpeak NG') as unknown });
    // The probe ran at most once in this test (earlier tests may already have probed this command).
    expect(fake.calls().length - before).toBeLessThanOrEqual(1);
  });

  it.skipIf(!HAS_ESPEAK)(needsEspeak('auto and espeak pick the installed espeak-ng'), async () => {
    expect((await createSynthesizer('auto', { command: ESPEAK })).kind).toBe('espeak');
    expect((await createSynthesizer('espeak', { command: ESPEAK })).kind).toBe('espeak');
  });
});
