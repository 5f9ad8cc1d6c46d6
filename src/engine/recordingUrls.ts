import { hmacHex, safeEqual } from '../core/crypto.js';
import type { AppContext } from '../context.js';

/**
 * Recording links for CRMs and players: `/recordings/<id>?exp=<unix seconds | 0>&sig=<hmac>`.
 * exp=0 is a permanent link (what goes into a CRM timeline); otherwise it expires.
 */
export function signRecordingPath(key: Buffer, mediaId: string, expiresAt: Date | null): string {
  const exp = expiresAt ? Math.floor(expiresAt.getTime() / 1000) : 0;
  return `/recordings/${mediaId}?exp=${exp}&sig=${hmacHex(key, `${mediaId}.${exp}`)}`;
}

/** The full link to a stored recording or greeting: permanent when `ttlMs` is null. */
export function signedMediaUrl(app: Pick<AppContext, 'publicUrl' | 'keys' | 'clock'>, mediaId: string, ttlMs: number | null): string {
  const expiresAt = ttlMs === null ? null : new Date(app.clock.now().getTime() + ttlMs);
  return app.publicUrl() + signRecordingPath(app.keys.recordingUrl, mediaId, expiresAt);
}

export type RecordingLinkCheck = 'ok' | 'bad_signature' | 'expired';

export function verifyRecordingLink(key: Buffer, mediaId: string, exp: string, sig: string, now: Date): RecordingLinkCheck {
  if (!/^\d{1,12}$/.test(exp) || !safeEqual(sig, hmacHex(key, `${mediaId}.${exp}`))) return 'bad_signature';
  const e = Number(exp);
  if (e !== 0 && e * 1000 < now.getTime()) return 'expired';
  return 'ok';
}
