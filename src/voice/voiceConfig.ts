import fs from 'node:fs';
import { z } from 'zod';
import { VOICE_PLATFORMS, type VoicePlatformName } from '../core/voiceSettings.js';

/**
 * The voice platforms' settings (names fixed in shared/ARCHITECTURE.md, External contracts). A
 * platform is configured when its settings are present; one named by VOICE_PLATFORM, or given some
 * settings but not all, stops the start with a message naming each missing setting.
 * `*_PRICE_PER_MINUTE` / `*_CURRENCY` price the calls a platform does not price itself; `*_CPS` is
 * the account's calls-per-second limit that Dozvon's pacing keeps under.
 */
export interface VoximplantConfig {
  accountId: number;
  keyId: string;
  privateKey: string;
  from: string | undefined;
  apiUrl: string;
  /** Application (and rule/scenario name prefix) the setup command creates. */
  application: string;
  pricePerMinute: number | undefined;
  currency: string;
  cps: number;
}

export interface TwilioFamilyConfig {
  profile: 'twilio' | 'signalwire' | 'telnyx';
  /** Origin of the REST API (an emulator's in tests). */
  apiUrl: string;
  /** Twilio: Account SID; SignalWire: Project ID; Telnyx: TeXML application id. */
  accountId: string;
  /** Twilio: Auth Token; SignalWire: API token; Telnyx: API key. */
  secret: string;
  /** What webhooks are verified with: Twilio's Auth Token, SignalWire's Signing Key, Telnyx's public key. */
  webhookKey: string;
  from: string | undefined;
  pricePerMinute: number | undefined;
  currency: string;
  cps: number;
}

export interface VoiceConfig {
  defaultPlatform: VoicePlatformName;
  voximplant: VoximplantConfig | undefined;
  twilio: TwilioFamilyConfig | undefined;
  signalwire: TwilioFamilyConfig | undefined;
  telnyx: TwilioFamilyConfig | undefined;
}

const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);
const str = z.preprocess(emptyToUndefined, z.string().optional());
const origin = (name: string) =>
  z.preprocess(
    emptyToUndefined,
    z
      .url({ message: `${name} must be an absolute http(s) URL` })
      .refine((u) => /^https?:\/\//.test(u) && new URL(u).pathname.replace(/\/+$/, '') === '', { message: `${name} must be an origin without a path, e.g. https://api.example.com` })
      .optional(),
  );
const price = z.preprocess(emptyToUndefined, z.coerce.number().min(0).max(100).optional());
const currency = z.preprocess(emptyToUndefined, z.string().regex(/^[A-Z]{3}$/, { message: 'a currency code such as USD or RUB' }).optional());
const cps = z.preprocess(emptyToUndefined, z.coerce.number().positive().max(1000).optional());

export const voiceEnvSchema = z.object({
  VOICE_PLATFORM: z.preprocess(emptyToUndefined, z.enum(VOICE_PLATFORMS).default('sandbox')),
  VOXIMPLANT_ACCOUNT_ID: z.preprocess(emptyToUndefined, z.string().regex(/^\d+$/, { message: 'VOXIMPLANT_ACCOUNT_ID is a number' }).optional()),
  VOXIMPLANT_KEY_ID: str,
  VOXIMPLANT_PRIVATE_KEY: str,
  VOXIMPLANT_CREDENTIALS_FILE: str,
  VOXIMPLANT_FROM: str,
  VOXIMPLANT_API_URL: origin('VOXIMPLANT_API_URL'),
  VOXIMPLANT_APPLICATION: z.preprocess(emptyToUndefined, z.string().regex(/^[a-z][a-z0-9-]{1,40}$/, { message: 'lower-case letters, digits and dashes' }).optional()),
  VOXIMPLANT_PRICE_PER_MINUTE: price,
  VOXIMPLANT_CURRENCY: currency,
  VOXIMPLANT_CPS: cps,
  TWILIO_ACCOUNT_SID: str,
  TWILIO_AUTH_TOKEN: str,
  TWILIO_FROM: str,
  TWILIO_API_URL: origin('TWILIO_API_URL'),
  TWILIO_PRICE_PER_MINUTE: price,
  TWILIO_CURRENCY: currency,
  TWILIO_CPS: cps,
  SIGNALWIRE_SPACE_URL: origin('SIGNALWIRE_SPACE_URL'),
  SIGNALWIRE_PROJECT_ID: str,
  SIGNALWIRE_TOKEN: str,
  SIGNALWIRE_SIGNING_KEY: str,
  SIGNALWIRE_FROM: str,
  SIGNALWIRE_PRICE_PER_MINUTE: price,
  SIGNALWIRE_CURRENCY: currency,
  SIGNALWIRE_CPS: cps,
  TELNYX_API_KEY: str,
  TELNYX_PUBLIC_KEY: str,
  TELNYX_TEXML_APP_ID: str,
  TELNYX_FROM: str,
  TELNYX_API_URL: origin('TELNYX_API_URL'),
  TELNYX_PRICE_PER_MINUTE: price,
  TELNYX_CURRENCY: currency,
  TELNYX_CPS: cps,
});
export type VoiceEnv = z.output<typeof voiceEnvSchema>;

/** Settings without which a platform cannot work (the `*_FROM` caller ID is required too: calls need one). */
const REQUIRED: Record<Exclude<VoicePlatformName, 'sandbox'>, (keyof VoiceEnv)[]> = {
  voximplant: ['VOXIMPLANT_ACCOUNT_ID', 'VOXIMPLANT_KEY_ID', 'VOXIMPLANT_PRIVATE_KEY', 'VOXIMPLANT_FROM'],
  twilio: ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM'],
  signalwire: ['SIGNALWIRE_SPACE_URL', 'SIGNALWIRE_PROJECT_ID', 'SIGNALWIRE_TOKEN', 'SIGNALWIRE_SIGNING_KEY', 'SIGNALWIRE_FROM'],
  telnyx: ['TELNYX_API_KEY', 'TELNYX_PUBLIC_KEY', 'TELNYX_TEXML_APP_ID', 'TELNYX_FROM'],
};

/** The service-account key file Voximplant's control panel downloads (flat JSON). */
const credentialsFileSchema = z.object({ account_id: z.coerce.number().int(), key_id: z.string().min(1), private_key: z.string().min(1) }).loose();

/** Fills the Voximplant key from VOXIMPLANT_CREDENTIALS_FILE when the separate settings are not given. */
function withCredentialsFile(e: VoiceEnv, problems: string[]): VoiceEnv {
  const file = e.VOXIMPLANT_CREDENTIALS_FILE;
  if (!file) return e;
  let parsed: z.output<typeof credentialsFileSchema>;
  try {
    parsed = credentialsFileSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch (err) {
    problems.push(`VOXIMPLANT_CREDENTIALS_FILE: cannot read a service-account key (account_id, key_id, private_key) from ${file}: ${(err as Error).message.split('\n')[0]}`);
    return e;
  }
  return {
    ...e,
    VOXIMPLANT_ACCOUNT_ID: e.VOXIMPLANT_ACCOUNT_ID ?? String(parsed.account_id),
    VOXIMPLANT_KEY_ID: e.VOXIMPLANT_KEY_ID ?? parsed.key_id,
    VOXIMPLANT_PRIVATE_KEY: e.VOXIMPLANT_PRIVATE_KEY ?? parsed.private_key,
  };
}

/** PEM keys in environment variables often arrive with literal "\n": restore the line breaks. */
const pem = (k: string): string => (k.includes('\\n') && !k.includes('\n') ? k.replace(/\\n/g, '\n') : k);

export function readVoiceConfig(raw: VoiceEnv, problems: string[]): VoiceConfig {
  const e = withCredentialsFile(raw, problems);
  const present = (p: Exclude<VoicePlatformName, 'sandbox'>): boolean => REQUIRED[p].some((k) => e[k] !== undefined);
  for (const p of Object.keys(REQUIRED) as Exclude<VoicePlatformName, 'sandbox'>[]) {
    if (e.VOICE_PLATFORM !== p && !present(p)) continue;
    const missing = REQUIRED[p].filter((k) => e[k] === undefined);
    if (missing.length) problems.push(`VOICE_PLATFORM ${p}: missing ${missing.join(', ')}`);
  }
  const complete = (p: Exclude<VoicePlatformName, 'sandbox'>): boolean => REQUIRED[p].every((k) => e[k] !== undefined);
  return {
    defaultPlatform: e.VOICE_PLATFORM,
    voximplant: complete('voximplant')
      ? {
          accountId: Number(e.VOXIMPLANT_ACCOUNT_ID),
          keyId: e.VOXIMPLANT_KEY_ID!,
          privateKey: pem(e.VOXIMPLANT_PRIVATE_KEY!),
          from: e.VOXIMPLANT_FROM,
          apiUrl: e.VOXIMPLANT_API_URL ?? 'https://api.voximplant.com',
          application: e.VOXIMPLANT_APPLICATION ?? 'dozvon',
          pricePerMinute: e.VOXIMPLANT_PRICE_PER_MINUTE,
          currency: e.VOXIMPLANT_CURRENCY ?? 'USD',
          cps: e.VOXIMPLANT_CPS ?? 10,
        }
      : undefined,
    twilio: complete('twilio')
      ? {
          profile: 'twilio',
          apiUrl: e.TWILIO_API_URL ?? 'https://api.twilio.com',
          accountId: e.TWILIO_ACCOUNT_SID!,
          secret: e.TWILIO_AUTH_TOKEN!,
          webhookKey: e.TWILIO_AUTH_TOKEN!,
          from: e.TWILIO_FROM,
          pricePerMinute: e.TWILIO_PRICE_PER_MINUTE,
          currency: e.TWILIO_CURRENCY ?? 'USD',
          cps: e.TWILIO_CPS ?? 1,
        }
      : undefined,
    signalwire: complete('signalwire')
      ? {
          profile: 'signalwire',
          apiUrl: e.SIGNALWIRE_SPACE_URL!,
          accountId: e.SIGNALWIRE_PROJECT_ID!,
          secret: e.SIGNALWIRE_TOKEN!,
          webhookKey: e.SIGNALWIRE_SIGNING_KEY!,
          from: e.SIGNALWIRE_FROM,
          pricePerMinute: e.SIGNALWIRE_PRICE_PER_MINUTE,
          currency: e.SIGNALWIRE_CURRENCY ?? 'USD',
          cps: e.SIGNALWIRE_CPS ?? 1,
        }
      : undefined,
    telnyx: complete('telnyx')
      ? {
          profile: 'telnyx',
          apiUrl: e.TELNYX_API_URL ?? 'https://api.telnyx.com',
          accountId: e.TELNYX_TEXML_APP_ID!,
          secret: e.TELNYX_API_KEY!,
          webhookKey: e.TELNYX_PUBLIC_KEY!,
          from: e.TELNYX_FROM,
          pricePerMinute: e.TELNYX_PRICE_PER_MINUTE,
          currency: e.TELNYX_CURRENCY ?? 'USD',
          cps: e.TELNYX_CPS ?? 1,
        }
      : undefined,
  };
}

/** The account's calls per second on a platform (undefined: no limit to keep, e.g. the sandbox). */
export function platformCps(c: { voice: VoiceConfig }, platform: string): number | undefined {
  switch (platform) {
    case 'voximplant':
      return c.voice.voximplant?.cps;
    case 'twilio':
      return c.voice.twilio?.cps;
    case 'signalwire':
      return c.voice.signalwire?.cps;
    case 'telnyx':
      return c.voice.telnyx?.cps;
    default:
      return undefined;
  }
}
