import { hmacHex, safeEqual } from '../../../core/crypto.js';
import { withTransaction } from '../../../store/db.js';
import { updateTenant } from '../../../store/repositories/tenants.js';
import type { AmoContext } from '../amoContext.js';
import { integrationById } from '../config.js';
import { eraseAccountTokens, findAccountsByAmoId } from '../store/accounts.js';

/**
 * The disable hook (brief §1): a GET with `client_uuid`, `account_id` and `signature` = hex
 * HMAC-SHA256 of `client_id|account_id` keyed with the integration's secret, checked in constant
 * time; the client must be ours. A forged hook changes nothing. A genuine one disables the account
 * at once: its campaigns complete (calls in progress finish), its tokens are erased, writes still
 * queued for it are dropped, and the widget API and DP hooks refuse it until it is installed again.
 */
export type UninstallVerdict = { ok: true; tenantId: string | null } | { ok: false };

export function verifyUninstall(ctx: AmoContext, q: { clientUuid: string; accountId: string; signature: string }): boolean {
  const integration = integrationById(ctx.cfg, q.clientUuid);
  if (!integration || !/^\d{1,18}$/.test(q.accountId)) return false;
  return safeEqual(q.signature.toLowerCase(), hmacHex(integration.clientSecret, `${integration.clientId}|${q.accountId}`));
}

export async function handleUninstall(ctx: AmoContext, q: { clientUuid: string; accountId: string; signature: string }): Promise<UninstallVerdict> {
  if (!verifyUninstall(ctx, q)) return { ok: false };
  const integration = integrationById(ctx.cfg, q.clientUuid)!;
  const account = (await findAccountsByAmoId(ctx.db, Number(q.accountId))).find((a) => a.clientId === integration.clientId);
  if (!account) return { ok: true, tenantId: null };
  await uninstallAccount(ctx, account.tenantId);
  return { ok: true, tenantId: account.tenantId };
}

export async function uninstallAccount(ctx: AmoContext, tenantId: string): Promise<void> {
  const now = ctx.clock.now();
  const stopped = await withTransaction(ctx.db, async (tx) => {
    const n = await ctx.campaigns.completeAll(tx, tenantId, 'uninstalled');
    await eraseAccountTokens(tx, tenantId, now);
    await updateTenant(tx, tenantId, { status: 'uninstalled', statusReason: null });
    // Including what the cancellations above just queued: nothing can reach the account now.
    await tx.query(
      `UPDATE outbox SET status = 'dead', last_error = 'the integration was uninstalled', done_at = $2, locked_by = NULL, locked_until = NULL
       WHERE tenant_id = $1 AND channel = 'amocrm' AND status = 'pending'`,
      [tenantId, now],
    );
    return n;
  });
  ctx.log.info({ tenantId, campaignsStopped: stopped }, 'amocrm: integration uninstalled from an account');
}
