import { z } from 'zod';
import type { Queryable } from '../../store/db.js';

/**
 * Live updates for the console (`GET /api/v1/events`, Server-Sent Events). Each event says *what*
 * changed, small enough for a NOTIFY payload; the console reads the details through the API. They
 * travel on the PostgreSQL channel `dozvon_console` when their transaction commits — announced by
 * triggers (attempt and campaign states, numbers added; migration 0060) or by `announce()` (what
 * the bot and the callee say during a call) — so every Dozvon process sharing the database sees
 * them, whichever process made the change.
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

/** Announces an event to every process's console streams when `q`'s transaction commits (at once outside one). */
export async function announce(q: Queryable, event: ConsoleEvent): Promise<void> {
  const e = event.type === 'transcript' && event.text.length > MAX_TEXT ? { ...event, text: `${event.text.slice(0, MAX_TEXT)}…` } : event;
  await q.query('SELECT pg_notify($1, $2)', [CONSOLE_CHANNEL, JSON.stringify(e)]);
}
