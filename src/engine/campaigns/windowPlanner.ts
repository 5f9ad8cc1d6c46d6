import type { CampaignSettings } from '../../core/campaign.js';
import { COMPLIANCE_PROFILES, nextWindowOpening, windowClosesAt, type WindowConstraint } from '../../core/callingWindow.js';
import type { TemplateSettings } from '../../core/template.js';

/**
 * When a number may be called: the first moment at or after `readyAt` that is inside every window
 * (the campaign's weekdays and hours, the template's time limiter, a compliance profile) in the
 * callee's zone(s), and when that window closes. Numbers sharing a zone set and a ready minute
 * share the answer, so a million-number import computes it a handful of times.
 */
export interface Plan {
  nextAttemptAt: Date;
  dueUntil: Date | null;
}

/** Stored when no window ever opens (e.g. no weekday selected): never due until conditions change. */
export const NEVER = new Date('9999-12-31T00:00:00Z');

export class WindowPlanner {
  private readonly cache = new Map<string, Plan>();
  private readonly spec: WindowConstraint[];

  constructor(
    private readonly campaign: Pick<CampaignSettings, 'window' | 'useCalleeTime' | 'timezone' | 'compliance'>,
    template: Pick<TemplateSettings, 'callingWindow'>,
  ) {
    this.spec = [campaign.window, template.callingWindow];
    if (campaign.compliance) this.spec.push(COMPLIANCE_PROFILES[campaign.compliance]);
  }

  plan(zoneKey: string, readyAt: Date): Plan {
    // Windows are whole minutes: the window as seen from the start of readyAt's minute is shared
    // by every number of the zone set that becomes ready within that minute.
    const minute = Math.floor(readyAt.getTime() / 60_000) * 60_000;
    const key = `${zoneKey}\u0000${minute}`;
    let base = this.cache.get(key);
    if (!base) {
      base = this.compute(zoneKey, new Date(minute));
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(key, base);
    }
    // Open at the start of the minute → open at readyAt too: call exactly when ready, not later.
    if (base.nextAttemptAt.getTime() <= readyAt.getTime()) return { nextAttemptAt: readyAt, dueUntil: base.dueUntil };
    return base;
  }

  private compute(zoneKey: string, from: Date): Plan {
    const zones = { candidates: this.campaign.useCalleeTime ? zoneKey.split('|').filter(Boolean) : [], campaignZone: this.campaign.timezone };
    const opening = nextWindowOpening(from, this.spec, zones);
    if (!opening) return { nextAttemptAt: NEVER, dueUntil: null };
    return { nextAttemptAt: opening, dueUntil: windowClosesAt(opening, this.spec, zones) };
  }
}
