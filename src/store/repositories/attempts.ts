import type { AmdVerdict, Gender, Outcome } from '../../core/outcome.js';
import type { CollectedAnswer } from '../../scenario/elements/contract.js';
import type { ScenarioStep } from '../../scenario/interpreter.js';
import type { Queryable } from '../db.js';

/** In the order a call goes through them; status only moves forward. */
export const ATTEMPT_STATUSES = ['queued', 'dialing', 'ringing', 'answered', 'completed'] as const;
export type AttemptStatus = (typeof ATTEMPT_STATUSES)[number];

/** A step of the scenario's log, as the interpreter reports it. */
export type AttemptStep = ScenarioStep;
/** An answer the scenario collected. */
export type AttemptAnswer = CollectedAnswer;

export interface Attempt {
  id: string;
  tenantId: string;
  kind: 'test' | 'campaign';
  campaignId: string | null;
  numberId: string | null;
  attemptNo: number;
  phone: string;
  templateId: string;
  templateVersionId: string;
  scenarioVersionId: string;
  variables: Record<string, string>;
  status: AttemptStatus;
  outcome: Outcome | null;
  amdVerdict: AmdVerdict | null;
  gender: Gender | null;
  result: string | null;
  tags: string[];
  answers: Record<string, AttemptAnswer>;
  steps: AttemptStep[];
  transfer: { target: string; connected: boolean } | null;
  callerId: string | null;
  platform: string;
  providerCallId: string | null;
  sipCode: number | null;
  error: string | null;
  ineffective: boolean | null;
  recordingId: string | null;
  recordingSource: string | null;
  /** The MP3 copy CRM links point at (made after the original is stored). */
  recordingMp3Id: string | null;
  /** Why no MP3 can be made of the original (CRMs then link the original). */
  recordingMp3Error: string | null;
  contactId: string | null;
  consumed: boolean;
  placed: boolean;
  technical: boolean;
  scenarioRedialMinutes: number | null;
  createdBy: string | null;
  createdAt: Date;
  dialedAt: Date | null;
  answeredAt: Date | null;
  endedAt: Date | null;
  durationSec: number | null;
  talkSec: number | null;
  /** What the call cost (platform-reported or minutes × rate), in `costCurrency`. */
  cost: number | null;
  costCurrency: string | null;
  /** The platform's own data for reaching the live call again. */
  platformData: Record<string, unknown> | null;
}

export interface AttemptRow {
  id: string;
  tenant_id: string;
  kind: 'test' | 'campaign';
  campaign_id: string | null;
  number_id: string | null;
  attempt_no: number;
  phone: string;
  template_id: string;
  template_version_id: string;
  scenario_version_id: string;
  variables: Record<string, string>;
  status: AttemptStatus;
  outcome: Outcome | null;
  amd_verdict: AmdVerdict | null;
  gender: Gender | null;
  result: string | null;
  tags: string[];
  answers: Record<string, AttemptAnswer>;
  steps: AttemptStep[];
  transfer: { target: string; connected: boolean } | null;
  caller_id: string | null;
  platform: string;
  provider_call_id: string | null;
  sip_code: number | null;
  error: string | null;
  ineffective: boolean | null;
  recording_id: string | null;
  recording_source: string | null;
  recording_mp3_id: string | null;
  recording_mp3_error: string | null;
  contact_id: string | null;
  consumed: boolean;
  placed: boolean;
  technical: boolean;
  scenario_redial_minutes: number | null;
  created_by: string | null;
  created_at: Date;
  dialed_at: Date | null;
  answered_at: Date | null;
  ended_at: Date | null;
  duration_sec: string | null;
  talk_sec: string | null;
  cost: string | null;
  cost_currency: string | null;
  platform_data: Record<string, unknown> | null;
}

const num = (v: string | null): number | null => (v === null ? null : Number(v));

export const toAttempt = (r: AttemptRow): Attempt => ({
  id: r.id,
  tenantId: r.tenant_id,
  kind: r.kind,
  campaignId: r.campaign_id,
  numberId: r.number_id,
  attemptNo: r.attempt_no,
  phone: r.phone,
  templateId: r.template_id,
  templateVersionId: r.template_version_id,
  scenarioVersionId: r.scenario_version_id,
  variables: r.variables,
  status: r.status,
  outcome: r.outcome,
  amdVerdict: r.amd_verdict,
  gender: r.gender,
  result: r.result,
  tags: r.tags,
  answers: r.answers,
  steps: r.steps,
  transfer: r.transfer,
  callerId: r.caller_id,
  platform: r.platform,
  providerCallId: r.provider_call_id,
  sipCode: r.sip_code,
  error: r.error,
  ineffective: r.ineffective,
  recordingId: r.recording_id,
  recordingSource: r.recording_source,
  recordingMp3Id: r.recording_mp3_id,
  recordingMp3Error: r.recording_mp3_error,
  contactId: r.contact_id,
  consumed: r.consumed,
  placed: r.placed,
  technical: r.technical,
  scenarioRedialMinutes: r.scenario_redial_minutes,
  createdBy: r.created_by,
  createdAt: r.created_at,
  dialedAt: r.dialed_at,
  answeredAt: r.answered_at,
  endedAt: r.ended_at,
  durationSec: num(r.duration_sec),
  talkSec: num(r.talk_sec),
  cost: num(r.cost),
  costCurrency: r.cost_currency,
  platformData: r.platform_data,
});

/** What placing a call writes; the rest of an attempt fills in as the call goes. */
export type NewAttempt = Pick<
  Attempt,
  'id' | 'tenantId' | 'kind' | 'campaignId' | 'numberId' | 'attemptNo' | 'phone' | 'templateId' | 'templateVersionId'
  | 'scenarioVersionId' | 'variables' | 'platform' | 'callerId' | 'createdBy' | 'createdAt'
>;

export async function insertAttempt(db: Queryable, a: NewAttempt): Promise<Attempt> {
  const r = await db.query<AttemptRow>(
    `INSERT INTO attempts (id, tenant_id, kind, campaign_id, number_id, phone, template_id, template_version_id,
       scenario_version_id, variables, platform, caller_id, created_by, created_at, attempt_no)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING *`,
    [
      a.id, a.tenantId, a.kind, a.campaignId, a.numberId, a.phone, a.templateId, a.templateVersionId,
      a.scenarioVersionId, JSON.stringify(a.variables), a.platform, a.callerId, a.createdBy, a.createdAt, a.attemptNo,
    ],
  );
  return toAttempt(r.rows[0]!);
}

export async function findAttempt(db: Queryable, tenantId: string, id: string): Promise<Attempt | undefined> {
  const r = await db.query<AttemptRow>('SELECT * FROM attempts WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
  return r.rows[0] && toAttempt(r.rows[0]);
}

/** For platform callbacks, which identify the attempt by id and prove it with a signature. */
export async function findAttemptById(db: Queryable, id: string, o: { forUpdate?: boolean } = {}): Promise<Attempt | undefined> {
  const r = await db.query<AttemptRow>(`SELECT * FROM attempts WHERE id = $1${o.forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  return r.rows[0] && toAttempt(r.rows[0]);
}

/**
 * An attempt with its contact's CRM reference (what a CRM write-back needs), in one statement, and whether it is the call that closed its contact:
 * the contact is finished and no later call of it completed (what a CRM's final answer reports).
 */
export async function findAttemptWithContactCrm(
  db: Queryable,
  id: string,
): Promise<{ attempt: Attempt; crm: Record<string, unknown> | null; closesContact: boolean } | undefined> {
  const r = await db.query<AttemptRow & { contact_crm: Record<string, unknown> | null; closes_contact: boolean | null }>(
    `SELECT a.*, c.crm AS contact_crm,
            c.status <> 'open' AND NOT EXISTS (
              SELECT 1 FROM attempts l WHERE l.contact_id = a.contact_id AND l.status = 'completed' AND (l.created_at, l.id) > (a.created_at, a.id)
            ) AS closes_contact
       FROM attempts a LEFT JOIN campaign_contacts c ON c.id = a.contact_id WHERE a.id = $1`,
    [id],
  );
  const row = r.rows[0];
  return row && { attempt: toAttempt(row), crm: row.contact_crm, closesContact: row.closes_contact === true };
}

export interface AttemptFilter {
  tenantId: string;
  campaignId?: string | undefined;
  numberId?: string | undefined;
  kind?: 'test' | 'campaign' | undefined;
  phone?: string | undefined;
  outcome?: Outcome | undefined;
  /** Keyset paging: attempts created strictly before this one. */
  before?: { createdAt: Date; id: string } | undefined;
  limit: number;
}

/** A client's finished attempts over all its phones, oldest first (what decides its result). */
export async function completedAttemptsOfContact(db: Queryable, contactId: string): Promise<Attempt[]> {
  const r = await db.query<AttemptRow>(`SELECT * FROM attempts WHERE contact_id = $1 AND status = 'completed' ORDER BY created_at, id`, [contactId]);
  return r.rows.map(toAttempt);
}

export async function listAttempts(db: Queryable, f: AttemptFilter): Promise<Attempt[]> {
  const r = await db.query<AttemptRow>(
    `SELECT * FROM attempts
     WHERE tenant_id = $1
       AND ($2::uuid IS NULL OR campaign_id = $2)
       AND ($3::text IS NULL OR kind = $3)
       AND ($4::text IS NULL OR phone = $4)
       AND ($5::text IS NULL OR outcome = $5)
       AND ($6::timestamptz IS NULL OR (created_at, id) < ($6, $7::uuid))
       AND ($9::uuid IS NULL OR number_id = $9)
     ORDER BY created_at DESC, id DESC
     LIMIT $8`,
    [f.tenantId, f.campaignId ?? null, f.kind ?? null, f.phone ?? null, f.outcome ?? null, f.before?.createdAt ?? null, f.before?.id ?? null, f.limit, f.numberId ?? null],
  );
  return r.rows.map(toAttempt);
}

export async function markDialing(
  db: Queryable,
  id: string,
  p: { providerCallId: string; platformData?: Record<string, unknown> | undefined; callerId: string | null; at: Date | null },
): Promise<void> {
  await db.query(
    // The platform's first event may arrive before this write: never move the status backwards.
    `UPDATE attempts SET provider_call_id = $2, caller_id = COALESCE($3, caller_id), dialed_at = COALESCE(dialed_at, $4), placed = true,
       status = CASE WHEN status = 'queued' THEN 'dialing' ELSE status END,
       platform_data = CASE WHEN $5::jsonb IS NULL THEN platform_data ELSE COALESCE(platform_data, '{}'::jsonb) || $5::jsonb END
     WHERE id = $1`,
    [id, p.providerCallId, p.callerId, p.at, p.platformData ? JSON.stringify(p.platformData) : null],
  );
}

export async function saveConversation(
  db: Queryable,
  id: string,
  c: {
    result: string | null;
    tags: string[];
    answers: Record<string, AttemptAnswer>;
    steps: AttemptStep[];
    transfer: Attempt['transfer'];
    error: string | null;
    redialAfterMinutes: number | null;
  },
): Promise<void> {
  await db.query(
    `UPDATE attempts SET result = $2, tags = $3, answers = $4, steps = $5, transfer = $6, error = COALESCE($7, error),
       scenario_redial_minutes = $8
     WHERE id = $1 AND status <> 'completed'`,
    [id, c.result, JSON.stringify(c.tags), JSON.stringify(c.answers), JSON.stringify(c.steps), c.transfer ? JSON.stringify(c.transfer) : null, c.error, c.redialAfterMinutes],
  );
}

export interface Completion {
  outcome: Outcome;
  amdVerdict: AmdVerdict;
  gender: Gender;
  sipCode: number | null;
  error: string | null;
  ineffective: boolean;
  endedAt: Date;
  durationSec: number;
  talkSec: number;
  recordingSource: string | null;
  answeredAt: Date | null;
  cost?: number | null | undefined;
  costCurrency?: string | null | undefined;
}

/** A completion and, when given, whether it used up an attempt, was a technical failure, was placed. */
export type Closing = Completion & { consumed?: boolean | undefined; technical?: boolean | undefined; placed?: boolean | undefined };

/** Marks `recording_source` while the platform has yet to announce the recording of an ended call. */
export const RECORDING_PENDING_PREFIX = 'pending:';
export const isRecordingPendingMarker = (source: string | null): boolean => Boolean(source?.startsWith(RECORDING_PENDING_PREFIX));

/**
 * Completes an attempt once and returns it as completed; undefined if it was already completed (a
 * repeated callback). `consumed`, `technical` and `placed` are set when given (a call never placed
 * has no dial time).
 */
export async function completeAttempt(db: Queryable, id: string, c: Closing): Promise<Attempt | undefined> {
  const r = await db.query<AttemptRow>(
    `UPDATE attempts SET status = 'completed', outcome = $2, amd_verdict = $3, gender = $4, sip_code = $5,
       error = COALESCE($6, error), ineffective = $7, ended_at = $8, duration_sec = $9, talk_sec = $10,
       recording_source = COALESCE(recording_source, $11), answered_at = COALESCE(answered_at, $12),
       cost = COALESCE($13, cost), cost_currency = COALESCE($14, cost_currency),
       consumed = COALESCE($15, consumed), technical = COALESCE($16, technical), placed = COALESCE($17, placed),
       dialed_at = CASE WHEN $17 = false THEN NULL ELSE dialed_at END
     WHERE id = $1 AND status <> 'completed'
     RETURNING *`,
    [
      id, c.outcome, c.amdVerdict, c.gender, c.sipCode, c.error, c.ineffective, c.endedAt, c.durationSec, c.talkSec, c.recordingSource, c.answeredAt,
      c.cost ?? null, c.costCurrency ?? null, c.consumed ?? null, c.technical ?? null, c.placed ?? null,
    ],
  );
  return r.rows[0] && toAttempt(r.rows[0]);
}

/**
 * Links a stored recording to an attempt that has none yet, with the callee's gender estimated from
 * it (kept where the platform already said). The attempt as it is now, or `undefined` when another
 * copy was linked first.
 */
export async function attachRecording(db: Queryable, id: string, recordingId: string, gender?: 'female' | 'male'): Promise<Attempt | undefined> {
  const r = await db.query<AttemptRow>(
    `UPDATE attempts SET recording_id = $2, recording_source = NULL,
       gender = CASE WHEN $3::text IS NOT NULL AND (gender IS NULL OR gender = 'unknown') THEN $3::text ELSE gender END
     WHERE id = $1 AND recording_id IS NULL RETURNING *`,
    [id, recordingId, gender ?? null],
  );
  return r.rows[0] && toAttempt(r.rows[0]);
}

/** Attempts whose stored recording has no MP3 copy yet (and no reason why it cannot have one), oldest first. */
export async function listRecordingsWithoutMp3(db: Queryable, limit: number): Promise<Pick<Attempt, 'id' | 'tenantId' | 'recordingId'>[]> {
  const r = await db.query<{ id: string; tenant_id: string; recording_id: string }>(
    `SELECT id, tenant_id, recording_id FROM attempts
     WHERE recording_id IS NOT NULL AND recording_mp3_id IS NULL AND recording_mp3_error IS NULL ORDER BY ended_at LIMIT $1`,
    [limit],
  );
  return r.rows.map((x) => ({ id: x.id, tenantId: x.tenant_id, recordingId: x.recording_id }));
}

/**
 * The MP3 of every attempt that links this original (one recording may serve several attempts in
 * future), or why there is none. Returns the attempts it changed.
 */
export async function attachRecordingMp3(db: Queryable, recordingId: string, p: { mp3Id: string } | { error: string }): Promise<string[]> {
  const r =
    'mp3Id' in p
      ? await db.query<{ id: string }>('UPDATE attempts SET recording_mp3_id = $2, recording_mp3_error = NULL WHERE recording_id = $1 RETURNING id', [recordingId, p.mp3Id])
      : await db.query<{ id: string }>('UPDATE attempts SET recording_mp3_error = left($2, 500) WHERE recording_id = $1 AND recording_mp3_id IS NULL RETURNING id', [recordingId, p.error]);
  return r.rows.map((x) => x.id);
}

/** Completed attempts whose recording is still only at the platform (announced, not yet copied). */
export async function listPendingRecordings(db: Queryable, limit: number): Promise<Attempt[]> {
  const r = await db.query<AttemptRow>(
    `SELECT * FROM attempts WHERE recording_source IS NOT NULL AND recording_id IS NULL AND recording_source NOT LIKE 'pending:%'
     ORDER BY ended_at LIMIT $1`,
    [limit],
  );
  return r.rows.map(toAttempt);
}

/**
 * The platform announced the recording (or that there is none): replaces the pending marker or
 * fills an empty source; never touches a recording already stored. Returns whether it changed.
 */
export async function setRecordingSource(db: Queryable, id: string, source: string | null): Promise<boolean> {
  const r = await db.query(
    `UPDATE attempts SET recording_source = $2
     WHERE id = $1 AND recording_id IS NULL AND (recording_source IS NULL OR recording_source LIKE 'pending:%')
       AND recording_source IS DISTINCT FROM $2`,
    [id, source],
  );
  return (r.rowCount ?? 0) > 0;
}

/** Recordings announced as coming that never came: given up after `olderThan` (the call ended before it). */
export async function dropStalePendingRecordings(db: Queryable, olderThan: Date): Promise<number> {
  const r = await db.query(`UPDATE attempts SET recording_source = NULL WHERE recording_source LIKE 'pending:%' AND recording_id IS NULL AND ended_at < $1`, [olderThan]);
  return r.rowCount ?? 0;
}

/** Saves what the platform needs to reach the call again (control URL, session id). */
export async function setPlatformData(db: Queryable, id: string, data: Record<string, unknown>): Promise<void> {
  await db.query(`UPDATE attempts SET platform_data = COALESCE(platform_data, '{}'::jsonb) || $2::jsonb WHERE id = $1`, [id, JSON.stringify(data)]);
}

/**
 * Records a platform event once and reads its attempt, in one statement: the attempt (undefined
 * when there is none, and then nothing is recorded) and whether (attempt, seq) is new.
 */
export async function recordCallEvent(
  db: Queryable,
  e: { attemptId: string; seq: number; type: string; payload: unknown },
): Promise<{ attempt: Attempt | undefined; fresh: boolean }> {
  const r = await db.query<AttemptRow & { event_fresh: boolean }>(
    `WITH ev AS (
       INSERT INTO call_events (attempt_id, seq, type, payload) SELECT id, $2, $3, $4 FROM attempts WHERE id = $1
       ON CONFLICT DO NOTHING RETURNING attempt_id
     )
     SELECT a.*, EXISTS (SELECT 1 FROM ev) AS event_fresh FROM attempts a WHERE a.id = $1`,
    [e.attemptId, e.seq, e.type, JSON.stringify(e.payload)],
  );
  const row = r.rows[0];
  return { attempt: row && toAttempt(row), fresh: row?.event_fresh === true };
}

/**
 * A live call's event (initiated, ringing, answered, AMD verdict, gender) in one statement:
 * recorded once per (attempt, seq) and applied only when new — the status moves forward only, the
 * detections are set, the platform's call id fills an empty one (unless the attempt is closed),
 * and a ringing or answered call keeps its number's lease until `leaseUntil`. One statement is
 * atomic on its own, so the busiest callbacks need no BEGIN/COMMIT and no extra round trips (on
 * PGlite every statement costs about a millisecond of CPU; profile in bench/README.md).
 */
export async function applyLiveCallEvent(
  db: Queryable,
  e: {
    attemptId: string;
    seq: number;
    type: string;
    payload: unknown;
    /** The platform's call id, or null when it did not name the call. */
    providerCallId: string | null;
    status: 'ringing' | 'answered' | null;
    amdVerdict: AmdVerdict | null;
    gender: Gender | null;
    at: Date;
    leaseUntil: Date;
  },
): Promise<'missing' | 'duplicate' | 'applied'> {
  const order = "ARRAY['queued','dialing','ringing','answered','completed']";
  // Evaluated on the row as it is when updated: a concurrent "ended" is seen, and nothing moves back.
  const forward = `($5::text IS NOT NULL AND array_position(${order}, status) < array_position(${order}, $5::text))`;
  const namesCall = `($10::text IS NOT NULL AND provider_call_id IS NULL AND status <> 'completed')`;
  const r = await db.query<{ found: string; fresh: string }>(
    `WITH a AS (SELECT id, number_id FROM attempts WHERE id = $1),
     ev AS (
       INSERT INTO call_events (attempt_id, seq, type, payload) SELECT id, $2, $3, $4 FROM a ON CONFLICT DO NOTHING RETURNING attempt_id
     ),
     upd AS (
       UPDATE attempts SET status = CASE WHEN ${forward} THEN $5::text ELSE status END,
         answered_at = CASE WHEN ${forward} AND $5::text = 'answered' THEN COALESCE(answered_at, $8) ELSE answered_at END,
         amd_verdict = COALESCE($6, amd_verdict), gender = COALESCE($7, gender),
         provider_call_id = CASE WHEN ${namesCall} THEN $10::text ELSE provider_call_id END
       WHERE id IN (SELECT attempt_id FROM ev) AND (${forward} OR $6::text IS NOT NULL OR $7::text IS NOT NULL OR ${namesCall})
     ),
     lease AS (
       -- By primary key alone: with 'dialing' in the WHERE the planner took the partial index of
       -- dialing numbers whenever its statistics were older than the calls (every live call scanned).
       UPDATE campaign_numbers SET locked_until = CASE WHEN status = 'dialing' THEN $9 ELSE locked_until END
       WHERE $5::text IS NOT NULL AND id = (SELECT number_id FROM a) AND EXISTS (SELECT 1 FROM ev)
     )
     SELECT (SELECT count(*) FROM a) AS found, (SELECT count(*) FROM ev) AS fresh`,
    [e.attemptId, e.seq, e.type, JSON.stringify(e.payload), e.status, e.amdVerdict, e.gender, e.at, e.leaseUntil, e.providerCallId],
  );
  const row = r.rows[0]!;
  if (Number(row.found) === 0) return 'missing';
  return Number(row.fresh) > 0 ? 'applied' : 'duplicate';
}
