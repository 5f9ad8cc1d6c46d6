import { hmacHex, safeEqual } from '../core/crypto.js';

/**
 * Recording links for CRMs and players: `/recordings/<id>?exp=<unix seconds | 0>&sig=<hmac>`.
 * exp=0 is a permanent link (what goes into a CRM timeline); otherwise it expires.
 */
export function signRecordingPath(key: Buffer, mediaId: string, expiresAt: Date | null): string {
  const exp = expiresAt ? Math.floor(expiresAt.getTime() / 1000) : 0;
  return `/recordings/${mediaId}?exp=${exp}&sig=${hmacHex(key, `${mediaId}.${exp}`)}`;
}

export type RecordingLinkCheck = 'ok' | 'bad_signature' | 'expired';

export function verifyRecordingLink(key: Buffer, mediaId: string, exp: string, sig: string, now: Date): RecordingLinkCheck {
  if (!/^\d{1,12}$/.test(exp) || !safeEqual(sig, hmacHex(key, `${mediaId}.${exp}`))) return 'bad_signature';
  const e = Number(exp);
  if (e !== 0 && e * 1000 < now.getTime()) return 'expired';
  return 'ok';
}
