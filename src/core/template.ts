import { z } from 'zod';
import { isSupportedCountry, normalizePhone } from './phone.js';
import { redialRulesSchema } from './redial.js';

/**
 * A call-task template (T1–T12): everything needed to place a call with a voice bot, offered in the
 * CRMs as a robot / widget action. Stored as versioned JSON; attempts remember the version they ran.
 */
const id = z.uuid();
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'validation.time_hhmm' });
/** An end of day may be written 24:00 (the whole day up to midnight). */
const hhmmEnd = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, { message: 'validation.time_hhmm' });

export const AMD_MODES = ['off', 'background', 'blocking'] as const;
export type AmdMode = (typeof AMD_MODES)[number];

export const dialPlanChoiceSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('default') }).strict(),
  z.object({ mode: z.literal('custom'), dialPlanId: id }).strict(),
]);

export const amdSettingsSchema = z
  .object({
    mode: z.enum(AMD_MODES).default('off'),
    /** An uploaded WAV played while detection runs, filling the silence. */
    greetingId: id.nullable().default(null),
  })
  .strict();

export const callerIdChoiceSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('default') }).strict(),
  z.object({ mode: z.literal('group'), groupId: id }).strict(),
  z.object({ mode: z.literal('number'), number: z.string().min(3).max(32) }).strict(),
]);

export const redirectSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('hangup') }).strict(),
  z.object({ mode: z.literal('dialPlan'), dialPlanId: id, number: z.string().min(2).max(32) }).strict(),
  z.object({ mode: z.literal('direction'), directionId: id }).strict(),
  z.object({ mode: z.literal('custom'), target: z.string().trim().min(1).max(500) }).strict(),
  z.object({ mode: z.literal('scenario'), scenarioId: id }).strict(),
]);
export type Redirect = z.infer<typeof redirectSchema>;

export const redialChoiceSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('none') }).strict(),
  z.object({ mode: z.literal('inline'), rules: redialRulesSchema }).strict(),
  z.object({ mode: z.literal('set'), setId: id }).strict(),
]);

/**
 * How a Bitrix24 robot answers its workflow (C2): `first_attempt` — as soon as the first call ended,
 * with its outcome (the redials go on; later outcomes reach automation through triggers); `final` —
 * once the outcome is final (reached, or every attempt made). Either way never later than Bitrix24
 * waits for the robot (its `timeout_duration`): then it answers with the latest outcome known.
 */
export const ROBOT_RETURN_MODES = ['first_attempt', 'final'] as const;
export type RobotReturnMode = (typeof ROBOT_RETURN_MODES)[number];

/** A scenario result or outcome code (the keys of a stage map). */
const resultCode = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, { message: 'validation.invalid_format' });

/**
 * Optional per-CRM write-back settings of a template. Optional with empty defaults, so templates
 * saved before it existed stay valid and mean "no stage moves".
 */
export const crmWritebackSchema = z
  .object({
    bitrix24: z
      .object({
        /** Move the deal to this stage (`STAGE_ID`, e.g. `C1:WON`) when a call ends with this result (or outcome). */
        stageByResult: z.record(resultCode, z.string().trim().min(1).max(50)).default({}),
        /** Set the lead's status (`STATUS_ID`) likewise. */
        leadStatusByResult: z.record(resultCode, z.string().trim().min(1).max(50)).default({}),
        /** When the template's robot answers its workflow (see ROBOT_RETURN_MODES). */
        robotReturn: z.enum(ROBOT_RETURN_MODES, { message: 'validation.robot_return_mode' }).default('final'),
      })
      .strict()
      .optional(),
    amocrm: z
      .object({
        /**
         * Move the lead to this stage when a call ends with this result (or outcome) — only if the
         * lead is still in the stage it was in when it was taken (a person may have moved it since).
         */
        statusByResult: z
          .record(resultCode, z.object({ pipelineId: z.number().int().positive(), statusId: z.number().int().positive() }).strict())
          .default({}),
      })
      .strict()
      .optional(),
  })
  .strict();

export const templateSettingsSchema = z
  .object({
    /** Short name shown in the CRM as the robot / action name. */
    name: z.string().trim().min(1).max(80),
    description: z.string().trim().max(500).default(''),
    scenarioId: id,
    dialPlan: dialPlanChoiceSchema.default({ mode: 'default' }),
    amd: amdSettingsSchema.default({ mode: 'off', greetingId: null }),
    callerId: callerIdChoiceSchema.default({ mode: 'default' }),
    redirect: redirectSchema.default({ mode: 'hangup' }),
    /** Calls started per second (T7); fractions allowed. */
    intensity: z.number().min(0.1).max(50).default(1),
    /** Calling-time limiter (T8), in the callee's local time. `from > to` crosses midnight. */
    callingWindow: z.object({ from: hhmm, to: hhmmEnd }).strict().default({ from: '09:00', to: '21:00' }),
    /** Calls shorter than this many seconds are "ineffective" in reports (T9); 0 = off. */
    ineffectiveSec: z.number().int().min(0).max(3600).default(10),
    /** An answered call ending within this many seconds without a result is a "short" call. */
    shortCallSec: z.number().int().min(1).max(120).default(5),
    /** Country for E.164 normalisation of national numbers (T10), ISO 3166-1 alpha-2. */
    country: z
      .string()
      .trim()
      .toUpperCase()
      .refine(isSupportedCountry, { message: 'validation.country_unknown' })
      .default('RU'),
    /** Detect the callee's gender (T11). */
    genderDetection: z.boolean().default(false),
    redial: redialChoiceSchema.default({ mode: 'none' }),
    /** What the CRM write-back does besides the call record and comment (C6); absent = nothing more. */
    crm: crmWritebackSchema.optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.callingWindow.from === t.callingWindow.to) {
      ctx.addIssue({ code: 'custom', path: ['callingWindow', 'to'], message: 'validation.window_empty' });
    }
    if (t.callerId.mode === 'number' && !normalizePhone(t.callerId.number, t.country).ok) {
      ctx.addIssue({
        code: 'custom',
        path: ['callerId', 'number'],
        message: 'validation.phone_invalid',
        params: { value: t.callerId.number },
      });
    }
    if (t.redirect.mode === 'dialPlan' && !normalizePhone(t.redirect.number, t.country).ok && !/^\d{2,6}$/.test(t.redirect.number)) {
      ctx.addIssue({
        code: 'custom',
        path: ['redirect', 'number'],
        message: 'validation.phone_invalid',
        params: { value: t.redirect.number },
      });
    }
  });

export type TemplateSettings = z.output<typeof templateSettingsSchema>;
export type TemplateSettingsInput = z.input<typeof templateSettingsSchema>;
