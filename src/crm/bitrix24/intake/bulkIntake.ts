import { z } from 'zod';
import type { TemplateSettings } from '../../../core/template.js';
import { addContacts, type ContactInput } from '../../../engine/campaigns/addContacts.js';
import { analyzeCampaignTables } from '../../../engine/campaigns/analyze.js';
import { loadRuntime } from '../../../engine/campaigns/runtime.js';
import type { HandlerResult } from '../../../engine/outbox/outboxWorker.js';
import { withTransaction } from '../../../store/db.js';
import type { AppContext } from '../../../context.js';
import type { Queryable } from '../../../store/db.js';
import { findCampaign, findCampaignById, setCampaignStatus } from '../../../store/repositories/campaigns.js';
import { countOpenNumbers } from '../../../store/repositories/numbers.js';
import type { OutboxJob } from '../../../store/repositories/outbox.js';
import { findVersioned, TEMPLATES } from '../../../store/repositories/versioned.js';
import type { B24Context } from '../b24Context.js';
import { enqueueB24, type JobPayload } from '../jobs.js';
import { advanceIntake, failIntake, findIntake } from '../store/intakes.js';
import { findPortal } from '../store/portals.js';
import { newChainPlan, readFilterPages, readIdPages, type Page } from './listRecords.js';
import { readPeople } from './readPeople.js';
import { toContactInput } from './toContactInput.js';

/**
 * `intake` (C5): fills a selection or filter campaign from the portal, a request of up to 2,500
 * records at a time. Each page's contacts and the intake's new position are committed together,
 * so a crash or a retry resumes after the last committed page and never adds a record twice. One
 * run works for a bounded time (well inside the outbox lease), then hands over to a continuation
 * job in the same partition.
 */
const RUN_BUDGET_MS = 25_000;
/**
 * Planner statistics are refreshed as the campaign grows (first at 5,000 numbers, then each
 * doubling): PGlite runs no autovacuum, and with statistics taken while the tables were small,
 * every inserted number's foreign-key check scanned the contacts table — page after page got
 * slower (bench: 100,000 deals, 2,500-deal pages going from 0.3 s to over 5 s each).
 */
const FIRST_ANALYZE_AT = 5_000;

export const intakeSpecSchema = z.object({
  ids: z.array(z.number().int().positive()).optional(),
  filter: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))])).optional(),
});

export async function bulkIntake(b24: B24Context, job: OutboxJob, p: JobPayload<'intake'>): Promise<HandlerResult> {
  const { app } = b24;
  const intake = await findIntake(app.db, job.tenantId, p.campaignId);
  if (!intake || intake.status !== 'running') return { kind: 'done' };
  const campaign = await findCampaign(app.db, job.tenantId, p.campaignId);
  const portal = await findPortal(app.db, job.tenantId);
  if (!campaign || campaign.status === 'completed' || !portal?.accessTokenEnc) {
    await failIntake(app.db, p.campaignId, 'the campaign ended or the app was uninstalled', app.clock.now());
    return { kind: 'done' };
  }
  const template = await findVersioned<TemplateSettings>(app.db, TEMPLATES, job.tenantId, campaign.templateId);
  if (!template) {
    await failIntake(app.db, p.campaignId, 'the template was deleted', app.clock.now());
    return { kind: 'done' };
  }
  const spec = intakeSpecSchema.parse(intake.spec);
  const started = Date.now();
  let lastId = intake.lastId;
  const plan = newChainPlan(lastId);
  let analyzeAt = Math.max(FIRST_ANALYZE_AT, intake.added * 2);
  let added = intake.added;
  for (;;) {
    const page: Page =
      intake.kind === 'ids'
        ? await readIdPages(b24, job.tenantId, intake.entity, spec.ids ?? [], lastId)
        : await readFilterPages(b24, job.tenantId, intake.entity, spec.filter ?? {}, lastId, plan);
    const { people, companies } = intake.entity === 'deal' ? await readPeople(b24, job.tenantId, page.records) : { people: new Map(), companies: new Map() };
    const contacts: ContactInput[] = [];
    for (const r of page.records) {
      const c = toContactInput(r, people, companies, { country: template.body.country });
      if (c.ok) contacts.push(c.contact);
    }
    const handOver = !page.done && Date.now() - started > RUN_BUDGET_MS;
    const moved = await withTransaction(app.db, async (tx) => {
      const now = await findIntake(tx, job.tenantId, p.campaignId, { forUpdate: true });
      // Someone else moved it on (a lease that expired under us): stop without adding.
      if (!now || now.lastId !== lastId || now.status !== 'running') return false;
      const fresh = await findCampaign(tx, job.tenantId, p.campaignId);
      const result = fresh ? await addContacts(app, tx, await loadRuntime(tx, fresh), contacts) : { contacts: 0 };
      added += result.contacts;
      await advanceIntake(tx, p.campaignId, {
        lastId: page.lastId,
        fetched: page.records.length,
        added: result.contacts,
        skipped: page.records.length - result.contacts,
        done: page.done,
        now: app.clock.now(),
      });
      // Only now may the campaign finish by itself: before, it could run dry between two pages.
      if (page.done && fresh) await letCampaignFinish(app, tx, fresh.id);
      if (handOver) {
        await enqueueB24(app, tx, {
          tenantId: job.tenantId,
          kind: 'intake',
          key: `b24:intake:${p.campaignId}:${page.lastId}`,
          partition: `b24:${job.tenantId}:intake:${p.campaignId}`,
          payload: { campaignId: p.campaignId },
        });
      }
      return true;
    });
    if (!moved) return { kind: 'done' };
    if (added >= analyzeAt) {
      await analyzeCampaignTables(app.db);
      analyzeAt = added * 2;
    }
    app.wake.dispatcher();
    if (handOver) app.wake.outbox();
    lastId = page.lastId;
    if (page.done || handOver) return { kind: 'done' };
  }
}

async function letCampaignFinish(app: AppContext, tx: Queryable, campaignId: string): Promise<void> {
  await tx.query(`UPDATE campaigns SET settings = jsonb_set(settings, '{completeWhenDone}', 'true'::jsonb) WHERE id = $1`, [campaignId]);
  const c = await findCampaignById(tx, campaignId);
  if (c && c.status === 'running' && (await countOpenNumbers(tx, campaignId)) === 0) {
    await setCampaignStatus(tx, campaignId, { status: 'completed', reason: 'all_done', now: app.clock.now() });
  }
}
