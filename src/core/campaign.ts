import { z } from 'zod';
import { callingWindowSchema, complianceProfileIdSchema, DEFAULT_CALLING_WINDOW } from './callingWindow.js';
import { timeZoneSchema } from './timezone.js';

/**
 * A campaign (J1–J7): a template, a list of numbers, and the conditions of calling them. Pure
 * schema and state rules; the engine (src/engine/campaigns) applies them.
 */
export const CAMPAIGN_STATUSES = ['scheduled', 'running', 'paused', 'completed'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** Why a campaign stopped; stored, shown, and checked before a resume. Never rename one. */
export const PAUSE_REASONS = [
  'manual',
  'technical_error',
  'limits_exhausted',
  'channel_deleted',
  'list_deleted',
  'server_error',
  'crm_needs_reauth',
  'crm_api_blocked',
  'crm_uninstalled',
] as const;
export type PauseReason = (typeof PAUSE_REASONS)[number];
export const COMPLETE_REASONS = ['manual', 'all_done', 'deleted', 'uninstalled'] as const;
export type CompleteReason = (typeof COMPLETE_REASONS)[number];

const scheduleSchema = z
  .object({
    /** How many calls in total a number in this group gets (at least 1). */
    calls: z.number().int().min(1).max(99),
    /** Minutes between those calls. */
    intervalMinutes: z.number().min(0).max(60 * 24 * 30),
  })
  .strict();

export const campaignSettingsSchema = z
  .object({
    /** Maximum simultaneous calls of this campaign. */
    maxConcurrent: z.number().int().min(1).max(1000).default(10),
    /** Calls started per second; null = the template's intensity (T7). */
    intensity: z.number().min(0.1).max(50).nullable().default(null),
    /** Allowed weekdays and hours; default working hours on weekdays (J1). */
    window: callingWindowSchema.default(DEFAULT_CALLING_WINDOW),
    /** Compute the window in the callee's own time zone (from the number). */
    useCalleeTime: z.boolean().default(true),
    /** The campaign's own zone: for unknown regions, and when useCalleeTime is off. */
    timezone: timeZoneSchema.default('Europe/Moscow'),
    /** A legal calling profile intersected with the window, e.g. ru_230fz. */
    compliance: complianceProfileIdSchema.nullable().default(null),
    attempts: z
      .object({
        /** Calls each number gets regardless of outcome (J1: default 1). */
        initial: z.number().int().min(1).max(99).default(1),
        /** Hard cap including redials by template rules and by the scenario (≤ 99). */
        max: z.number().int().min(1).max(99).default(5),
      })
      .strict()
      .default({ initial: 1, max: 5 }),
    /** Minutes between attempts that are not governed by a specific redial rule. */
    pauseMinutes: z.number().min(0).max(60 * 24 * 30).default(30),
    /** Call again when the conversation was shorter than this many seconds (0 = off). */
    recallIfShorterSec: z.number().int().min(0).max(3600).default(0),
    /** V2: separate schedules for numbers that already answered and for those that did not. */
    schedules: z
      .object({ answered: scheduleSchema.optional(), notAnswered: scheduleSchema.optional() })
      .strict()
      .default({}),
    /** Finish the campaign by itself once every number is done (the seed never does; we offer it). */
    completeWhenDone: z.boolean().default(false),
    /** Who gets e-mails when the campaign stops (J3). */
    notifyEmails: z.array(z.email()).max(20).default([]),
    /** Outcome webhooks (J8): every finished attempt and number is POSTed here, signed. */
    webhookUrl: z.url({ protocol: /^https?$/ }).nullable().default(null),
    /** Seconds a call may ring before it counts as not answered. */
    ringTimeoutSec: z.number().int().min(10).max(120).default(30),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.attempts.initial > s.attempts.max) {
      ctx.addIssue({ code: 'custom', path: ['attempts', 'initial'], message: 'validation.attempts_initial_over_max', params: { max: s.attempts.max } });
    }
  });

export type CampaignSettings = z.output<typeof campaignSettingsSchema>;
export type CampaignSettingsInput = z.input<typeof campaignSettingsSchema>;

export type CampaignAction = 'start' | 'pause' | 'resume' | 'complete' | 'edit';

/** Which actions each status allows (J5, J7). Edits of conditions only while scheduled or paused. */
const ALLOWED: Record<CampaignStatus, readonly CampaignAction[]> = {
  scheduled: ['start', 'complete', 'edit', 'pause'],
  running: ['pause', 'complete'],
  paused: ['resume', 'complete', 'edit'],
  completed: [],
};

export function canDo(status: CampaignStatus, action: CampaignAction): boolean {
  return ALLOWED[status].includes(action);
}
