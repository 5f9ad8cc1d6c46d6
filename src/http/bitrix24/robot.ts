import type Router from '@koa/router';
import { sha256Hex } from '../../core/crypto.js';
import { DomainError } from '../../core/errors.js';
import { parseInput } from '../../core/validation.js';
import type { B24Context } from '../../crm/bitrix24/b24Context.js';
import type { TemplateSettings } from '../../core/template.js';
import { documentPartition, enqueueB24, robotReturnKey } from '../../crm/bitrix24/jobs.js';
import { templateIdOfCode } from '../../crm/bitrix24/robots/robotDefinition.js';
import { answerBy, robotDeadline } from '../../crm/bitrix24/robots/returnDeadline.js';
import { findVersioned, TEMPLATES } from '../../store/repositories/versioned.js';
import { insertRobotRun } from '../../crm/bitrix24/store/robotRuns.js';
import { isOwnTemplate } from '../../crm/bitrix24/store/robots.js';
import { withTransaction } from '../../store/db.js';
import { readForm } from '../body.js';
import type { DozvonState } from '../state.js';
import { verifyApplicationToken } from './portalAuth.js';
import { robotCallSchema } from './robot.schema.js';

/**
 * POST /bitrix24/robot — where every robot's HANDLER points (C2). The chain states the contract:
 * form body → schema → application token (constant time) → a robot code of one of this portal's
 * own templates → the run recorded once per event token, its intake and its answer (due a margin
 * before Bitrix24's `timeout_duration` runs out, robots/returnDeadline.ts) queued in the same
 * transaction → 200 at once. Bitrix24 does not redeliver and deprioritises slow handlers
 * (gotcha 4), so nothing here talks to the portal; reading the deal, calling and answering back
 * happen in outbox jobs. A forged, malformed or unknown-portal call, or another portal's robot
 * code, gets a 4xx and leaves nothing behind.
 */
export function mountRobotRoute(router: Router<DozvonState>, b24: B24Context): void {
  router.post('/bitrix24/robot', async (ctx) => {
    const call = parseInput(robotCallSchema, await readForm(ctx));
    const { tenant } = await verifyApplicationToken(b24, call.auth.member_id, call.auth.application_token);
    const templateId = templateIdOfCode(call.code);
    // Another portal's robot code (its template id) is refused before anything is recorded: a
    // portal can only ever start its own templates.
    if (!templateId || !(await isOwnTemplate(b24.app.db, tenant.id, templateId))) throw new DomainError('not_found', 'bitrix24.errors.unknown_robot', { code: call.code });
    const document = call.document_id[2];
    const { app, sealer } = b24;
    const now = app.clock.now();
    // Bitrix24 stops waiting after timeout_duration: the answer is queued now, due before that.
    const deadlineAt = robotDeadline({ receivedAt: now, timeoutSec: call.timeout_duration, ts: call.ts });
    const answerAt = deadlineAt && call.timeout_duration ? answerBy(deadlineAt, call.timeout_duration) : null;
    const template = await findVersioned<TemplateSettings>(app.db, TEMPLATES, tenant.id, templateId);
    const queued = await withTransaction(app.db, async (tx) => {
      const run = await insertRobotRun(tx, {
        tenantId: tenant.id,
        eventTokenHash: sha256Hex(call.event_token),
        eventTokenEnc: sealer.seal(call.event_token),
        workflowId: call.workflow_id,
        code: call.code,
        templateId,
        document,
        properties: call.properties,
        deadlineAt,
        answerBy: answerAt,
        returnMode: template?.body.crm?.bitrix24?.robotReturn ?? 'final',
        now,
      });
      if (!run) return false; // the same robot call delivered again
      await enqueueB24(app, tx, {
        tenantId: tenant.id,
        kind: 'robot.intake',
        key: `b24:robot.intake:${run.id}`,
        partition: documentPartition(tenant.id, document),
        payload: { runId: run.id },
      });
      // Even if reading the deal or the first call takes longer, the workflow hears back in time.
      if (answerAt) {
        await enqueueB24(app, tx, { tenantId: tenant.id, kind: 'robot.return', key: robotReturnKey(run.id), partition: null, payload: { runId: run.id, contactId: null }, notBefore: answerAt });
      }
      return true;
    });
    if (queued) app.wake.outbox();
    ctx.status = 200;
    ctx.body = { status: queued ? 'queued' : 'duplicate' };
  });
}
