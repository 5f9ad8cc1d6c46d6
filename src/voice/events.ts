import { z } from 'zod';
import { AMD_VERDICTS, GENDERS, HANGUP_CAUSES } from '../core/outcome.js';

/**
 * Events every voice platform reports for a call, in one validated shape. `seq` numbers a call's
 * events from 1; (attemptId, seq) makes a repeated callback harmless.
 */
const base = {
  attemptId: z.uuid(),
  providerCallId: z.string().min(1).max(200),
  seq: z.number().int().min(1).max(100_000),
  /** When it happened, ISO 8601. */
  at: z.iso.datetime({ offset: true }),
};

export const callEventSchema = z.discriminatedUnion('type', [
  /** The platform has the call (before it rings): names the platform's call for the attempt. */
  z.object({ ...base, type: z.literal('initiated') }).strict(),
  z.object({ ...base, type: z.literal('ringing') }).strict(),
  z.object({ ...base, type: z.literal('answered') }).strict(),
  z.object({ ...base, type: z.literal('amd'), verdict: z.enum(AMD_VERDICTS) }).strict(),
  z.object({ ...base, type: z.literal('gender'), gender: z.enum(GENDERS) }).strict(),
  z
    .object({
      ...base,
      type: z.literal('ended'),
      cause: z.enum(HANGUP_CAUSES),
      sipCode: z.number().int().min(100).max(699).nullable(),
      /** Seconds from dialling to hang-up. */
      durationSec: z.number().min(0).max(86_400),
      /** Seconds from answer to hang-up (0 when not answered). */
      talkSec: z.number().min(0).max(86_400),
      answeredAt: z.iso.datetime({ offset: true }).nullable(),
      recordingUrl: z.url().nullable(),
      /** The platform announces the recording separately, after the hang-up (a "recording" event follows). */
      recordingPending: z.boolean().optional(),
      error: z.string().max(500).nullable(),
      /** Q.850 cause code, when the platform gives one. */
      q850: z.number().int().min(0).max(127).nullable().optional(),
      /** What the call cost, in `costCurrency` (reported by the platform, or minutes × the configured rate). */
      cost: z.number().min(0).max(1_000_000).nullable().optional(),
      costCurrency: z.string().regex(/^[A-Z]{3}$/).nullable().optional(),
    })
    .strict(),
  /** The recording of an ended call is ready at `recordingUrl` (null: the platform made none after all). */
  z.object({ ...base, type: z.literal('recording'), recordingUrl: z.url().nullable() }).strict(),
]);

export type CallEvent = z.output<typeof callEventSchema>;
export type CallEventType = CallEvent['type'];

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event as a platform produces it, before the envelope (ids, sequence, time) is added. */
export type CallEventBody = DistributiveOmit<CallEvent, 'attemptId' | 'providerCallId' | 'seq' | 'at'>;
