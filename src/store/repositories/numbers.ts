import type { NumberStatus } from '../../core/nextAttempt.js';
import type { RedialCounts } from '../../core/redial.js';
import type { Queryable } from '../db.js';

export interface CampaignNumber {
  id: string;
  campaignId: string;
  tenantId: string;
  contactId: string;
  phone: string;
  position: number;
  status: NumberStatus;
  zoneKey: string;
  attemptsMade: number;
  answeredCalls: number;
  redialCounts: RedialCounts;
  techErrors: number;
  readyAt: Date;
  nextAttemptAt: Date;
  dueUntil: Date | null;
  lockedBy: string | null;
  lockedUntil: Date | null;
  currentAttemptId: string | null;
  lastAttemptId: string | null;
  lastOutcome: string | null;
  cancelRequested: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface NumberRow {
  id: string;
  campaign_id: string;
  tenant_id: string;
  contact_id: string;
  phone: string;
  position: number;
  status: NumberStatus;
  zone_key: string;
  attempts_made: number;
  answered_calls: number;
  redial_counts: RedialCounts;
  tech_errors: number;
  ready_at: Date;
  next_attempt_at: Date;
  due_until: Date | null;
  locked_by: string | null;
  locked_until: Date | null;
  current_attempt_id: string | null;
  last_attempt_id: string | null;
  last_outcome: string | null;
  cancel_requested: boolean;
  created_at: Date;
  updated_at: Date;
}

export const toNumber = (r: NumberRow): CampaignNumber => ({
  id: r.id,
  campaignId: r.campaign_id,
  tenantId: r.tenant_id,
  contactId: r.contact_id,
  phone: r.phone,
  position: r.position,
  status: r.status,
  zoneKey: r.zone_key,
  attemptsMade: r.attempts_made,
  answeredCalls: r.answered_calls,
  redialCounts: r.redial_counts,
  techErrors: r.tech_errors,
  readyAt: r.ready_at,
  nextAttemptAt: r.next_attempt_at,
  dueUntil: r.due_until,
  lockedBy: r.locked_by,
  lockedUntil: r.locked_until,
  currentAttemptId: r.current_attempt_id,
  lastAttemptId: r.last_attempt_id,
  lastOutcome: r.last_outcome,
  cancelRequested: r.cancel_requested,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Crm reference of a contact: what the CRM adapters need to write results back. */
export type ContactCrmRef = Record<string, unknown>;

export interface Contact {
  id: string;
  campaignId: string;
  tenantId: string;
  externalId: string | null;
  variables: Record<string, string>;
  status: 'open' | 'reached' | 'unreached' | 'cancelled';
  crm: ContactCrmRef | null;
  result: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface ContactRow {
  id: string;
  campaign_id: string;
  tenant_id: string;
  external_id: string | null;
  variables: Record<string, string>;
  status: Contact['status'];
  crm: ContactCrmRef | null;
  result: string | null;
  created_at: Date;
  finished_at: Date | null;
}

export const toContact = (r: ContactRow): Contact => ({
  id: r.id,
  campaignId: r.campaign_id,
  tenantId: r.tenant_id,
  externalId: r.external_id,
  variables: r.variables,
  status: r.status,
  crm: r.crm,
  result: r.result,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
});

export interface NewNumber {
  id: string;
  phone: string;
  position: number;
  zoneKey: string;
  readyAt: Date;
  nextAttemptAt: Date;
  dueUntil: Date | null;
}

export interface NewContact {
  id: string;
  externalId: string | null;
  variables: Record<string, string>;
  crm: ContactCrmRef | null;
  numbers: NewNumber[];
}

/**
 * Inserts a batch of contacts with their numbers in three statements whatever the batch size
 * (arrays through unnest). A phone already in the campaign is skipped and reported; a contact
 * left with no new phone is not kept.
 */
export async function insertContacts(
  db: Queryable,
  campaignId: string,
  tenantId: string,
  contacts: NewContact[],
  /** The clients-file import storing them (src/engine/campaigns/importNumbers.ts), if any. */
  importId: string | null = null,
): Promise<{ contacts: number; numbers: number; duplicatePhones: string[]; insertedNumberIds: Set<string> }> {
  if (contacts.length === 0) return { contacts: 0, numbers: 0, duplicatePhones: [], insertedNumberIds: new Set() };
  await db.query(
    `INSERT INTO campaign_contacts (id, campaign_id, tenant_id, external_id, variables, crm, import_id)
     SELECT id, $1, $2, ext, vars::jsonb, crm::jsonb, $7 FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[]) AS t(id, ext, vars, crm)`,
    [
      campaignId,
      tenantId,
      contacts.map((c) => c.id),
      contacts.map((c) => c.externalId),
      contacts.map((c) => JSON.stringify(c.variables)),
      contacts.map((c) => (c.crm ? JSON.stringify(c.crm) : null)),
      importId,
    ],
  );
  const numbers = contacts.flatMap((c) => c.numbers.map((n) => ({ ...n, contactId: c.id })));
  const inserted = await db.query<{ id: string }>(
    `INSERT INTO campaign_numbers (id, campaign_id, tenant_id, contact_id, phone, position, zone_key, ready_at, next_attempt_at, due_until)
     SELECT id, $1, $2, contact_id, phone, pos, zone, ready, next_at, due
     FROM unnest($3::uuid[], $4::uuid[], $5::text[], $6::int[], $7::text[], $8::timestamptz[], $9::timestamptz[], $10::timestamptz[])
       AS t(id, contact_id, phone, pos, zone, ready, next_at, due)
     ON CONFLICT (campaign_id, phone) DO NOTHING
     RETURNING id`,
    [
      campaignId,
      tenantId,
      numbers.map((n) => n.id),
      numbers.map((n) => n.contactId),
      numbers.map((n) => n.phone),
      numbers.map((n) => n.position),
      numbers.map((n) => n.zoneKey),
      // ISO text: pg's own Date → text conversion (local time zone arithmetic) was a tenth of an import's CPU.
      numbers.map((n) => n.readyAt.toISOString()),
      numbers.map((n) => n.nextAttemptAt.toISOString()),
      numbers.map((n) => n.dueUntil?.toISOString() ?? null),
    ],
  );
  const insertedIds = new Set(inserted.rows.map((r) => r.id));
  const duplicatePhones = numbers.filter((n) => !insertedIds.has(n.id)).map((n) => n.phone);
  let contactCount = contacts.length;
  if (duplicatePhones.length) {
    const dropped = await db.query(
      `DELETE FROM campaign_contacts c WHERE c.id = ANY($1::uuid[])
         AND NOT EXISTS (SELECT 1 FROM campaign_numbers n WHERE n.contact_id = c.id)`,
      [contacts.map((c) => c.id)],
    );
    contactCount -= dropped.rowCount ?? 0;
  }
  return { contacts: contactCount, numbers: insertedIds.size, duplicatePhones, insertedNumberIds: insertedIds };
}

export async function findNumber(db: Queryable, tenantId: string, id: string): Promise<CampaignNumber | undefined> {
  const r = await db.query<NumberRow>('SELECT * FROM campaign_numbers WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
  return r.rows[0] && toNumber(r.rows[0]);
}

export async function lockNumber(db: Queryable, id: string): Promise<CampaignNumber | undefined> {
  const r = await db.query<NumberRow>('SELECT * FROM campaign_numbers WHERE id = $1 FOR UPDATE', [id]);
  return r.rows[0] && toNumber(r.rows[0]);
}

export async function findContact(db: Queryable, id: string): Promise<Contact | undefined> {
  const r = await db.query<ContactRow>('SELECT * FROM campaign_contacts WHERE id = $1', [id]);
  return r.rows[0] && toContact(r.rows[0]);
}

export interface NumberFilter {
  tenantId: string;
  campaignId: string;
  status?: NumberStatus | undefined;
  phone?: string | undefined;
  externalId?: string | undefined;
  afterId?: string | undefined;
  limit: number;
}

export async function listNumbers(db: Queryable, f: NumberFilter): Promise<(CampaignNumber & { externalId: string | null; variables: Record<string, string> })[]> {
  const r = await db.query<NumberRow & { external_id: string | null; variables: Record<string, string> }>(
    `SELECT n.*, c.external_id, c.variables FROM campaign_numbers n JOIN campaign_contacts c ON c.id = n.contact_id
     WHERE n.tenant_id = $1 AND n.campaign_id = $2
       AND ($3::text IS NULL OR n.status = $3) AND ($4::text IS NULL OR n.phone = $4)
       AND ($5::text IS NULL OR c.external_id = $5) AND ($6::uuid IS NULL OR n.id > $6)
     ORDER BY n.id LIMIT $7`,
    [f.tenantId, f.campaignId, f.status ?? null, f.phone ?? null, f.externalId ?? null, f.afterId ?? null, f.limit],
  );
  return r.rows.map((row) => ({ ...toNumber(row), externalId: row.external_id, variables: row.variables }));
}

export async function countNumbersByStatus(db: Queryable, campaignId: string): Promise<Record<string, number>> {
  return (await countNumbersByStatusOf(db, [campaignId])).get(campaignId) ?? {};
}

/** The same for a page of campaigns, in one query; a campaign without numbers maps to {}. */
export async function countNumbersByStatusOf(db: Queryable, campaignIds: readonly string[]): Promise<Map<string, Record<string, number>>> {
  const out = new Map<string, Record<string, number>>(campaignIds.map((id) => [id, {}]));
  const r = await db.query<{ campaign_id: string; status: string; n: string }>(
    'SELECT campaign_id, status, count(*) AS n FROM campaign_numbers WHERE campaign_id = ANY($1::uuid[]) GROUP BY campaign_id, status',
    [campaignIds],
  );
  for (const x of r.rows) out.get(x.campaign_id)![x.status] = Number(x.n);
  return out;
}

export async function countOpenNumbers(db: Queryable, campaignId: string): Promise<number> {
  const r = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM campaign_numbers WHERE campaign_id = $1 AND status IN ('new', 'dialing', 'callback')`,
    [campaignId],
  );
  return Number(r.rows[0]?.n ?? 0);
}
