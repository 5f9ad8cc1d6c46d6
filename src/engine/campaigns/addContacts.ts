import type { AppContext } from '../../context.js';
import type { Queryable } from '../../store/db.js';
import { newId } from '../../store/ids.js';
import type { Campaign } from '../../store/repositories/campaigns.js';
import { insertContacts, type NewContact } from '../../store/repositories/numbers.js';
import type { CampaignRuntime } from './runtime.js';

/** One client to call: already-normalised E.164 phones, scenario variables, and where it came from. */
export interface ContactInput {
  phones: string[];
  variables: Record<string, string>;
  externalId?: string | null;
  crm?: Record<string, unknown> | null;
}

export interface AddResult {
  contacts: number;
  numbers: number;
  duplicatePhones: string[];
  /** Contact ids in input order; null where every phone was already in the campaign. */
  contactIds: (string | null)[];
}

/** The earliest moment a new number may be called: now, or the campaign's scheduled start. */
export function startOf(campaign: Campaign, now: Date): Date {
  return campaign.startAt && campaign.startAt > now ? campaign.startAt : now;
}

/**
 * Adds clients to a campaign in batches: looks up each phone's time zones, plans its first call
 * inside the window, and inserts contacts and numbers with a few statements per batch. Runs in the
 * caller's transaction, so an import either lands whole or not at all.
 */
export async function addContacts(app: AppContext, tx: Queryable, rt: CampaignRuntime, items: ContactInput[], batchSize = 2000): Promise<AddResult> {
  return insertPlannedContacts(tx, rt, await planContacts(app, rt, items), batchSize);
}

/** Contacts with their numbers' ids, time zones and first planned call, ready to insert. */
export async function planContacts(app: AppContext, rt: CampaignRuntime, items: ContactInput[]): Promise<NewContact[]> {
  const readyAt = startOf(rt.campaign, app.clock.now());
  const contacts: NewContact[] = [];
  for (const item of items) {
    const numbers = [];
    for (const [position, phone] of [...new Set(item.phones)].entries()) {
      const zones = await app.zones.zonesOf(phone);
      const zoneKey = zones.zones.join('|');
      const plan = rt.planner.plan(zoneKey, readyAt);
      numbers.push({ id: newId(), phone, position, zoneKey, readyAt, nextAttemptAt: plan.nextAttemptAt, dueUntil: plan.dueUntil });
    }
    contacts.push({ id: newId(), externalId: item.externalId ?? null, variables: item.variables, crm: item.crm ?? null, numbers });
  }
  return contacts;
}

/** Inserts planned contacts, `batchSize` to a statement. */
export async function insertPlannedContacts(
  tx: Queryable,
  rt: CampaignRuntime,
  contacts: NewContact[],
  batchSize = 2000,
  importId: string | null = null,
): Promise<AddResult> {
  const campaign = rt.campaign;
  const out: AddResult = { contacts: 0, numbers: 0, duplicatePhones: [], contactIds: [] };
  for (let i = 0; i < contacts.length; i += batchSize) {
    // Between statements, let waiting I/O run: PGlite executes a statement synchronously in this
    // thread, so without a turn of the event loop a long import would hold every request back.
    if (i > 0) await new Promise((resolve) => setImmediate(resolve));
    const slice = contacts.slice(i, i + batchSize);
    const r = await insertContacts(tx, campaign.id, campaign.tenantId, slice, importId);
    out.contacts += r.contacts;
    out.numbers += r.numbers;
    out.duplicatePhones.push(...r.duplicatePhones);
    for (const c of slice) out.contactIds.push(c.numbers.some((n) => r.insertedNumberIds.has(n.id)) ? c.id : null);
  }
  return out;
}
