import { z } from 'zod';
import type { TemplateSettings } from '../../../core/template.js';
import type { HandlerControl, HandlerResult } from '../../../engine/outbox/outboxWorker.js';
import type { Locale } from '../../../i18n.js';
import { findAttemptById, type Attempt } from '../../../store/repositories/attempts.js';
import { findContact } from '../../../store/repositories/numbers.js';
import type { OutboxJob } from '../../../store/repositories/outbox.js';
import { findTenant } from '../../../store/repositories/tenants.js';
import { findVersionById, TEMPLATES } from '../../../store/repositories/versioned.js';
import { recordingPending, recordingWaitMs, RECORDING_WAITS } from '../../shared/recordingLink.js';
import type { AmoContext } from '../amoContext.js';
import { accountSettings, type AccountSettings } from '../accountSettings.js';
import { isAmoError } from '../api/amoError.js';
import { readContactRef, type ContactRef } from '../intake/contactRef.js';
import type { JobPayload } from '../jobs.js';
import { findAccount } from '../store/accounts.js';
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
});
type State = z.infer<typeof stateSchema>;

interface Ctx {
  ctx: AmoContext;
  tenantId: string;
  lng: Locale;
  attempt: Attempt;
  ref: ContactRef;
  settings: AccountSettings;
  ctl: HandlerControl;
  state: State;
}

export async function writeAttempt(ctx: AmoContext, job: OutboxJob, p: JobPayload<'attempt.writeback'>, ctl: HandlerControl): Promise<HandlerResult> {
  const attempt = await findAttemptById(ctx.db, p.attemptId);
  const contact = attempt?.contactId ? await findContact(ctx.db, attempt.contactId) : undefined;
  const ref = readContactRef(contact?.crm);
  if (!attempt || !ref || attempt.tenantId !== job.tenantId) return { kind: 'dead', error: 'the attempt or its amoCRM reference is gone' };
  const account = await findAccount(ctx.db, job.tenantId);
  const tenant = await findTenant(ctx.db, job.tenantId);
  if (!account?.refreshTokenEnc || !tenant || tenant.status === 'uninstalled') return { kind: 'dead', error: 'the integration is not installed on the account' };
  const state = stateSchema.parse(job.state ?? {});
  const waits = state.recordingWaits ?? 0;
  if (recordingPending(attempt) && waits < RECORDING_WAITS) {
    await ctl.checkpoint({ ...state, recordingWaits: waits + 1 });
    return { kind: 'retry', error: 'waiting for the recording to be stored', retryAt: new Date(ctx.clock.now().getTime() + recordingWaitMs(waits)) };
  }
  const c: Ctx = { ctx, tenantId: job.tenantId, lng: tenant.locale, attempt, ref, settings: await accountSettings(ctx.db, job.tenantId), ctl, state };
  await writeNote(c);
  await updateLead(c);
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
  await save(c, { noteSent: true });
  try {
    const { id } = await ctx.api.addNote(c.tenantId, { entity_id: ref.leadId, note_type: 'call_out', params: noteParams(c.lng, a, ctx.recordingLink(a)) });
    await save(c, { noteId: id, noteSent: false });
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
  const template = await findVersionById<TemplateSettings>(ctx.db, TEMPLATES, a.templateVersionId);
  const target = targetStage(template?.body, a);
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
    const aboutFields = e.issues.some((i) => i.path.startsWith('custom_fields_values'));
    if (!withFields || !aboutFields) throw e;
    // A chosen field is gone or changed in amoCRM: write the rest, and say so.
    ctx.log.warn({ tenantId: c.tenantId, leadId: ref.leadId, issues: e.issues }, 'amocrm: the chosen custom fields were refused; written without them');
    await save(c, { fieldsRefused: e.issues.map((i) => `${i.path}: ${i.detail}`).join('; ') });
    return updateLead(c);
  }
  await save(c, { patched: true });
}
