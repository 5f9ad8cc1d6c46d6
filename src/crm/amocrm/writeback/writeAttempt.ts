import { z } from 'zod';
import { templateVersion } from '../../../engine/callVersions.js';
import type { HandlerControl, HandlerResult } from '../../../engine/outbox/outboxWorker.js';
import type { Locale } from '../../../i18n.js';
import type { Queryable } from '../../../store/db.js';
import { findAttemptWithContactCrm, type Attempt } from '../../../store/repositories/attempts.js';
import type { OutboxJob } from '../../../store/repositories/outbox.js';
import { writebackRecordingWait } from '../../shared/recordingLink.js';
import type { AmoContext } from '../amoContext.js';
import { settingsOf, type AccountSettings } from '../accountSettings.js';
import { isAmoError } from '../api/amoError.js';
import { readContactRef, type ContactRef } from '../intake/contactRef.js';
import type { JobPayload } from '../jobs.js';
import { findAccountWithTenant } from '../store/accounts.js';
import { noteParams } from './callTexts.js';
import { leadPatch, shouldMove, targetStage } from './leadPatch.js';

/**
 * `attempt.writeback` (C6): one finished call becomes, on its lead,
 *   1. a `call_out` note with the recording (played in the feed), outcome, result and talk time;
 *   2. one lead update: tags (added, never replacing), the chosen custom fields, and the stage move
 *      the template maps this result to (after reading the lead again).
 * Exactly once: each step is checkpointed as soon as it succeeds. The note is the one step that
 * could double — amoCRM does not deduplicate by `uniq` — so "sending" is checkpointed before it
 * leaves, and a retry after an answer that never came first looks for a note with our `uniq` on the
 * lead and only sends again if there is none. The lead update is idempotent (the same tags, the
 * same values). Concurrent write-backs of an account share requests: 50 notes a POST, 50 leads a
 * PATCH (src/crm/amocrm/api/accountQueue.ts).
 *
 * The hot path costs three statements per call (the attempt with its contact, the account with its
 * tenant, the final state) plus one "sending" mark per request of 50 notes: a thousand write-backs
 * are then bound by amoCRM's 7 requests a second, not by the database (bench:
 * amo_writeback_wall_vs_rate_floor).
 */
const stateSchema = z.object({
  recordingWaits: z.number().optional(),
  noteId: z.number().optional(),
  /** The note was sent and its answer is unknown: reconcile by `uniq` before sending again. */
  noteSent: z.boolean().optional(),
  /** amoCRM refused the note for good (reported, the rest still written). */
  noteRefused: z.string().optional(),
  patched: z.boolean().optional(),
  /** amoCRM refused the chosen fields (deleted since?): written without them. */
  fieldsRefused: z.string().optional(),
  /** amoCRM refused the mapped stage (the pipeline changed): written without the move. */
  stageRefused: z.string().optional(),
});
type State = z.infer<typeof stateSchema>;

interface Ctx {
  ctx: AmoContext;
  jobId: string;
  tenantId: string;
  lng: Locale;
  attempt: Attempt;
  ref: ContactRef;
  settings: AccountSettings;
  ctl: HandlerControl;
  state: State;
}

/**
 * The account as write-backs see it, remembered for a second per tenant: fifty write-backs claimed
 * together read it once. (An uninstall drops the queued writes itself; one in flight then meets 401.)
 */
const accounts = new Map<string, { value: Awaited<ReturnType<typeof findAccountWithTenant>>; until: number }>();
async function installedAccount(db: Queryable, tenantId: string): Promise<Awaited<ReturnType<typeof findAccountWithTenant>>> {
  const hit = accounts.get(tenantId);
  if (hit && hit.until > Date.now()) return hit.value;
  const value = await findAccountWithTenant(db, tenantId);
  if (accounts.size > 1000) accounts.clear();
  accounts.set(tenantId, { value, until: Date.now() + 1000 });
  return value;
}

export async function writeAttempt(ctx: AmoContext, job: OutboxJob, p: JobPayload<'attempt.writeback'>, ctl: HandlerControl): Promise<HandlerResult> {
  const found = await findAttemptWithContactCrm(ctx.db, p.attemptId);
  const attempt = found?.attempt;
  const ref = readContactRef(found?.crm);
  if (!attempt || !ref || attempt.tenantId !== job.tenantId) return { kind: 'dead', error: 'the attempt or its amoCRM reference is gone' };
  const installed = await installedAccount(ctx.db, job.tenantId);
  if (!installed?.account.refreshTokenEnc || installed.status === 'uninstalled') return { kind: 'dead', error: 'the integration is not installed on the account' };
  const state = stateSchema.parse(job.state ?? {});
  const wait = writebackRecordingWait(ctx.db, attempt, state, ctx.clock.now());
  if (wait) return wait;
  const c: Ctx = { ctx, jobId: job.id, tenantId: job.tenantId, lng: installed.locale, attempt, ref, settings: settingsOf(installed.account.settings), ctl, state };
  await writeNote(c);
  try {
    await updateLead(c);
  } catch (e) {
    // The note is made: say so before the retry, or it would look for it first.
    await ctl.checkpoint(c.state);
    throw e;
  }
  if (c.state.noteRefused) ctx.log.error({ tenantId: c.tenantId, attemptId: attempt.id, leadId: ref.leadId, err: c.state.noteRefused }, 'amocrm: the call note was refused; the lead was updated without it');
  return { kind: 'done', state: c.state };
}

async function save(c: Ctx, patch: Partial<State>): Promise<void> {
  c.state = { ...c.state, ...patch };
  await c.ctl.checkpoint(c.state);
}

async function writeNote(c: Ctx): Promise<void> {
  const { ctx, attempt: a, ref } = c;
  if (c.state.noteId || c.state.noteRefused) return;
  if (c.state.noteSent) {
    // The last try sent the note and the answer was lost: look for it before sending again.
    const found = (await ctx.api.callNotesOf(c.tenantId, ref.leadId)).find((n) => n.params?.uniq === a.id);
    if (found) return save(c, { noteId: found.id, noteSent: false });
  }
  try {
    // "Sending" is recorded on this job by the account's queue, for the whole request at once,
    // just before the note leaves (./sendingMark.ts).
    c.state = { ...c.state, noteSent: true };
    const { id } = await ctx.api.addNote(c.tenantId, { entity_id: ref.leadId, note_type: 'call_out', params: noteParams(c.lng, a, ctx.recordingLink(a)) }, { sendingMark: c.jobId });
    // Kept in memory: the lead update comes next and the job's final state records both. A crash
    // before that leaves `noteSent`, and the retry finds this note by its uniq.
    c.state = { ...c.state, noteId: id, noteSent: false };
  } catch (e) {
    if (!isAmoError(e)) throw e;
    // Refused before it ran (limits, a ban, auth, validation): certainly not created.
    if (!e.maybeApplied) await save(c, { noteSent: false });
    if (e.kind === 'final') return save(c, { noteRefused: `${e.code}: ${e.detail}` });
    throw e;
  }
}

async function updateLead(c: Ctx): Promise<void> {
  if (c.state.patched) return;
  const { ctx, attempt: a, ref } = c;
  const target = c.state.stageRefused ? undefined : targetStage(await templateVersion(ctx.db, a.templateVersionId), a);
  let move: { pipelineId: number; statusId: number } | undefined;
  if (target) {
    const lead = await ctx.api.readLead(c.tenantId, ref.leadId);
    if (!lead) return save(c, { patched: true });
    if (shouldMove(lead, ref, target)) move = target;
  }
  const withFields = !c.state.fieldsRefused;
  try {
    await ctx.api.patchLead(c.tenantId, leadPatch(c.lng, c.settings, a, ref.leadId, { fields: withFields, ...(move ? { move } : {}) }));
  } catch (e) {
    if (!(isAmoError(e) && e.kind === 'final')) throw e;
    if (e.status === 404 || /not ?found/i.test(e.detail)) return save(c, { patched: true });
    if (move && e.issues.some((i) => i.path === 'status_id' || i.path === 'pipeline_id')) {
      // The mapped stage is gone (the pipeline was edited): tag and fill the lead, leave it where it is.
      ctx.log.warn({ tenantId: c.tenantId, leadId: ref.leadId, issues: e.issues }, 'amocrm: the stage the template maps to was refused; the lead stays');
      await save(c, { stageRefused: e.issues.map((i) => `${i.path}: ${i.detail}`).join('; ') });
      return updateLead(c);
    }
    const aboutFields = e.issues.some((i) => i.path.startsWith('custom_fields_values'));
    if (!withFields || !aboutFields) throw e;
    // A chosen field is gone or changed in amoCRM: write the rest, and say so.
    ctx.log.warn({ tenantId: c.tenantId, leadId: ref.leadId, issues: e.issues }, 'amocrm: the chosen custom fields were refused; written without them');
    await save(c, { fieldsRefused: e.issues.map((i) => `${i.path}: ${i.detail}`).join('; ') });
    return updateLead(c);
  }
  c.state = { ...c.state, patched: true };
}
