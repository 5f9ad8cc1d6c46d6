import type { VoicePlatformName } from '../../../src/core/voiceSettings.js';
import { signCallback } from '../../../src/voice/sandbox/callbackSignature.js';
import { startTwilioEmulator, type Profile, type TwilioEmulator } from '../../fakes/twilio/index.js';
import { startVoximplantEmulator } from '../../fakes/voximplant/index.js';
import { VoximplantApi } from '../../../src/voice/voximplant/managementApi.js';
import { setupVoximplant } from '../../../src/voice/voximplant/setup.js';
import type { TestApp } from '../../support/app.js';

/**
 * One platform as the shared end-to-end suite (platformSuite.ts) sees it: the settings Dozvon needs
 * to use it, and the levers a test pulls on the far side (replay or forge a callback, make the
 * platform refuse or lose requests, see what reached the callee's phone).
 */
export interface PlatformHarness {
  name: VoicePlatformName;
  env: Record<string, string>;
  /** The platform can be told to fail requests (emulators); the sandbox has only its 0009 number. */
  faults: boolean;
  /** Delivers the platform's last callback for this call again, `times` times; the HTTP statuses. */
  replayLast(t: TestApp, attemptId: string, times: number): Promise<number[]>;
  /** A callback for this call that claims it ended busy, with a wrong signature; the HTTP status. */
  forge(t: TestApp, attemptId: string): Promise<number>;
  refuseCreates(count: number, status: number): void;
  /** The next `count` create requests get their connection dropped, unanswered (the platform is down). */
  resetCreates(count: number): void;
  dropCreateResponses(count: number): void;
  /** Calls the platform started to this number, and whether each was answered. */
  callsTo(number: string): { answered: boolean }[];
  /** URLs the platform played (the AMD greeting). */
  played(): string[];
  /** The emulator itself, for a failing test's diagnostics. */
  debug?: unknown;
  /** Once Dozvon runs: what the platform's setup needs (Voximplant: upload the scenario with Dozvon's URL). */
  prepare?(t: TestApp): Promise<void>;
  stop(): Promise<void>;
}

export async function sandboxHarness(): Promise<PlatformHarness> {
  return {
    name: 'sandbox',
    env: {},
    faults: false,
    async replayLast(t, attemptId, times) {
      const last = await t.dozvon.app.db.query<{ payload: unknown }>('SELECT payload FROM call_events WHERE attempt_id = $1 ORDER BY seq DESC LIMIT 1', [attemptId]);
      const body = JSON.stringify(last.rows[0]!.payload);
      const out: number[] = [];
      for (let i = 0; i < times; i++) {
        const res = await fetch(`${t.url}/voice/sandbox/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...signCallback(t.dozvon.app.keys.voiceCallback, body, Math.floor(Date.now() / 1000)) },
          body,
        });
        await res.arrayBuffer();
        out.push(res.status);
      }
      return out;
    },
    async forge(t, attemptId) {
      const body = JSON.stringify({ attemptId, providerCallId: 'sbx-forged', seq: 999, at: new Date().toISOString(), type: 'ended', cause: 'busy', sipCode: 486, durationSec: 1, talkSec: 0, answeredAt: null, recordingUrl: null, error: null });
      const res = await fetch(`${t.url}/voice/sandbox/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-dozvon-timestamp': String(Math.floor(Date.now() / 1000)), 'x-dozvon-signature': `sha256=${'0'.repeat(64)}` }, body });
      await res.arrayBuffer();
      return res.status;
    },
    refuseCreates: () => {
      throw new Error('the sandbox has no fault injection');
    },
    resetCreates: () => {
      throw new Error('the sandbox has no fault injection');
    },
    dropCreateResponses: () => {
      throw new Error('the sandbox has no fault injection');
    },
    callsTo: () => [],
    played: () => [],
    stop: async () => undefined,
  };
}

export async function twilioFamilyHarness(profile: Profile, timeScale: number): Promise<PlatformHarness> {
  const emu: TwilioEmulator = await startTwilioEmulator({ profile, timeScale });
  const callOf = (attemptId: string) => emu.webhooks.filter((w) => w.url.includes(`/calls/${attemptId}/`));
  return {
    name: profile,
    env: { ...emu.env, VOICE_PLATFORM: profile },
    faults: true,
    async replayLast(_t, attemptId, times) {
      const last = callOf(attemptId).at(-1)!;
      const out: number[] = [];
      for (let i = 0; i < times; i++) {
        const res = await fetch(last.url, { method: 'POST', headers: last.headers, body: last.body });
        await res.arrayBuffer();
        out.push(res.status);
      }
      return out;
    },
    async forge(_t, attemptId) {
      const last = callOf(attemptId).find((w) => w.kind.startsWith('status:'))!;
      const params = new URLSearchParams(last.body);
      params.set('CallStatus', 'busy');
      params.set('SequenceNumber', '99');
      const headers = { ...last.headers };
      for (const h of Object.keys(headers)) if (/signature/i.test(h)) headers[h] = profile === 'telnyx' ? Buffer.alloc(64).toString('base64') : 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=';
      const res = await fetch(last.url, { method: 'POST', headers, body: params.toString() });
      await res.arrayBuffer();
      return res.status;
    },
    refuseCreates: (count, status) => void (emu.faults.refuseCreates = { count, status }),
    resetCreates: (count) => void (emu.faults.resetCreates = count),
    dropCreateResponses: (count) => void (emu.faults.dropCreateResponses = count),
    callsTo: (number) => emu.calls.filter((c) => c.to.replace(/\D/g, '') === number.replace(/\D/g, '')).map((c) => ({ answered: c.answeredAt !== undefined })),
    played: () => emu.calls.flatMap((c) => c.played),
    stop: () => emu.stop(),
  };
}

export async function voximplantHarness(timeScale: number): Promise<PlatformHarness> {
  const emu = await startVoximplantEmulator({ timeScale });
  const sessionOf = (attemptId: string) => [...emu.sessions].reverse().find((s) => s.customData.startsWith(`${attemptId}.`));
  return {
    debug: emu,
    name: 'voximplant',
    env: { ...emu.env, VOICE_PLATFORM: 'voximplant' },
    faults: true,
    async prepare(t) {
      const c = t.dozvon.app.config.voice.voximplant!;
      await setupVoximplant(new VoximplantApi(c, t.dozvon.app.outbound), c, t.url);
    },
    async replayLast(_t, attemptId, times) {
      const last = sessionOf(attemptId)!.lastPost!;
      const out: number[] = [];
      for (let i = 0; i < times; i++) {
        const res = await fetch(last.url, { method: 'POST', headers: last.headers, body: last.body });
        await res.arrayBuffer();
        out.push(res.status);
      }
      return out;
    },
    async forge(t, attemptId) {
      const body = JSON.stringify({ v: 1, attemptId, seq: 999, at: new Date().toISOString(), type: 'ended', failCode: 486, durationSec: 1, talkSec: 0 });
      const res = await fetch(`${t.url}/voice/voximplant/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-dozvon-timestamp': String(Math.floor(Date.now() / 1000)), 'x-dozvon-signature': `sha256=${'0'.repeat(64)}` }, body });
      await res.arrayBuffer();
      return res.status;
    },
    resetCreates: (count) => void (emu.faults.resetStarts = count),
    refuseCreates: (count, status) => void (emu.faults.refuseStarts = status === 429 ? { count, httpStatus: 429 } : { count, httpStatus: status }),
    dropCreateResponses: (count) => void (emu.faults.dropStartResponses = count),
    callsTo: (number) => emu.sessions.filter((s) => (s.to ?? '').replace(/\D/g, '') === number.replace(/\D/g, '')).map((s) => ({ answered: s.answered })),
    played: () => emu.sessions.flatMap((s) => s.played),
    stop: () => emu.stop(),
  };
}
