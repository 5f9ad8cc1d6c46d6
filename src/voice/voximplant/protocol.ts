import { z } from 'zod';
import { AMD_VERDICTS } from '../../core/outcome.js';

/**
 * What Dozvon's VoxEngine scenario (scenario.js, protocol v1) posts to `/voice/voximplant/events`.
 * Validated before anything is used; the instruction Dozvon answers with is `Instruction`.
 */
const base = {
  v: z.literal(1),
  attemptId: z.uuid(),
  seq: z.number().int().min(1).max(9_999),
  at: z.string().max(40),
};
const step = z.number().int().min(0).max(10_000);

export const scenarioEventSchema = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('started'), sessionId: z.string().min(1).max(40) }),
  z.object({ ...base, type: z.literal('ringing') }),
  z.object({ ...base, type: z.literal('answered'), step, amd: z.enum(AMD_VERDICTS).optional() }),
  z.object({ ...base, type: z.literal('amd'), verdict: z.enum(AMD_VERDICTS) }),
  z.object({
    ...base,
    type: z.literal('heard'),
    step,
    text: z.string().max(2000),
    confidence: z.number().min(0).max(1).optional(),
    dtmf: z.string().max(32).optional(),
    error: z.string().max(500).optional(),
  }),
  z.object({ ...base, type: z.literal('transferred'), step, connected: z.boolean(), result: z.enum(['answered', 'busy', 'no_answer', 'failed']) }),
  z.object({
    ...base,
    type: z.literal('ended'),
    failCode: z.number().int().optional(),
    internalCode: z.number().int().optional(),
    reason: z.string().max(500).optional(),
    ringTimeout: z.boolean().optional(),
    remote: z.boolean().optional(),
    machine: z.boolean().optional(),
    recordingUrl: z.url().nullable().optional(),
    durationSec: z.number().min(0).max(86_400),
    talkSec: z.number().min(0).max(86_400),
    cost: z.number().min(0).max(1_000_000).optional(),
  }),
]);

export type ScenarioEvent = z.output<typeof scenarioEventSchema>;

/** The call's dialling instructions, kept with the attempt when it is placed. */
export interface DialInstruction {
  op: 'dial';
  to: string;
  callerId: string;
  trunk: string | undefined;
  amd: 'off' | 'background' | 'blocking';
  amdModel: 'RU' | 'EU_GENERAL';
  greetingUrl: string | undefined;
  ringTimeoutSec: number;
  maxDurationSec: number;
}
