import { normalizePhone } from '../core/phone.js';
import type { Redirect } from '../core/template.js';
import type { ResolvedRedirect } from '../scenario/elements/contract.js';
import type { Queryable } from '../store/db.js';
import { transferDirections } from '../store/repositories/catalog.js';

/** The template's default redirect (T6), looked up for one call. A vanished direction hangs up. */
export async function resolveRedirect(db: Queryable, tenantId: string, r: Redirect, country: string): Promise<ResolvedRedirect> {
  switch (r.mode) {
    case 'hangup':
      return { kind: 'hangup' };
    case 'dialPlan': {
      const n = normalizePhone(r.number, country);
      return { kind: 'transfer', target: { kind: 'phone', number: n.ok ? n.e164 : r.number, dialPlanId: r.dialPlanId } };
    }
    case 'direction': {
      const d = await transferDirections.find(db, tenantId, r.directionId);
      if (!d) return { kind: 'hangup' };
      return { kind: 'transfer', target: { kind: 'direction', directionId: d.id, numbers: d.numbers, ringTimeoutSec: d.ringTimeoutSec } };
    }
    case 'custom':
      return { kind: 'transfer', target: { kind: 'custom', target: r.target } };
    case 'scenario':
      return { kind: 'scenario', scenarioId: r.scenarioId };
  }
}
