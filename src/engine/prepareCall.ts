import { applyDialPlan } from '../core/catalog.js';
import { normalizePhone } from '../core/phone.js';
import type { TemplateSettings } from '../core/template.js';
import type { AppContext } from '../context.js';
import type { Queryable } from '../store/db.js';
import { dialPlans } from '../store/repositories/catalog.js';
import type { PlaceCallRequest } from '../voice/port.js';
import { signedMediaUrl } from './recordingUrls.js';

/**
 * Everything a platform needs to dial one number with a template: the dialled string after the
 * dial plan, the caller ID (a group hands out its numbers in turn), the AMD greeting as a
 * short-lived signed link, and where to send events.
 */
export async function pickCallerId(db: Queryable, tenantId: string, s: TemplateSettings): Promise<string | undefined> {
  switch (s.callerId.mode) {
    case 'default':
      return undefined;
    case 'number': {
      const n = normalizePhone(s.callerId.number, s.country);
      return n.ok ? n.e164 : undefined;
    }
    case 'group': {
      // One statement advances the cursor, so concurrent calls never take the same turn.
      const r = await db.query<{ numbers: string[]; strategy: string; cursor: string }>(
        `UPDATE caller_id_groups SET cursor = cursor + 1 WHERE tenant_id = $1 AND id = $2
         RETURNING numbers, strategy, cursor`,
        [tenantId, s.callerId.groupId],
      );
      const g = r.rows[0];
      if (!g || g.numbers.length === 0) return undefined;
      const i = g.strategy === 'random' ? Math.floor(Math.random() * g.numbers.length) : Number(g.cursor) % g.numbers.length;
      return g.numbers[i];
    }
  }
}

export async function prepareCall(
  ctx: AppContext,
  p: { attemptId: string; tenantId: string; to: string; settings: TemplateSettings; language: 'ru' | 'en'; callerId: string | undefined; ringTimeoutSec?: number },
): Promise<PlaceCallRequest> {
  const s = p.settings;
  let dialString = p.to;
  let trunk: string | undefined;
  if (s.dialPlan.mode === 'custom') {
    const plan = await dialPlans.find(ctx.db, p.tenantId, s.dialPlan.dialPlanId);
    if (plan) {
      dialString = applyDialPlan(p.to, plan.rules);
      trunk = plan.trunk;
    }
  }
  const greetingUrl = s.amd.mode !== 'off' && s.amd.greetingId ? signedMediaUrl(ctx, s.amd.greetingId, 3600_000) : undefined;
  return {
    attemptId: p.attemptId,
    tenantId: p.tenantId,
    to: p.to,
    dialString,
    trunk,
    callerId: p.callerId,
    amd: { mode: s.amd.mode, greetingUrl },
    genderDetection: s.genderDetection,
    language: p.language,
    ringTimeoutSec: p.ringTimeoutSec ?? 30,
    maxDurationSec: 600,
  };
}
