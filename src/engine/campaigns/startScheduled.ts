import type { AppContext } from '../../context.js';
import { withTransaction } from '../../store/db.js';
import { findCampaignById, listDueScheduledCampaigns, setCampaignStatus } from '../../store/repositories/campaigns.js';

/**
 * J4: a campaign scheduled for a moment starts then (if it is still scheduled and not deleted;
 * an edit may have moved the moment, so the stored start time decides, not the job's).
 */
export async function startScheduledCampaign(app: AppContext, campaignId: string): Promise<boolean> {
  const started = await withTransaction(app.db, async (tx) => {
    const c = await findCampaignById(tx, campaignId, { forUpdate: true });
    const now = app.clock.now();
    if (!c || c.deletedAt || c.status !== 'scheduled' || !c.startAt || c.startAt > now) return false;
    await setCampaignStatus(tx, c.id, { status: 'running', reason: null, now });
    return true;
  });
  if (started) app.wake.dispatcher();
  return started;
}

/** Starts every scheduled campaign whose moment has passed (after downtime the jobs catch up too). */
export async function startDueScheduledCampaigns(app: AppContext): Promise<number> {
  let n = 0;
  for (const c of await listDueScheduledCampaigns(app.db, app.clock.now())) if (await startScheduledCampaign(app, c.id)) n++;
  return n;
}
