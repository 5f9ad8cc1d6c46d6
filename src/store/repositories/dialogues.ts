import type { ResolvedRedirect } from '../../scenario/elements/contract.js';
import type { CallAction, DialogueInput } from '../../voice/port.js';
import type { Queryable } from '../db.js';

/** The stored dialogue of an answered call (migration 0050): its inputs, in order, and its pins. */
export interface StoredInput {
  input: DialogueInput;
  /** Milliseconds since the answer. */
  atMs: number;
}

export interface DialoguePins {
  redirect?: ResolvedRedirect;
  /** What a transfer to the redirect dials (numbers through their dial plan); absent = nothing dialable. */
  transfer?: Extract<CallAction, { kind: 'transfer' }>;
  /** Scenario id → version id, for scenarios the call switched to. */
  scenarios?: Record<string, string>;
}

export interface Dialogue {
  attemptId: string;
  inputs: StoredInput[];
  pins: DialoguePins;
  answeredAt: Date;
  finished: boolean;
}

interface Row {
  attempt_id: string;
  inputs: StoredInput[];
  pins: DialoguePins;
  answered_at: Date;
  finished: boolean;
}

const toDialogue = (r: Row): Dialogue => ({ attemptId: r.attempt_id, inputs: r.inputs, pins: r.pins, answeredAt: r.answered_at, finished: r.finished });

export async function findDialogue(db: Queryable, attemptId: string, o: { forUpdate?: boolean } = {}): Promise<Dialogue | undefined> {
  const r = await db.query<Row>(`SELECT * FROM call_dialogues WHERE attempt_id = $1${o.forUpdate ? ' FOR UPDATE' : ''}`, [attemptId]);
  return r.rows[0] && toDialogue(r.rows[0]);
}

/** Starts a dialogue with its "answered" input; a concurrent start of the same call is a no-op. The dialogue as stored. */
export async function startDialogue(db: Queryable, d: { attemptId: string; first: StoredInput; pins: DialoguePins; answeredAt: Date }): Promise<Dialogue | undefined> {
  const r = await db.query<Row>(
    `INSERT INTO call_dialogues (attempt_id, inputs, pins, answered_at) VALUES ($1, $2, $3, $4) ON CONFLICT (attempt_id) DO NOTHING RETURNING *`,
    [d.attemptId, JSON.stringify([d.first]), JSON.stringify(d.pins), d.answeredAt],
  );
  return r.rows[0] ? toDialogue(r.rows[0]) : findDialogue(db, d.attemptId);
}

/** Appends input number `step`, only if it is the next one (the caller holds the row lock). */
export async function appendInput(db: Queryable, attemptId: string, step: number, input: StoredInput): Promise<boolean> {
  const r = await db.query(
    `UPDATE call_dialogues SET inputs = inputs || $3::jsonb WHERE attempt_id = $1 AND jsonb_array_length(inputs) = $2`,
    [attemptId, step, JSON.stringify([input])],
  );
  return (r.rowCount ?? 0) > 0;
}

/** Pins a scenario version the first time the call switches to that scenario. */
export async function pinScenario(db: Queryable, attemptId: string, scenarioId: string, versionId: string): Promise<void> {
  await db.query(
    `UPDATE call_dialogues SET pins = jsonb_set(pins, '{scenarios}', COALESCE(pins->'scenarios', '{}'::jsonb) || jsonb_build_object($2::text, $3::text))
     WHERE attempt_id = $1 AND NOT COALESCE(pins->'scenarios', '{}'::jsonb) ? $2`,
    [attemptId, scenarioId, versionId],
  );
}

export async function markDialogueFinished(db: Queryable, attemptId: string): Promise<void> {
  await db.query('UPDATE call_dialogues SET finished = true WHERE attempt_id = $1', [attemptId]);
}
