import { z } from 'zod';
import type { HandlerControl, HandlerResult } from '../../../engine/outbox/outboxWorker.js';
import { completedAttemptsOfContact } from '../../../store/repositories/attempts.js';
import { findContact } from '../../../store/repositories/numbers.js';
import type { OutboxJob } from '../../../store/repositories/outbox.js';
import type { B24Context } from '../b24Context.js';
import { parseDocument } from '../intake/crmRecords.js';
import type { JobPayload } from '../jobs.js';
import type { B24Error } from '../rest/b24Error.js';
import { findInstalledPortal } from '../store/portals.js';
import { decidingAttempt } from '../writeback/returnValues.js';
import { triggerAddCommands, triggersFor } from './appTriggers.js';

/**
 * `trigger.fire`: a document's number is done — fire its app triggers (`crm.automation.trigger.execute`,
 * as the installing administrator; ./appTriggers.ts says which). Queued in the document's partition
 * behind the last call's write-back, so rules that read the deal see the call's fields. Each
 * trigger fired is checkpointed, so a retry fires only the rest. A portal that does not know a
 * trigger (installed before Dozvon had them) gets them registered, and the trigger fired then.
 */
const stateSchema = z.object({ fired: z.array(z.string()).default([]) });

const notRegistered = (e: B24Error): boolean => e.code === '' && /is not registered/i.test(e.description);

export async function fireTriggers(b24: B24Context, job: OutboxJob, p: JobPayload<'trigger.fire'>, ctl: HandlerControl): Promise<HandlerResult> {
  const { app, gateway } = b24;
  const installed = await findInstalledPortal(app.db, job.tenantId);
  if (!installed) return { kind: 'dead', error: 'the app is not installed on the portal' };
  const doc = parseDocument(p.document);
  const contact = await findContact(app.db, p.contactId);
  if (!doc || doc.entity === 'contact' || !contact) return { kind: 'done' };
  const deciding = decidingAttempt(p.status, await completedAttemptsOfContact(app.db, p.contactId));
  const codes = triggersFor({ status: p.status, result: contact.result ?? deciding?.result ?? null, tags: deciding?.tags ?? [] });
  const state = stateSchema.parse(job.state ?? {});
  const owner = { OWNER_TYPE_ID: doc.entity === 'deal' ? 2 : 1, OWNER_ID: doc.id };
  let todo: string[] = codes.filter((c) => !state.fired.includes(c));
  for (let round = 0; todo.length > 0; round++) {
    const results = await gateway.callAll(job.tenantId, todo.map((CODE) => ({ method: 'crm.automation.trigger.execute', params: { CODE, ...owner } })));
    const failed: { code: string; error: B24Error }[] = [];
    results.forEach((r, i) => {
      if (r.ok) state.fired.push(todo[i]!);
      else failed.push({ code: todo[i]!, error: r.error });
    });
    await ctl.checkpoint(state);
    if (failed.length === 0) break;
    if (round > 0 || !failed.every((f) => notRegistered(f.error))) throw failed[0]!.error;
    const added = await gateway.callAll(job.tenantId, triggerAddCommands(installed.locale));
    for (const r of added) if (!r.ok) throw r.error;
    app.log.info({ tenantId: job.tenantId }, 'bitrix24: app triggers registered on a portal that did not have them');
    todo = failed.map((f) => f.code);
  }
  return { kind: 'done', state };
}
