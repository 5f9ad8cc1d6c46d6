import type { TemplateSettings } from '../../../core/template.js';
import type { HandlerResult } from '../../../engine/outbox/outboxWorker.js';
import { withTransaction } from '../../../store/db.js';
import type { OutboxJob } from '../../../store/repositories/outbox.js';
import { findVersioned, TEMPLATES } from '../../../store/repositories/versioned.js';
import type { B24Context } from '../b24Context.js';
import { enqueueB24, queueRobotReturn, robotQueuedKey, type JobPayload } from '../jobs.js';
import { readRobotProperties } from '../robots/robotProperties.js';
import { findInstalledPortal } from '../store/portals.js';
import { findRobotRun, setRobotRunCalling, type RobotRun } from '../store/robotRuns.js';
import { parseDocument } from './crmRecords.js';
import { QUEUED_LINE_AFTER_MS } from './queuedLine.js';
import { readDocument } from './readDocument.js';
import { addToRobotCampaign } from './robotCampaign.js';
import { toContactInput } from './toContactInput.js';

/**
 * `robot.intake` (C5): a robot call was acknowledged; now read its document (a deal's contacts and
 * their phones, or a lead's) and put it into the template's robot campaign. The workflow log hears
 * of it only if no call has started a minute later (`robot.queued`, see queuedLine.ts).
 * A run whose workflow already got its answer (Bitrix24's deadline came before the intake did) is
 * still called: the outcome then reaches automation through the triggers.
 * The run's status moves to `calling` in the same transaction that adds the contact, so a retry
 * after a crash never adds it twice. A document without a usable phone, or one that is gone, is
 * answered at once (`invalid_number` / `failed`), so the workflow does not wait for nothing.
 */
/** Not taken in yet: queued, or answered at its deadline before the intake ran (no contact yet). */
const awaitsIntake = (run: RobotRun): boolean => run.contactId === null && (run.status === 'queued' || run.status === 'returned');

export async function robotIntake(b24: B24Context, job: OutboxJob, p: JobPayload<'robot.intake'>): Promise<HandlerResult> {
  const { app } = b24;
  const run = await findRobotRun(app.db, job.tenantId, p.runId);
  if (!run || !awaitsIntake(run)) return { kind: 'done' };
  const installed = await findInstalledPortal(app.db, job.tenantId);
  if (!installed) return { kind: 'dead', error: 'the app is not installed on the portal' };
  const lng = installed.locale;
  const template = await findVersioned<TemplateSettings>(app.db, TEMPLATES, job.tenantId, run.templateId);
  const ref = parseDocument(run.document)!;
  const props = readRobotProperties(run.properties);
  const read = template ? await readDocument(b24, job.tenantId, ref) : ({ found: false } as const);
  const intake = read.found ? toContactInput(read.record, read.people, read.companies, { country: template!.body.country, phoneField: props.phoneField, variables: props.variables, runId: run.id }) : undefined;

  const added = await withTransaction(app.db, async (tx) => {
    const fresh = await findRobotRun(tx, job.tenantId, run.id, { forUpdate: true });
    if (!fresh || !awaitsIntake(fresh)) return undefined;
    if (!intake?.ok) {
      await tx.query(`UPDATE b24_robot_runs SET status = 'calling' WHERE id = $1 AND status = 'queued'`, [run.id]);
      // Nothing to call: the answer is due now.
      await queueRobotReturn(app, tx, { tenantId: job.tenantId, runId: run.id, at: app.clock.now(), payload: { runId: run.id, contactId: null, status: intake ? 'no_phone' : 'failed' } });
      return undefined;
    }
    const { campaign, contactId } = await addToRobotCampaign(
      app,
      tx,
      { tenantId: job.tenantId, templateId: run.templateId, templateName: template!.name, maxAttempts: props.maxAttempts, lng },
      intake.contact,
    );
    await setRobotRunCalling(tx, run.id, campaign.id, contactId);
    // A workflow that already has its answer has no log to write into (its token is stale).
    if (fresh.status === 'queued') {
      const at = new Date(app.clock.now().getTime() + QUEUED_LINE_AFTER_MS);
      await enqueueB24(app, tx, { tenantId: job.tenantId, kind: 'robot.queued', key: robotQueuedKey(run.id), partition: null, payload: { runId: run.id }, notBefore: at });
    }
    return true;
  });
  app.wake.outbox();
  if (added) app.wake.dispatcher();
  return { kind: 'done' };
}
