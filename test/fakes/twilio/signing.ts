import crypto from 'node:crypto';

/**
 * How each provider signs the webhooks it sends, written from the providers' documentation (not
 * with Dozvon's own verifier, so the two are checked against each other):
 * - Twilio / SignalWire (form posts): HMAC-SHA1 over the URL followed by every parameter name and
 *   value, names sorted, base64 — keyed with the Auth Token (Twilio) or the Signing Key (SignalWire);
 * - Telnyx: Ed25519 over "<unix timestamp>|<raw body>", base64, with the account's key pair.
 */
export function twilioSignature(key: string, url: string, params: Record<string, string>): string {
  let data = url;
  for (const name of Object.keys(params).sort()) data += name + params[name];
  return crypto.createHmac('sha1', key).update(data, 'utf8').digest('base64');
}

export interface TelnyxKeys {
  privateKey: crypto.KeyObject;
  /** What the user copies into TELNYX_PUBLIC_KEY: base64 of the raw 32-byte key. */
  publicKeyBase64: string;
}

export function telnyxKeys(): TelnyxKeys {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return { privateKey, publicKeyBase64: der.subarray(der.length - 32).toString('base64') };
}

export function telnyxSignature(keys: TelnyxKeys, timestamp: number, body: string): string {
  return crypto.sign(null, Buffer.from(`${timestamp}|${body}`, 'utf8'), keys.privateKey).toString('base64');
}
