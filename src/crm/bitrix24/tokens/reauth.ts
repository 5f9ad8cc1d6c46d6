import type { AppContext } from '../../../context.js';
import { autoPause, resumeCampaign } from '../../../engine/campaigns/lifecycle.js';
import { withTransaction } from '../../../store/db.js';
import { findTenant, updateTenant } from '../../../store/repositories/tenants.js';

/**
 * "Needs re-authorisation" (C1): the OAuth server refused our refresh token (invalid_grant — used
 * twice, expired after 180 days, revoked). Nothing more can be written to the portal, so its
 * running campaigns pause (reason crm_needs_reauth, which also blocks a manual resume) and the
 * tenant shows the reason. An administrator opening the app page hands us a fresh pair, which
 * clears the state and resumes what was paused for it.
 */
export const REAUTH_REASONS = ['refresh_rejected', 'tokens_missing'] as const;
export type ReauthReason = (typeof REAUTH_REASONS)[number];

export async function markNeedsReauth(app: AppContext, tenantId: string, reason: ReauthReason, detail: string): Promise<void> {
  await withTransaction(app.db, async (tx) => {
    const tenant = await tx.query<{ status: string }>('SELECT status FROM tenants WHERE id = $1 FOR UPDATE', [tenantId]);
    const status = tenant.rows[0]?.status;
    if (!status || status === 'needs_reauth' || status === 'uninstalled') return;
    await updateTenant(tx, tenantId, { status: 'needs_reauth', statusReason: reason });
    const running = await tx.query<{ id: string }>(
      `SELECT id FROM campaigns WHERE tenant_id = $1 AND status IN ('running', 'scheduled') AND deleted_at IS NULL`,
      [tenantId],
    );
    for (const c of running.rows) await autoPause(app, tx, c.id, 'crm_needs_reauth', detail);
    app.log.warn({ tenantId, reason }, 'bitrix24: portal needs re-authorisation');
  });
}

/** A fresh token pair arrived from an administrator: back to active, and resume what the re-auth paused. */
export async function clearNeedsReauth(app: AppContext, tenantId: string): Promise<void> {
  const tenant = await findTenant(app.db, tenantId);
  if (tenant?.status !== 'needs_reauth') return;
  await updateTenant(app.db, tenantId, { status: 'active', statusReason: null });
  const paused = await app.db.query<{ id: string }>(
    `SELECT id FROM campaigns WHERE tenant_id = $1 AND status = 'paused' AND status_reason = 'crm_needs_reauth' AND deleted_at IS NULL`,
    [tenantId],
  );
  for (const c of paused.rows) {
    await resumeCampaign(app, tenantId, c.id).catch((err: unknown) => app.log.warn({ tenantId, campaignId: c.id, err }, 'bitrix24: resume after re-auth failed'));
  }
  app.wake.outbox();
}
