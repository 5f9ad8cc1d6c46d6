import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoximplantApi } from '../../../src/voice/voximplant/managementApi.js';
import { setupVoximplant } from '../../../src/voice/voximplant/setup.js';
import { startTwilioEmulator, type TwilioEmulator } from '../../fakes/twilio/index.js';
import { startVoximplantEmulator, type VoximplantEmulator } from '../../fakes/voximplant/index.js';
import { startTestApp, type TestApp } from '../../support/app.js';

/**
 * Several platforms configured at once: the default is VOICE_PLATFORM, a template may name another
 * configured one, and asking a platform for what it cannot do is refused when the template is saved.
 */
let t: TestApp;
let tw: TwilioEmulator;
let vox: VoximplantEmulator;
let settings: Record<string, unknown>;
let templateId: string;

beforeAll(async () => {
  tw = await startTwilioEmulator({ profile: 'twilio', timeScale: 0.01 });
  vox = await startVoximplantEmulator({ timeScale: 0.01 });
  t = await startTestApp({ ...tw.env, ...vox.env, VOICE_PLATFORM: 'sandbox', CRM_ALLOW_HTTP: 'true', TWILIO_PRICE_PER_MINUTE: '0.014', VOXIMPLANT_CURRENCY: 'RUB' });
  const c = t.dozvon.app.config.voice.voximplant!;
  await setupVoximplant(new VoximplantApi(c, t.dozvon.app.outbound), c, t.url);
  const list = await t.api<{ templates: { id: string; settings: Record<string, unknown> }[] }>('GET', '/templates');
  templateId = list.body.templates[0]!.id;
  settings = list.body.templates[0]!.settings;
});
afterAll(async () => {
  await t?.stop();
  await tw?.stop();
  await vox?.stop();
});

describe('voice platforms of a template', () => {
  it('lists the platforms, which are configured, the default, and what each can do', async () => {
    const r = await t.api<{ default: string; platforms: { name: string; configured: boolean; capabilities: { voices: { id: string }[] } }[] }>('GET', '/voice-platforms');
    expect(r.status).toBe(200);
    expect(r.body.default).toBe('sandbox');
    expect(Object.fromEntries(r.body.platforms.map((p) => [p.name, p.configured]))).toEqual({ sandbox: true, voximplant: true, twilio: true, signalwire: false, telnyx: false });
    expect(r.body.platforms.find((p) => p.name === 'voximplant')!.capabilities.voices.map((v) => v.id)).toContain('Yandex.Neural.ru_RU_alena');
  });

  it('one template switched between the sandbox, Voximplant and Twilio: each call goes where the template says', async () => {
    for (const platform of ['sandbox', 'voximplant', 'twilio'] as const) {
      const put = await t.api('PUT', `/templates/${templateId}`, { ...settings, voice: { platform } });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      const placed = await t.api<{ id: string }>('POST', '/test-calls', { templateId, phone: '+79000000004', variables: { name: 'Anna' } });
      const a = await t.api<{ platform: string; outcome: string; result: string; cost: number | null; costCurrency: string | null }>('GET', `/attempts/${placed.body.id}?wait=60`);
      expect(a.body).toMatchObject({ platform, outcome: 'human', result: 'interested' });
      if (platform === 'twilio') expect(a.body).toMatchObject({ cost: expect.any(Number), costCurrency: 'USD' });
      if (platform === 'voximplant') expect(a.body).toMatchObject({ cost: expect.any(Number), costCurrency: 'RUB' });
    }
    expect(tw.calls).toHaveLength(1);
    expect(vox.sessions).toHaveLength(1);
  });

  it('refuses what the platform cannot do or is not configured, naming the reason in the caller’s language', async () => {
    const save = (voice: Record<string, unknown>, lang = 'en') => t.api<{ error: { details: { path: string; message: string }[] } }>('POST', `/templates?lang=${lang}`, { ...settings, name: `V ${Math.random()}`, voice });
    const notHere = await save({ platform: 'telnyx' });
    expect(notHere.status).toBe(422);
    expect(notHere.body.error.details[0]).toMatchObject({ path: 'voice.platform', message: expect.stringContaining('telnyx') });
    const wrongVoice = await save({ platform: 'twilio', ttsVoice: 'Yandex.Neural.ru_RU_alena' });
    expect(wrongVoice.status).toBe(422);
    expect(wrongVoice.body.error.details[0]).toMatchObject({ path: 'voice.ttsVoice', message: 'twilio cannot do this: it has no voice "Yandex.Neural.ru_RU_alena"' });
    const otherLanguage = await save({ platform: 'twilio', ttsVoice: 'Polly.Tatyana' }, 'ru');
    expect(otherLanguage.body.error.details[0]!.message).toBe('twilio так не умеет: голос «Polly.Tatyana» не говорит на языке en-US');
    const hints = await save({ platform: 'voximplant', recognizer: 'Google.en_US', speechHints: ['Dozvon'] });
    expect(hints.status).toBe(201);
    const hintsIgnored = await save({ platform: 'voximplant', speechHints: ['Dozvon'] });
    expect(hintsIgnored.body.error.details[0]).toMatchObject({ path: 'voice.speechHints', message: expect.stringContaining('Google.ru_RU, Google.en_US') });
    const ok = await save({ platform: 'twilio', ttsVoice: 'Polly.Joanna-Neural', recognizer: 'phone_call', speechHints: ['Dozvon'] });
    expect(ok.status).toBe(201);
  });
});
