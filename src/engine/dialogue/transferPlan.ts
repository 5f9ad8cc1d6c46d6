import { applyDialPlan } from '../../core/catalog.js';
import { normalizePhone } from '../../core/phone.js';
import type { TemplateSettings } from '../../core/template.js';
import { DEFAULT_TEMPLATE_VOICE } from '../../core/voiceSettings.js';
import type { ResolvedRedirect } from '../../scenario/elements/contract.js';
import type { Queryable } from '../../store/db.js';
import { dialPlans, transferDirections } from '../../store/repositories/catalog.js';
import type { CallAction } from '../../voice/port.js';
import { resolveRedirect } from '../resolveRedirect.js';

/**
 * The template's redirect (T6) resolved once, when the call is answered, together with what a
 * transfer dials: numbers through their dial plan, a direction's numbers and strategy, a custom
 * target when it is a number or a SIP URI. Pinned with the dialogue, so every replay of the call
 * sees the same target even if an admin edits the direction meanwhile.
 */
export type TransferAction = Extract<CallAction, { kind: 'transfer' }>;

export interface RedirectPin {
  redirect: ResolvedRedirect;
  /** What the platform dials for the redirect's transfer; absent when nothing is dialable. */
  transfer?: TransferAction | undefined;
}

const SIP_URI = /^sips?:[^\s@]+@[^\s]+$/i;

export async function pinRedirect(db: Queryable, tenantId: string, s: TemplateSettings): Promise<RedirectPin> {
  const redirect = await resolveRedirect(db, tenantId, s.redirect, s.country);
  if (redirect.kind !== 'transfer') return { redirect };
  const ringTimeoutSec = (s.voice ?? DEFAULT_TEMPLATE_VOICE).transferTimeoutSec;
  const target = redirect.target;
  switch (target.kind) {
    case 'phone': {
      const plan = target.dialPlanId ? await dialPlans.find(db, tenantId, target.dialPlanId) : undefined;
      const to = plan ? applyDialPlan(target.number, plan.rules) : target.number;
      return { redirect, transfer: { kind: 'transfer', to: [to], strategy: 'sequential', ringTimeoutSec, trunk: plan?.trunk } };
    }
    case 'direction': {
      const d = await transferDirections.find(db, tenantId, target.directionId);
      const to = target.numbers.map((n) => {
        const p = normalizePhone(n, s.country);
        return p.ok ? p.e164 : n;
      });
      return { redirect, transfer: { kind: 'transfer', to, strategy: d?.strategy ?? 'sequential', ringTimeoutSec: target.ringTimeoutSec, trunk: undefined } };
    }
    case 'custom': {
      const raw = target.target.trim();
      if (SIP_URI.test(raw)) return { redirect, transfer: { kind: 'transfer', to: [raw], strategy: 'sequential', ringTimeoutSec, trunk: undefined } };
      const p = normalizePhone(raw, s.country);
      // Anything else (a queue name, an external system's id) is not something a platform can dial.
      if (!p.ok) return { redirect };
      return { redirect, transfer: { kind: 'transfer', to: [p.e164], strategy: 'sequential', ringTimeoutSec, trunk: undefined } };
    }
  }
}
