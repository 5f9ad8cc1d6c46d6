import { z } from 'zod';

/**
 * Live updates for the console (`GET /api/v1/events`, Server-Sent Events). Each event says *what*
 * changed, small enough for a NOTIFY payload; the console reads the details through the API. State
 * changes travel on the PostgreSQL channel `dozvon_console` when their transaction commits,
 * announced by triggers (attempt and campaign states, numbers added; migration 0060), so every
 * Dozvon process sharing the database sees them, whichever process made the change. What the bot
 * and the callee say during a call is published by the event hub (src/engine/events/eventHub.ts).
 */
export const CONSOLE_CHANNEL = 'dozvon_console';

const id = z.uuid();
export const consoleEventSchema = z.discriminatedUnion('type', [
  /** An attempt was created or changed state (dialing, ringing, answered, completed), or got its recording. */
  z.object({ type: z.literal('attempt'), tenantId: id, attemptId: id, campaignId: id.nullable(), kind: z.string(), status: z.string(), outcome: z.string().nullable() }),
  /** A campaign was created, changed state, was renamed or deleted. */
  z.object({ type: z.literal('campaign'), tenantId: id, campaignId: id, status: z.string(), statusReason: z.string().nullable(), deleted: z.boolean() }),
  /** Numbers were added to a campaign (import, Calls API, CRM intake). */
  z.object({ type: z.literal('numbers'), tenantId: id, campaignId: id }),
  /** A line of a live call's dialogue: what the bot said or what the callee was heard to say. */
  z.object({ type: z.literal('transcript'), tenantId: id, attemptId: id, who: z.enum(['bot', 'callee']), text: z.string(), atMs: z.number() }),
]);
export type ConsoleEvent = z.infer<typeof consoleEventSchema>;

/** NOTIFY payloads are limited to 8000 bytes: a long utterance is cut, never the event. */
const MAX_TEXT = 2000;

/** The NOTIFY payload of an event. */
export function notifyPayload(event: ConsoleEvent): string {
  const e = event.type === 'transcript' && event.text.length > MAX_TEXT ? { ...event, text: `${event.text.slice(0, MAX_TEXT)}…` } : event;
  return JSON.stringify(e);
}
