import { hmacHex } from '../../core/crypto.js';

/**
 * The per-call token of a Voximplant session: HMAC(Dozvon's voice-callback key, attemptId), so
 * nothing per call is stored. It travels as StartScenarios custom data ("<attemptId>.<token>") and
 * keys the signature of every callback of that one attempt; callbacks for a finished attempt are
 * refused by the engine anyway. 32 hex characters keep the custom data far below 200 bytes.
 */
export function callToken(key: Buffer, attemptId: string): string {
  return hmacHex(key, `voximplant:${attemptId}`).slice(0, 32);
}
