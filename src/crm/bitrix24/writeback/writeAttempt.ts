import { z } from 'zod';
import { templateVersion } from '../../../engine/callVersions.js';
import type { HandlerControl, HandlerResult } from '../../../engine/outbox/outboxWorker.js';
import type { Locale } from '../../../i18n.js';
import { findAttemptWithContactCrm, type Attempt } from '../../../store/repositories/attempts.js';
import type { OutboxJob } from '../../../store/repositories/outbox.js';
import type { B24Context } from '../b24Context.js';
import { readContactRef, type ContactRef } from '../intake/contactRef.js';
import { parseDocument } from '../intake/crmRecords.js';
import { nudgeRobotReturn, type JobPayload } from '../jobs.js';
import { B24Error, isB24Error } from '../rest/b24Error.js';
import type { CommandOutcome } from '../rest/batchCodec.js';
import { findInstalledPortal, type PortalRecord } from '../store/portals.js';
import { findRobotRun, stillWaiting } from '../store/robotRuns.js';
import { attemptLogLine, callComment, STATUS_CODE, talkSeconds } from './callTexts.js';
import { dealFields } from './dealFields.js';
import { recordingFileName, recordingLink, writebackRecordingWait } from './recordingLink.js';

/**
 * `attempt.writeback` (C6): one finished call becomes, on the deal or lead,
 *   1. a call record with its recording: `telephony.externalcall.register` (a unique
 *      EXTERNAL_CALL_ID per attempt, no call card, no chat), `finish` with the status code, then
 *      `attachRecord` with our permanent signed link, and `crm.activity.binding.add` to the deal
 *      (external calls cannot name a deal, gotcha 8);
 *   2. a timeline comment with outcome, answers, gender and result in the portal's language;
 *   3. the user fields (result, gender, last call) and, if the template says so, a stage move;
 *   4. for a robot run whose workflow still waits, a line in the workflow log
 *      (`bizproc.activity.log`: "call 2 to +7…: busy") — except for the call that closed the
 *      number: the robot's answer follows at once and carries that line in its own LOG_MESSAGE
 *      (returnToRobot.ts), one command fewer per run against the portal's 2 requests a second.
 * Each step is checkpointed as soon as it succeeds, so a retry never writes a timeline entry twice
 * (the CALL_ID of the register step, the comment id, …). Steps 1c–4 leave together. The comment
 * and the log line would show twice if repeated: they travel as one unit, and when it got no
 * answer (a 5xx, a timeout, this process killed before the checkpoint) the next try looks for the
 * comment on the document (crm.timeline.comment.list) before sending them again.
 */
const stateSchema = z.object({
  callId: z.string().optional(),
  finished: z.boolean().optional(),
  activityId: z.number().nullable().optional(),
  attached: z.boolean().optional(),
  bound: z.boolean().optional(),
  commentId: z.number().optional(),
  /** The comment (and the log line with it) was sent and no answer told whether it landed. */
  commentSent: z.boolean().optional(),
  /** The log line travelled with that comment (not when the robot's answer carries it). */
  logTied: z.boolean().optional(),
  fields: z.boolean().optional(),
  logged: z.boolean().optional(),
  recordingWaits: z.number().optional(),
  /** Times the portal could not download the recording from us (see ATTACH_TRIES). */
  attachTries: z.number().optional(),
});
type State = z.infer<typeof stateSchema>;

interface Ctx {
  b24: B24Context;
  /** This call closed its number: its log line travels with the robot's answer. */
  closesContact: boolean;
  portal: PortalRecord;
  lng: Locale;
  attempt: Attempt;
  ref: ContactRef;
  ctl: HandlerControl;
  state: State;
}

export async function writeAttempt(b24: B24Context, job: OutboxJob, p: JobPayload<'attempt.writeback'>, ctl: HandlerControl): Promise<HandlerResult> {
  const { app } = b24;
  const found = await findAttemptWithContactCrm(app.db, p.attemptId);
  const attempt = found?.attempt;
  const ref = readContactRef(found?.crm);
  if (!attempt || !ref) return { kind: 'dead', error: 'the attempt or its CRM reference is gone' };
  const installed = await findInstalledPortal(app.db, job.tenantId);
  if (!installed) return { kind: 'dead', error: 'the app is not installed on the portal' };
  const state = stateSchema.parse(job.state ?? {});
  const wait = writebackRecordingWait(app.db, attempt, state, app.clock.now());
  if (wait) return wait;
  const c: Ctx = { b24, closesContact: found.closesContact, portal: installed.portal, lng: installed.locale, attempt, ref, ctl, state };
  await registerAndFinish(c);
  await writeTimeline(c);
  // A robot answer waiting for this entry to be in the timeline may go now.
  const runId = ref.runId;
  return { kind: 'done', state: c.state, ...(runId ? { afterDone: () => nudgeRobotReturn(app.db, runId, app.clock.now()) } : {}) };
}

async function save(c: Ctx, patch: Partial<State>): Promise<void> {
  c.state = { ...c.state, ...patch };
  await c.ctl.checkpoint(c.state);
}

function callUser(c: Ctx): number {
  return c.ref.responsibleId ?? c.portal.tokenUserId ?? 1;
}

async function registerAndFinish(c: Ctx): Promise<void> {
  const { b24, attempt: a, ref } = c;
  const tenantId = c.portal.tenantId;
  if (!c.state.callId) {
    const owner = ref.owners[a.phone];
    const params = {
      USER_ID: callUser(c),
      PHONE_NUMBER: a.phone,
      TYPE: 1,
      CALL_START_DATE: (a.dialedAt ?? a.createdAt).toISOString(),
      CRM_CREATE: 0,
      SHOW: 0,
      ADD_TO_CHAT: 0,
      // Unique per attempt: a reused id makes Bitrix24 hand back an open call (gotcha 7).
      EXTERNAL_CALL_ID: `dozvon-${a.id}`,
      ...(owner ? { CRM_ENTITY_TYPE: owner.type, CRM_ENTITY_ID: owner.id } : {}),
    };
    let reg;
    try {
      reg = await b24.gateway.call<{ CALL_ID: string }>(tenantId, 'telephony.externalcall.register', params);
    } catch (e) {
      // The responsible user may be fired (inactive): register the call as the installing admin.
      if (!(isB24Error(e) && e.kind === 'final' && params.USER_ID !== (c.portal.tokenUserId ?? 1))) throw e;
      reg = await b24.gateway.call<{ CALL_ID: string }>(tenantId, 'telephony.externalcall.register', { ...params, USER_ID: c.portal.tokenUserId ?? 1 });
      c.ref = { ...c.ref, responsibleId: c.portal.tokenUserId ?? 1 };
    }
    await save(c, { callId: reg.result.CALL_ID });
  }
  if (!c.state.finished) {
    const answered = a.outcome === 'human' || a.outcome === 'machine' || a.outcome === 'short';
    try {
      const fin = await b24.gateway.call<{ CRM_ACTIVITY_ID?: number | null }>(tenantId, 'telephony.externalcall.finish', {
        CALL_ID: c.state.callId,
        USER_ID: callUser(c),
        DURATION: answered ? talkSeconds(a) : 0,
        STATUS_CODE: STATUS_CODE[a.outcome ?? 'failed'],
        ADD_TO_CHAT: 0,
      });
      await save(c, { finished: true, activityId: fin.result.CRM_ACTIVITY_ID ?? null });
    } catch (e) {
      // "Call is not found" (empty code) after a finish whose answer was lost: it is finished;
      // its activity id is unknown, so the deal binding is skipped rather than guessed.
      if (!(isB24Error(e) && e.code === '' && /not found/i.test(e.description))) throw e;
      await save(c, { finished: true, activityId: null });
    }
  }
}

type Step = { key: keyof State; value: boolean | number; method: string; params: Record<string, unknown>; accept?: (e: B24Error) => boolean };

async function writeTimeline(c: Ctx): Promise<void> {
  const { b24, attempt: a, ref } = c;
  const tenantId = c.portal.tenantId;
  const doc = parseDocument(ref.document)!;
  const template = await templateVersion(b24.app.db, a.templateVersionId);
  const url = recordingLink(b24.app, a);
  const run = ref.runId ? await findRobotRun(b24.app.db, tenantId, ref.runId) : undefined;
  const comment = callComment(c.lng, a, { templateName: template?.name ?? '', recordingUrl: url });
  // The comment and the workflow's log line went out together and nobody answered: if the
  // comment is on the document, both landed (one unit, one batch).
  if (c.state.commentId === undefined && c.state.commentSent) {
    const found = await findComment(b24, tenantId, doc, comment);
    // (A job saved before `logTied` existed sent the line whenever there was a run.)
    const logTied = c.state.logTied ?? Boolean(run);
    await save(c, found === undefined ? { commentSent: false } : { commentId: found, commentSent: false, ...(logTied ? { logged: true } : {}) });
  }

  // Writes that are harmless to repeat (attach, bind, fields), each on its own.
  const independent: Step[] = [];
  if (url && !c.state.attached) independent.push({ key: 'attached', value: true, method: 'telephony.externalcall.attachRecord', params: { CALL_ID: c.state.callId, RECORD_URL: url, FILENAME: recordingFileName(a) } });
  if (doc.entity === 'deal' && c.state.activityId && !c.state.bound) {
    independent.push({
      key: 'bound',
      value: true,
      method: 'crm.activity.binding.add',
      params: { activityId: c.state.activityId, entityTypeId: 2, entityId: doc.id },
      accept: (e) => e.code === 'ACTIVITY_IS_ALREADY_BOUND',
    });
  }
  const fields = dealFields(c.portal, doc.entity, a, template);
  if (fields && !c.state.fields) independent.push({ key: 'fields', value: true, method: `crm.${doc.entity}.update`, params: { id: doc.id, fields } });
  // Writes that would show twice if repeated: one unit, found again by its comment.
  const tied: Step[] = [];
  if (c.state.commentId === undefined) {
    tied.push({ key: 'commentId', value: 0, method: 'crm.timeline.comment.add', params: { fields: { ENTITY_ID: doc.id, ENTITY_TYPE: doc.entity, COMMENT: comment } } });
  }
  // Once the workflow has its answer (or stopped waiting) its event token is stale: no log line.
  if (run && stillWaiting(run) && !c.state.logged && !c.closesContact) {
    tied.push({
      key: 'logged',
      value: true,
      method: 'bizproc.activity.log',
      params: { EVENT_TOKEN: b24.sealer.open(run.eventTokenEnc), LOG_MESSAGE: attemptLogLine(c.lng, a) },
      // The workflow stopped waiting (gotcha 14): the log line has nowhere to go, and that is fine.
      accept: (e) => e.code === 'ACCESS_DENIED',
    });
  }
  if (tied.some((s) => s.key === 'commentId')) await save(c, { commentSent: true, logTied: tied.some((s) => s.key === 'logged') });
  const command = (s: Step) => ({ method: s.method, params: s.params });
  const [independentResults, tiedResults] = await Promise.all([b24.gateway.callSettled(tenantId, independent.map(command)), sendTogether(b24, tenantId, tied.map(command))]);
  const steps = [...independent, ...tied];
  const results = [...independentResults, ...tiedResults];
  const patch: Partial<State> = {};
  let failure: B24Error | undefined;
  results.forEach((r, i) => {
    const s = steps[i]!;
    if (r.ok || s.accept?.(r.error)) {
      (patch as Record<string, unknown>)[s.key] = s.key === 'commentId' ? Number(r.ok ? r.result : 0) : s.value;
      if (s.key === 'commentId') patch.commentSent = false;
    } else {
      // An answer that the comment failed, or a refusal before it ran, settles it: not written.
      // Only a request without an answer (transient: 5xx, timeout) leaves it unknown.
      if (s.key === 'commentId' && r.error.kind !== 'transient') patch.commentSent = false;
      // The portal could not fetch the recording from us (this process restarting, a proxy blip):
      // our side's trouble, not a wrong request — tried again a few times before it counts as final.
      if (s.key === 'attached' && downloadFailed(r.error) && (c.state.attachTries ?? 0) < ATTACH_TRIES) {
        patch.attachTries = (c.state.attachTries ?? 0) + 1;
        failure ??= new B24Error(r.error.code, r.error.description, r.error.status, 'transient');
        return;
      }
      failure ??= r.error;
    }
  });
  await save(c, patch);
  if (failure) throw failure;
}

const ATTACH_TRIES = 5;

/** attachRecord's answer when the portal's download of RECORD_URL failed (ERROR_CORE, RD). */
function downloadFailed(e: B24Error): boolean {
  return e.kind === 'final' && /could not download the record|server returns http error code/i.test(e.description);
}

/** Commands sent as one unit (one batch, never split); a request that failed as a whole fails each of them. */
async function sendTogether(b24: B24Context, tenantId: string, commands: { method: string; params: Record<string, unknown> }[]): Promise<CommandOutcome[]> {
  if (commands.length === 0) return [];
  try {
    return await b24.gateway.run(tenantId, commands);
  } catch (e) {
    if (!isB24Error(e)) throw e;
    return commands.map(() => ({ ok: false as const, error: e }));
  }
}

/**
 * Our comment on the document, if it is there: the newest comments are compared with the exact
 * text we write (it names the phone, the attempt and its outcome, so it is this attempt's).
 */
async function findComment(b24: B24Context, tenantId: string, doc: { entity: string; id: number }, text: string): Promise<number | undefined> {
  const r = await b24.gateway.call<{ ID: string; COMMENT: string }[]>(tenantId, 'crm.timeline.comment.list', {
    filter: { ENTITY_ID: doc.id, ENTITY_TYPE: doc.entity },
    select: ['ID', 'COMMENT'],
    order: { ID: 'DESC' },
  });
  const hit = (Array.isArray(r.result) ? r.result : []).find((x) => x.COMMENT === text);
  return hit ? Number(hit.ID) : undefined;
}
