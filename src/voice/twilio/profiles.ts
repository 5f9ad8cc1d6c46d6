import type { AmdVerdict } from '../../core/outcome.js';
import type { TwilioFamilyConfig } from '../voiceConfig.js';

/**
 * What differs between Twilio and its TwiML-compatible relatives (SignalWire cXML, Telnyx TeXML):
 * where the REST API lives and how it authenticates, how a call is created, and what the answering
 * machine verdicts are called. Everything else — one TwiML document per interpreter step, the
 * callbacks — is shared (see the shared brief, §2).
 */
export type TwilioProfileName = TwilioFamilyConfig['profile'];

export interface TwilioProfile {
  name: TwilioProfileName;
  /** Base of the 2010-style account resources (calls, recordings). */
  accountBase(c: TwilioFamilyConfig, accountSid?: string): string;
  /** Where a call is created. */
  createUrl(c: TwilioFamilyConfig): string;
  authorization(c: TwilioFamilyConfig): string;
  /** Create-call bodies: form-encoded (repeated keys for lists) or JSON. */
  encoding: 'form' | 'json';
  /** Seconds (Twilio, SignalWire) or milliseconds (Telnyx) for MachineDetectionTimeout. */
  amdTimeoutUnit: 's' | 'ms';
  /** The call records itself from the REST request; otherwise the first TwiML document starts it. */
  recordByRequest: boolean;
  /** `<Gather>` takes `hints`. */
  gatherHints: boolean;
  /** The `<Gather>` attribute naming the recogniser. */
  recognizerAttribute: 'speechModel' | 'transcriptionEngine';
  /** Recordings may be fetched with the account's credentials only from the API's own origin. */
  recordingAuth: 'basic_same_origin' | 'none';
}

const basic = (c: TwilioFamilyConfig) => `Basic ${Buffer.from(`${c.accountId}:${c.secret}`).toString('base64')}`;

export const PROFILES: Record<TwilioProfileName, TwilioProfile> = {
  twilio: {
    name: 'twilio',
    accountBase: (c) => `${c.apiUrl}/2010-04-01/Accounts/${encodeURIComponent(c.accountId)}`,
    createUrl: (c) => `${c.apiUrl}/2010-04-01/Accounts/${encodeURIComponent(c.accountId)}/Calls.json`,
    authorization: basic,
    encoding: 'form',
    amdTimeoutUnit: 's',
    recordByRequest: true,
    gatherHints: true,
    recognizerAttribute: 'speechModel',
    recordingAuth: 'basic_same_origin',
  },
  signalwire: {
    name: 'signalwire',
    accountBase: (c) => `${c.apiUrl}/api/laml/2010-04-01/Accounts/${encodeURIComponent(c.accountId)}`,
    createUrl: (c) => `${c.apiUrl}/api/laml/2010-04-01/Accounts/${encodeURIComponent(c.accountId)}/Calls.json`,
    authorization: basic,
    encoding: 'form',
    amdTimeoutUnit: 's',
    recordByRequest: true,
    gatherHints: true,
    recognizerAttribute: 'speechModel',
    recordingAuth: 'basic_same_origin',
  },
  telnyx: {
    name: 'telnyx',
    // Telnyx's call resources hang under the account that owns the TeXML application; its id comes
    // back with the created call and in every callback (AccountSid).
    accountBase: (c, accountSid) => `${c.apiUrl}/v2/texml/Accounts/${encodeURIComponent(accountSid ?? '')}`,
    // The application-scoped create needs no account id: TELNYX_TEXML_APP_ID is all a user has to copy.
    createUrl: (c) => `${c.apiUrl}/v2/texml/calls/${encodeURIComponent(c.accountId)}`,
    authorization: (c) => `Bearer ${c.secret}`,
    encoding: 'json',
    amdTimeoutUnit: 'ms',
    recordByRequest: false,
    gatherHints: false,
    recognizerAttribute: 'transcriptionEngine',
    // Recording links are pre-signed storage URLs: no credentials are sent anywhere.
    recordingAuth: 'none',
  },
};

/** `AnsweredBy` of any of the three → Dozvon's verdict. A fax is a machine for the outcome. */
export function verdictOf(answeredBy: string | undefined): AmdVerdict | undefined {
  if (!answeredBy) return undefined;
  if (answeredBy === 'human') return 'human';
  if (answeredBy === 'unknown') return 'not_sure';
  if (answeredBy === 'fax' || answeredBy === 'machine' || answeredBy.startsWith('machine_')) return 'machine';
  return 'not_sure';
}
