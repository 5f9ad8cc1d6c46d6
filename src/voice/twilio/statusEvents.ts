import type { HangupCause } from '../../core/outcome.js';
import type { CallEventBody } from '../events.js';
import type { TwilioFamilyConfig } from '../voiceConfig.js';

/**
 * Status callbacks → call events. Each status has a fixed event number, so a status delivered twice
 * is recorded once and a late "ringing" after "completed" changes nothing (the engine only moves a
 * call forward). The hang-up cause comes from `CallStatus` and, for failures, the SIP code:
 * 404/484/604 → the number does not exist, anything else → a technical failure.
 */
export const STATUS_SEQ: Record<string, number> = {
  initiated: 1,
  queued: 1,
  ringing: 2,
  'in-progress': 3,
  answered: 3,
  completed: 4,
  busy: 4,
  'no-answer': 4,
  failed: 4,
  canceled: 4,
};

export const TERMINAL_STATUSES = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);

const INVALID_NUMBER_SIP = new Set([404, 410, 484, 604]);
const DEFAULT_SIP: Record<string, number> = { completed: 200, busy: 486, 'no-answer': 480, failed: 500, canceled: 487 };

function causeOf(status: string, sip: number | null): HangupCause {
  switch (status) {
    case 'completed':
      return 'answered';
    case 'busy':
      return 'busy';
    case 'no-answer':
      return 'no_answer';
    case 'canceled':
      return 'cancelled';
    default:
      return sip !== null && INVALID_NUMBER_SIP.has(sip) ? 'invalid_number' : 'failed';
  }
}

export function endedEvent(p: Record<string, string>, c: TwilioFamilyConfig, profile: string): CallEventBody {
  const status = p.CallStatus ?? 'failed';
  const rawSip = Number(p.SipResponseCode);
  const sip = Number.isInteger(rawSip) && rawSip >= 100 && rawSip <= 699 ? rawSip : (DEFAULT_SIP[status] ?? null);
  const cause = causeOf(status, sip);
  const talk = cause === 'answered' ? Math.max(0, Number(p.CallDuration ?? 0) || 0) : 0;
  // Billed per started minute at the configured rate (these providers do not price a call in its callbacks).
  const cost = c.pricePerMinute !== undefined && talk > 0 ? Math.round(Math.ceil(talk / 60) * c.pricePerMinute * 10_000) / 10_000 : undefined;
  return {
    type: 'ended',
    cause,
    sipCode: sip,
    durationSec: talk,
    talkSec: talk,
    answeredAt: null,
    recordingUrl: null,
    recordingPending: cause === 'answered',
    error: cause === 'failed' ? `${profile}: call ${status}${sip ? ` (SIP ${sip})` : ''}` : null,
    ...(cost !== undefined ? { cost, costCurrency: c.currency } : {}),
  };
}
