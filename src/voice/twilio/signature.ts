import crypto from 'node:crypto';
import twilioWebhooks from 'twilio/lib/webhooks/webhooks.js';
import { safeEqual } from '../../core/crypto.js';
import type { TwilioProfileName } from './profiles.js';

/**
 * Each provider's webhook signature, checked before anything in the request is used:
 * - Twilio: `X-Twilio-Signature`, HMAC-SHA1 (base64) of the URL as registered plus the sorted form
 *   parameters, keyed with the Auth Token — checked by the official `twilio` package (it also
 *   tries the URL with and without the standard port, as Twilio's own signer varies), which
 *   compares in constant time;
 * - SignalWire: the same scheme keyed with the project's Signing Key, header
 *   `X-SignalWire-Signature` (or `X-Twilio-Signature`); a JSON callback is signed as hex
 *   HMAC-SHA1 of URL + raw body;
 * - Telnyx: Ed25519 over "<telnyx-timestamp>|<raw body>" with the account's public key, headers
 *   `telnyx-signature-ed25519` and `telnyx-timestamp`, within five minutes.
 */
export interface SignedRequest {
  /** The full public URL the provider requested (PUBLIC_URL + path + query), never rebuilt from Host. */
  url: string;
  rawBody: string;
  /** Form fields (string values; JSON callbacks flattened). */
  params: Record<string, string>;
  contentType: 'form' | 'json';
  header(name: string): string | undefined;
  nowSec: number;
}

const MAX_SKEW_SEC = 300;

export function verifySignature(profile: TwilioProfileName, key: string, r: SignedRequest): boolean {
  switch (profile) {
    case 'twilio': {
      const sig = r.header('x-twilio-signature');
      return Boolean(sig) && twilioWebhooks.validateRequest(key, sig!, r.url, r.params);
    }
    case 'signalwire': {
      const sig = r.header('x-signalwire-signature') ?? r.header('x-twilio-signature');
      if (!sig) return false;
      if (r.contentType === 'json') return safeEqual(sig, crypto.createHmac('sha1', key).update(r.url + r.rawBody).digest('hex'));
      return twilioWebhooks.validateRequest(key, sig, r.url, r.params);
    }
    case 'telnyx':
      return verifyTelnyx(key, r);
  }
}

/** Telnyx public keys are given as base64 of the raw 32-byte Ed25519 key: wrap it as an SPKI key. */
function telnyxKey(base64: string): crypto.KeyObject | undefined {
  const raw = Buffer.from(base64.trim(), 'base64');
  if (raw.length !== 32) return undefined;
  const spkiPrefix = Buffer.from('302a300506032b6570032100', 'hex');
  return crypto.createPublicKey({ key: Buffer.concat([spkiPrefix, raw]), format: 'der', type: 'spki' });
}

function verifyTelnyx(publicKey: string, r: SignedRequest): boolean {
  const sig = r.header('telnyx-signature-ed25519');
  const ts = Number(r.header('telnyx-timestamp'));
  if (!sig || !Number.isInteger(ts) || Math.abs(r.nowSec - ts) > MAX_SKEW_SEC) return false;
  const key = telnyxKey(publicKey);
  if (!key) return false;
  try {
    return crypto.verify(null, Buffer.from(`${ts}|${r.rawBody}`, 'utf8'), key, Buffer.from(sig, 'base64'));
  } catch {
    return false; // a malformed signature is simply not valid
  }
}
