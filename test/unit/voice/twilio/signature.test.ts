import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifySignature, type SignedRequest } from '../../../../src/voice/twilio/signature.js';

const URL_ = 'https://dozvon.example.com/voice/twilio/calls/01J0ATTEMPT/heard/2';
const PARAMS = { CallSid: 'CA0123', SpeechResult: 'да, интересно', Digits: '', Confidence: '0.91' };

/** Twilio's documented scheme, computed here independently of the code under test. */
function twilioSignature(key: string, url: string, params: Record<string, string>): string {
  const data = url + Object.keys(params).sort().map((k) => k + params[k]).join('');
  return crypto.createHmac('sha1', key).update(data, 'utf8').digest('base64');
}

function request(o: Partial<SignedRequest> & { headers: Record<string, string> }): SignedRequest {
  const params = o.params ?? PARAMS;
  return {
    url: o.url ?? URL_,
    rawBody: o.rawBody ?? new URLSearchParams(params).toString(),
    params,
    contentType: o.contentType ?? 'form',
    header: (n) => o.headers[n.toLowerCase()],
    nowSec: o.nowSec ?? 1_800_000_000,
  };
}

describe('webhook signatures of the Twilio family', () => {
  it('Twilio: HMAC-SHA1 of URL and sorted parameters with the Auth Token; anything changed is refused', () => {
    const sig = twilioSignature('token-1', URL_, PARAMS);
    expect(verifySignature('twilio', 'token-1', request({ headers: { 'x-twilio-signature': sig } }))).toBe(true);
    expect(verifySignature('twilio', 'token-2', request({ headers: { 'x-twilio-signature': sig } }))).toBe(false);
    expect(verifySignature('twilio', 'token-1', request({ headers: { 'x-twilio-signature': sig }, params: { ...PARAMS, Digits: '9' } }))).toBe(false);
    expect(verifySignature('twilio', 'token-1', request({ headers: { 'x-twilio-signature': sig }, url: URL_.replace('/2', '/3') }))).toBe(false);
    expect(verifySignature('twilio', 'token-1', request({ headers: {} }))).toBe(false);
  });

  it('SignalWire: the same scheme keyed with the Signing Key, under either header; JSON callbacks as hex over URL + body', () => {
    const sig = twilioSignature('PSK_signing', URL_, PARAMS);
    expect(verifySignature('signalwire', 'PSK_signing', request({ headers: { 'x-signalwire-signature': sig } }))).toBe(true);
    expect(verifySignature('signalwire', 'PSK_signing', request({ headers: { 'x-twilio-signature': sig } }))).toBe(true);
    expect(verifySignature('signalwire', 'the-api-token', request({ headers: { 'x-signalwire-signature': sig } }))).toBe(false);
    const body = JSON.stringify({ call_id: 'c1', call_state: 'ended' });
    const hex = crypto.createHmac('sha1', 'PSK_signing').update(URL_ + body).digest('hex');
    const json = (h: string, b = body) => request({ headers: { 'x-signalwire-signature': h }, contentType: 'json', rawBody: b, params: {} });
    expect(verifySignature('signalwire', 'PSK_signing', json(hex))).toBe(true);
    expect(verifySignature('signalwire', 'PSK_signing', json(hex, body.replace('ended', 'busy')))).toBe(false);
  });

  describe('Telnyx: Ed25519 over "<timestamp>|<raw body>" with the account’s public key', () => {
    const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
    // The portal shows the raw 32-byte key in base64: the tail of the SPKI encoding.
    const publicB64 = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');
    const now = 1_800_000_000;
    const body = new URLSearchParams(PARAMS).toString();
    const sign = (ts: number, b: string) => crypto.sign(null, Buffer.from(`${ts}|${b}`), privateKey).toString('base64');
    const req = (sig: string, ts: number, b = body) => request({ headers: { 'telnyx-signature-ed25519': sig, 'telnyx-timestamp': String(ts) }, rawBody: b, nowSec: now });

    it('a genuine callback is accepted', () => {
      expect(verifySignature('telnyx', publicB64, req(sign(now - 2, body), now - 2))).toBe(true);
    });

    it('a changed body, another key, an old timestamp or garbage is refused without throwing', () => {
      expect(verifySignature('telnyx', publicB64, req(sign(now, body), now, body.replace('CA0123', 'CA9999')))).toBe(false);
      const other = crypto.generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');
      expect(verifySignature('telnyx', other, req(sign(now, body), now))).toBe(false);
      expect(verifySignature('telnyx', publicB64, req(sign(now - 301, body), now - 301))).toBe(false);
      expect(verifySignature('telnyx', publicB64, req('not a signature', now))).toBe(false);
      expect(verifySignature('telnyx', 'c2hvcnQ=', req(sign(now, body), now))).toBe(false);
      expect(verifySignature('telnyx', publicB64, request({ headers: {}, nowSec: now }))).toBe(false);
    });
  });
});
