import { z } from 'zod';
import { safeEqual } from '../../../core/crypto.js';
import { DomainError } from '../../../core/errors.js';
import { parseInput } from '../../../core/validation.js';
import { withTransaction } from '../../../store/db.js';
import { findTenant } from '../../../store/repositories/tenants.js';
import { findVersioned, TEMPLATES } from '../../../store/repositories/versioned.js';
import type { AmoContext } from '../amoContext.js';
import { enqueueAmo, leadPartition } from '../jobs.js';
import { findAccountsByAmoId, type AccountRecord } from '../store/accounts.js';

/**
 * `POST /amocrm/dp` — the widget's Digital Pipeline action fired for a lead (brief §4): amoCRM
 * posts once, never retries, and expects a prompt answer. DP hooks are unsigned and carry only the
 * trigger's own settings, so the settings carry the account's `dp_key` (set by the widget's
 * `dpSettings`), compared in constant time with each account of that id; a wrong key is refused
 * (4xx) and nothing is called or written. A good hook is recorded once per (lead, stage, event
 * time) and its intake queued in the same transaction; the answer (202) does not wait for it.
 * Both encodings are read: JSON and form-encoded with string values (gotcha 11).
 */
const num = z.coerce.number().int();

export const dpHookSchema = z.object({
  event: z
    .object({
      type: num.optional(),
      type_code: z.string().max(100).optional(),
      data: z
        .object({
          id: num.positive(),
          element_type: num.optional(),
          status_id: num.nonnegative().optional(),
          pipeline_id: num.nonnegative().optional(),
          direction_of_movement: z.string().max(50).optional(),
        })
        .passthrough(),
      time: num.nonnegative().optional(),
    })
    .passthrough(),
  action: z
    .object({
      settings: z.object({
        widget: z.object({
          settings: z
            .object({
              template_id: z.uuid(),
              dp_key: z.string().min(1).max(200),
              max_attempts: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(1).max(99).optional()),
            })
            .passthrough(),
        }),
      }),
    })
    .passthrough(),
  account_id: num.positive(),
  subdomain: z.string().max(100).optional(),
});
export type DpHook = z.infer<typeof dpHookSchema>;

export type DpVerdict = 'queued' | 'duplicate' | 'ignored';

function accountWithKey(ctx: AmoContext, candidates: AccountRecord[], key: string): AccountRecord | undefined {
  let found: AccountRecord | undefined;
  for (const a of candidates) if (safeEqual(ctx.sealer.open(a.dpKeyEnc), key)) found = a;
  return found;
}

export async function receiveDpHook(ctx: AmoContext, body: unknown): Promise<{ verdict: DpVerdict; tenantId: string }> {
  const hook = parseInput(dpHookSchema, body);
  const s = hook.action.settings.widget.settings;
  const account = accountWithKey(ctx, await findAccountsByAmoId(ctx.db, hook.account_id), s.dp_key);
  if (!account) throw new DomainError('forbidden', 'amocrm.errors.dp_key');
  const tenant = await findTenant(ctx.db, account.tenantId);
  if (!tenant || tenant.status === 'uninstalled' || !account.refreshTokenEnc) throw new DomainError('forbidden', 'amocrm.errors.not_connected');
  const data = hook.event.data;
  // Leaving the stage, or an event of another entity (customers): nothing to call.
  if (data.direction_of_movement === 'went_from_trigger' || (data.element_type !== undefined && data.element_type !== 2)) return { verdict: 'ignored', tenantId: tenant.id };
  if (!(await findVersioned(ctx.db, TEMPLATES, tenant.id, s.template_id))) {
    throw new DomainError('validation_failed', 'errors.validation_failed', { count: 1 }, [{ path: 'action.settings.widget.settings.template_id', key: 'validation.reference_not_found', params: { id: s.template_id } }]);
  }
  const eventKey = `${data.id}:${data.status_id ?? ''}:${hook.event.time ?? ''}:${s.template_id}`;
  const queued = await withTransaction(ctx.db, async (tx) => {
    const fresh = await tx.query(`INSERT INTO amo_dp_events (tenant_id, event_key, lead_id, template_id, received_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, [
      tenant.id,
      eventKey,
      data.id,
      s.template_id,
      ctx.clock.now(),
    ]);
    if ((fresh.rowCount ?? 0) === 0) return false;
    await enqueueAmo(ctx, tx, {
      tenantId: tenant.id,
      kind: 'dp.intake',
      key: `amo:dp:${tenant.id}:${eventKey}`,
      partition: leadPartition(tenant.id, data.id),
      payload: { eventKey, leadId: data.id, templateId: s.template_id, maxAttempts: s.max_attempts ?? null, pipelineId: data.pipeline_id ?? null, statusId: data.status_id ?? null },
    });
    return true;
  });
  if (queued) ctx.wake.outbox();
  return { verdict: queued ? 'queued' : 'duplicate', tenantId: tenant.id };
}
