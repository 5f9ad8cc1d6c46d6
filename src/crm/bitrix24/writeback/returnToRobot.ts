import type { HandlerResult } from '../../../engine/outbox/outboxWorker.js';
import { t } from '../../../i18n.js';
import { completedAttemptsOfContact } from '../../../store/repositories/attempts.js';
import { findContact } from '../../../store/repositories/numbers.js';
import type { OutboxJob } from '../../../store/repositories/outbox.js';
import type { B24Context } from '../b24Context.js';
import type { JobPayload } from '../jobs.js';
import { isAccessDenied } from '../rest/b24Error.js';
import { findInstalledPortal } from '../store/portals.js';
import { findRobotRun, setRobotRunFinished } from '../store/robotRuns.js';
import { outcomeText } from './callTexts.js';
import { recordingPending, recordingWaitMs, RECORDING_WAITS } from './recordingLink.js';
import { decidingAttempt, returnValues } from './returnValues.js';

/**
 * `robot.return` (C2): the number is done (all redials included), so the waiting workflow gets
 * its values with `bizproc.event.send` and moves on. Queued behind the document's last call
 * write-back (same partition), so the timeline already shows the call when the next robots run.
 * A stale event token (403 ACCESS_DENIED: the workflow timed out or was stopped) can never
 * succeed: the job is dead at once instead of retried (gotcha 14).
 */
export async function returnToRobot(b24: B24Context, job: OutboxJob, p: JobPayload<'robot.return'>): Promise<HandlerResult> {
  const { app } = b24;
  const run = await findRobotRun(app.db, job.tenantId, p.runId);
  if (!run || run.status === 'returned' || run.status === 'failed') return { kind: 'done' };
  const installed = await findInstalledPortal(app.db, job.tenantId);
  if (!installed) {
    await setRobotRunFinished(app.db, run.id, 'failed', app.clock.now());
    return { kind: 'dead', error: 'the app is not installed on the portal' };
  }
  const contact = p.contactId ? await findContact(app.db, p.contactId) : undefined;
  const attempts = p.contactId
    ? await completedAttemptsOfContact(app.db, p.contactId)
    : [];
  const deciding = decidingAttempt(p.status, attempts);
  if (deciding && recordingPending(deciding) && job.attempts <= RECORDING_WAITS) {
    return { kind: 'retry', error: 'waiting for the recording to be stored', retryAt: new Date(app.clock.now().getTime() + recordingWaitMs(job.attempts)) };
  }
  const values = returnValues(app, p.status, attempts, contact?.result ?? null);
  const lng = installed.tenant.locale;
  try {
    await b24.gateway.call(job.tenantId, 'bizproc.event.send', {
      EVENT_TOKEN: b24.sealer.open(run.eventTokenEnc),
      RETURN_VALUES: values,
      LOG_MESSAGE: t(lng, 'bitrix24.log.returned', { outcome: outcomeText(lng, values.outcome), attempts: values.attempts }),
    });
  } catch (e) {
    if (isAccessDenied(e)) {
      await setRobotRunFinished(app.db, run.id, 'failed', app.clock.now());
      return { kind: 'dead', error: 'stale event token: the workflow no longer waits for this robot (403 ACCESS_DENIED)' };
    }
    throw e;
  }
  await setRobotRunFinished(app.db, run.id, 'returned', app.clock.now());
  return { kind: 'done' };
}
