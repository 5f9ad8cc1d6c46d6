import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
};

const TWILIO = { TWILIO_ACCOUNT_SID: 'AC1', TWILIO_AUTH_TOKEN: 'tok', TWILIO_FROM: '+15005550006' };

describe('voice-platform settings', () => {
  it('the sandbox needs nothing and is the default', () => {
    const c = loadConfig({});
    expect(c.voice.defaultPlatform).toBe('sandbox');
    expect(c.voice.twilio).toBeUndefined();
  });

  it('a platform named by VOICE_PLATFORM without its settings stops the start, naming each missing one', () => {
    expect(problemsOf({ VOICE_PLATFORM: 'voximplant' })).toEqual(['VOICE_PLATFORM voximplant: missing VOXIMPLANT_ACCOUNT_ID, VOXIMPLANT_KEY_ID, VOXIMPLANT_PRIVATE_KEY, VOXIMPLANT_FROM']);
    expect(problemsOf({ VOICE_PLATFORM: 'telnyx', TELNYX_API_KEY: 'k', TELNYX_FROM: '+1' })).toEqual(['VOICE_PLATFORM telnyx: missing TELNYX_PUBLIC_KEY, TELNYX_TEXML_APP_ID']);
  });

  it('a platform given only some settings stops the start even when it is not the default', () => {
    expect(problemsOf({ SIGNALWIRE_PROJECT_ID: 'p' })).toEqual(['VOICE_PLATFORM signalwire: missing SIGNALWIRE_SPACE_URL, SIGNALWIRE_TOKEN, SIGNALWIRE_SIGNING_KEY, SIGNALWIRE_FROM']);
  });

  it('an unknown platform or an API URL with a path is refused with the setting’s name', () => {
    expect(problemsOf({ VOICE_PLATFORM: 'asterisk' }).join()).toMatch(/VOICE_PLATFORM/);
    expect(problemsOf({ ...TWILIO, TWILIO_API_URL: 'https://api.twilio.com/2010-04-01' }).join()).toMatch(/TWILIO_API_URL must be an origin without a path/);
  });

  it('several platforms at once; defaults for API origins, calls per second and currency', () => {
    const c = loadConfig({ ...TWILIO, VOICE_PLATFORM: 'twilio', TWILIO_CPS: '5', SIGNALWIRE_SPACE_URL: 'https://x.signalwire.com', SIGNALWIRE_PROJECT_ID: 'p', SIGNALWIRE_TOKEN: 't', SIGNALWIRE_SIGNING_KEY: 's', SIGNALWIRE_FROM: '+1' });
    expect(c.voice.defaultPlatform).toBe('twilio');
    expect(c.voice.twilio).toMatchObject({ apiUrl: 'https://api.twilio.com', accountId: 'AC1', webhookKey: 'tok', cps: 5, currency: 'USD' });
    // SignalWire's webhooks are verified with the Signing Key, not the API token.
    expect(c.voice.signalwire).toMatchObject({ apiUrl: 'https://x.signalwire.com', secret: 't', webhookKey: 's', cps: 1 });
  });

  it('Voximplant reads the downloaded service-account file; a PEM with literal \\n is restored', () => {
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pemText = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vox-'));
    const file = path.join(dir, 'credentials.json');
    fs.writeFileSync(file, JSON.stringify({ account_email: 'a@b.c', account_id: 4242, key_id: 'kid-1', private_key: pemText }));
    try {
      const c = loadConfig({ VOICE_PLATFORM: 'voximplant', VOXIMPLANT_CREDENTIALS_FILE: file, VOXIMPLANT_FROM: '+74950000000' });
      expect(c.voice.voximplant).toMatchObject({ accountId: 4242, keyId: 'kid-1', privateKey: pemText, apiUrl: 'https://api.voximplant.com', application: 'dozvon' });
      const escaped = pemText.replace(/\n/g, '\\n');
      const d = loadConfig({ VOXIMPLANT_ACCOUNT_ID: '1', VOXIMPLANT_KEY_ID: 'k', VOXIMPLANT_PRIVATE_KEY: escaped, VOXIMPLANT_FROM: '+7' });
      expect(d.voice.voximplant?.privateKey).toBe(pemText);
      expect(problemsOf({ VOICE_PLATFORM: 'voximplant', VOXIMPLANT_CREDENTIALS_FILE: path.join(dir, 'missing.json'), VOXIMPLANT_FROM: '+7' }).join('\n')).toMatch(/VOXIMPLANT_CREDENTIALS_FILE: cannot read a service-account key/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
