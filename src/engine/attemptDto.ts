import { z } from 'zod';
import { AMD_VERDICTS, GENDERS, OUTCOMES } from '../core/outcome.js';
import type { AppContext } from '../context.js';
import { ATTEMPT_STATUSES, type Attempt } from '../store/repositories/attempts.js';
import { signedMediaUrl } from './recordingUrls.js';

/**
 * The published shape of an attempt: what the Calls API returns and what outcome webhooks carry.
 * Stable JSON, separate from the row; both the HTTP layer and the outbox render it from here.
 */
export const attemptDto = z.object({
  id: z.uuid(),
  kind: z.enum(['test', 'campaign']),
  campaignId: z.uuid().nullable(),
  numberId: z.uuid().nullable(),
  attemptNo: z.number().int(),
  phone: z.string(),
  templateId: z.uuid(),
  templateVersionId: z.uuid(),
  scenarioVersionId: z.uuid(),
  variables: z.record(z.string(), z.string()),
  status: z.enum(ATTEMPT_STATUSES),
  outcome: z.enum(OUTCOMES).nullable(),
  amdVerdict: z.enum(AMD_VERDICTS).nullable(),
  gender: z.enum(GENDERS).nullable(),
  result: z.string().nullable(),
  tags: z.array(z.string()),
  answers: z.record(z.string(), z.object({ question: z.string(), text: z.string(), branch: z.string() })),
  steps: z.array(z.object({ nodeId: z.string(), type: z.string(), exit: z.string().optional(), detail: z.string().optional(), atMs: z.number(), durationMs: z.number() })),
  transfer: z.object({ target: z.string(), connected: z.boolean() }).nullable(),
  callerId: z.string().nullable(),
  /** The voice platform that placed the call. */
  platform: z.string(),
  sipCode: z.number().nullable(),
  error: z.string().nullable(),
  ineffective: z.boolean().nullable(),
  durationSec: z.number().nullable(),
  talkSec: z.number().nullable(),
  /** What the call cost (reported by the platform, or minutes × the configured rate); null when unknown. */
  cost: z.number().nullable(),
  costCurrency: z.string().nullable(),
  recordingId: z.uuid().nullable(),
  /** Signed link valid for 7 days (null until the recording is stored). */
  recordingUrl: z.string().nullable(),
  createdAt: z.string(),
  dialedAt: z.string().nullable(),
  answeredAt: z.string().nullable(),
  endedAt: z.string().nullable(),
});

export const isoOrNull = (d: Date | null): string | null => d?.toISOString() ?? null;

export function toAttemptDto(app: AppContext, a: Attempt): z.infer<typeof attemptDto> {
  return {
    id: a.id,
    kind: a.kind,
    campaignId: a.campaignId,
    numberId: a.numberId,
    attemptNo: a.attemptNo,
    phone: a.phone,
    templateId: a.templateId,
    templateVersionId: a.templateVersionId,
    scenarioVersionId: a.scenarioVersionId,
    variables: a.variables,
    status: a.status,
    outcome: a.outcome,
    amdVerdict: a.amdVerdict,
    gender: a.gender,
    result: a.result,
    tags: a.tags,
    answers: a.answers,
    steps: a.steps,
    transfer: a.transfer,
    callerId: a.callerId,
    platform: a.platform,
    sipCode: a.sipCode,
    error: a.error,
    ineffective: a.ineffective,
    durationSec: a.durationSec,
    talkSec: a.talkSec,
    cost: a.cost,
    costCurrency: a.costCurrency,
    recordingId: a.recordingId,
    recordingUrl: a.recordingId ? signedMediaUrl(app, a.recordingId, 7 * 86400_000) : null,
    createdAt: a.createdAt.toISOString(),
    dialedAt: isoOrNull(a.dialedAt),
    answeredAt: isoOrNull(a.answeredAt),
    endedAt: isoOrNull(a.endedAt),
  };
}
