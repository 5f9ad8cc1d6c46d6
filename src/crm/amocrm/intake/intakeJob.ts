import { z } from 'zod';
import type { TemplateSettings } from '../../../core/template.js';
import type { ContactInput } from '../../../engine/campaigns/addContacts.js';
import type { HandlerResult } from '../../../engine/outbox/outboxWorker.js';
import { withTransaction, type Queryable } from '../../../store/db.js';
import { findCampaign, findCampaignById, setCampaignStatus } from '../../../store/repositories/campaigns.js';
import { countOpenNumbers } from '../../../store/repositories/numbers.js';
import type { OutboxJob } from '../../../store/repositories/outbox.js';
import { findVersioned, TEMPLATES } from '../../../store/repositories/versioned.js';
import type { AmoContext } from '../amoContext.js';
import type { AmoLead } from '../api/models.js';
import { enqueueAmo, type JobPayload } from '../jobs.js';
import { findAccount } from '../store/accounts.js';
import { advanceIntake, failIntake, findIntake, type IntakePosition } from '../store/intakes.js';
import { filterQuery, filterSpecSchema } from './filterSpec.js';
import { readContacts } from './readLeads.js';
import { toContactInput } from './toContactInput.js';

/**
 * `intake` (C5): fills a selection or filter campaign from the account, 250 leads a page, their
 * contacts 250 a request. The next page's leads are asked for while this page's contacts are read
 * and committed, so the account's request budget is used without gaps. Each page's contacts and
 * the intake's new position are committed together: a crash or a retry resumes after the last
 * committed page and never adds a lead twice. One run works for a bounded time (well inside the
 * outbox lease), then hands over to a continuation job in the same partition.
 */
const RUN_BUDGET_MS = 25_000;
const FIRST_ANALYZE_AT = 5_000;

export const intakeSpecSchema = z.object({ ids: z.array(z.number().int().positive()).optional(), filter: filterSpecSchema.optional() });

interface Page {
  leads: AmoLead[];
  next: IntakePosition;
  done: boolean;
}

function pager(ctx: AmoContext, tenantId: string, kind: 'ids' | 'filter', spec: z.infer<typeof intakeSpecSchema>): (pos: IntakePosition) => Promise<Page> {
  if (kind === 'ids') {
    const ids = [...new Set(spec.ids ?? [])].sort((a, b) => a - b);
    return async (pos) => {
      const taken = pos.taken ?? 0;
      const slice = ids.slice(taken, taken + 250);
      const leads = slice.length ? await ctx.api.leadsByIds(tenantId, slice) : [];
      return { leads, next: { taken: taken + slice.length }, done: taken + slice.length >= ids.length };
    };
  }
  const query = filterQuery(spec.filter ?? {});
  return async (pos) => {
    const page = pos.page ?? 1;
    const lastId = pos.lastId ?? 0;
    const { leads, more } = await ctx.api.leadsPage(tenantId, query, page);
    // Pages shift when leads are added or removed meanwhile: never take a lead twice.
    const fresh = leads.filter((l) => l.id > lastId);
    return { leads: fresh, next: { page: page + 1, lastId: Math.max(lastId, ...fresh.map((l) => l.id)) }, done: !more };
  };
}

export async function runIntake(ctx: AmoContext, job: OutboxJob, p: JobPayload<'intake'>): Promise<HandlerResult> {
  const intake = await findIntake(ctx.db, job.tenantId, p.campaignId);
  if (!intake || intake.status !== 'running') return { kind: 'done' };
  const campaign = await findCampaign(ctx.db, job.tenantId, p.campaignId);
  const account = await findAccount(ctx.db, job.tenantId);
  if (!campaign || campaign.status === 'completed' || !account?.accessTokenEnc) {
    await failIntake(ctx.db, p.campaignId, 'the campaign ended or the integration was uninstalled', ctx.clock.now());
    return { kind: 'done' };
  }
  const template = await findVersioned<TemplateSettings>(ctx.db, TEMPLATES, job.tenantId, campaign.templateId);
  if (!template) {
    await failIntake(ctx.db, p.campaignId, 'the template was deleted', ctx.clock.now());
    return { kind: 'done' };
  }
  const read = pager(ctx, job.tenantId, intake.kind, intakeSpecSchema.parse(intake.spec));
  const started = Date.now();
  let position = intake.position;
  let added = intake.added;
  let analyzeAt = Math.max(FIRST_ANALYZE_AT, added * 2);
  let pending: Promise<Page> | undefined = read(position);
  try {
    for (;;) {
      const page: Page = await pending!;
      pending = undefined;
      const handOver = !page.done && Date.now() - started > RUN_BUDGET_MS;
      if (!page.done && !handOver) pending = read(page.next);
      const contacts = await readContacts(ctx, job.tenantId, page.leads);
      const inputs: ContactInput[] = [];
      for (const lead of page.leads) {
        const c = toContactInput(lead, contacts, { country: template.body.country });
        if (c.ok) inputs.push(c.contact);
      }
      const from = position;
      const moved = await withTransaction(ctx.db, async (tx) => {
        const now = await findIntake(tx, job.tenantId, p.campaignId, { forUpdate: true });
        // Someone else moved it on (a lease that expired under us): stop without adding.
        if (!now || now.status !== 'running' || JSON.stringify(now.position) !== JSON.stringify(from)) return false;
        const fresh = await findCampaign(tx, job.tenantId, p.campaignId);
        const result = fresh && fresh.status !== 'completed' ? await ctx.campaigns.addContacts(tx, fresh, inputs) : { contacts: 0 };
        added += result.contacts;
        await advanceIntake(tx, p.campaignId, { position: page.next, fetched: page.leads.length, added: result.contacts, skipped: page.leads.length - result.contacts, done: page.done, now: ctx.clock.now() });
        if (page.done && fresh) await letCampaignFinish(ctx, tx, fresh.id);
        if (handOver) {
          await enqueueAmo(ctx, tx, {
            tenantId: job.tenantId,
            kind: 'intake',
            key: `amo:intake:${p.campaignId}:${JSON.stringify(page.next)}`,
            partition: `amo:${job.tenantId}:intake:${p.campaignId}`,
            payload: { campaignId: p.campaignId },
          });
        }
        return true;
      });
      if (!moved) return { kind: 'done' };
      if (added >= analyzeAt) {
        await ctx.campaigns.analyze();
        analyzeAt = added * 2;
      }
      ctx.wake.dispatcher();
      if (handOver) ctx.wake.outbox();
      position = page.next;
      if (page.done || handOver) return { kind: 'done' };
    }
  } finally {
    // A read ahead that is no longer wanted (an error above): its failure is of no interest.
    pending?.catch((e: unknown) => void e);
  }
}

/** The last page is in: only now may the campaign finish by itself (before, it could run dry between pages). */
async function letCampaignFinish(ctx: AmoContext, tx: Queryable, campaignId: string): Promise<void> {
  await tx.query(`UPDATE campaigns SET settings = jsonb_set(settings, '{completeWhenDone}', 'true'::jsonb) WHERE id = $1`, [campaignId]);
  const c = await findCampaignById(tx, campaignId);
  if (c && c.status === 'running' && (await countOpenNumbers(tx, campaignId)) === 0) {
    await setCampaignStatus(tx, campaignId, { status: 'completed', reason: 'all_done', now: ctx.clock.now() });
  }
}
