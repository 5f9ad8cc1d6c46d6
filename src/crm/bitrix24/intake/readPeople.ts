import type { B24Context } from '../b24Context.js';
import { peopleById, type CrmPerson, type CrmRecord } from './crmRecords.js';

/**
 * The people behind deals (their contacts with phones) and the companies' names, for any number
 * of records at once: 50 ids per `crm.contact.list` / `crm.company.list` command (`@ID` filter),
 * and the commands of one call go out together in batches of 50 — 2,500 contacts per request.
 * Phones must be named in `select`: `*` leaves multifields out (gotcha 9).
 */
const IDS_PER_COMMAND = 50;

/** `items` cut into runs of `size` (one `@ID` command each). */
export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `@ID` plus the chunk's id range: the portal reads an index range instead of the whole table. */
function byIds(ids: number[]): Record<string, unknown> {
  return { '@ID': ids, '>=ID': ids[0], '<=ID': ids[ids.length - 1] };
}

export interface People {
  people: Map<number, CrmPerson>;
  companies: Map<number, string>;
}

export async function readPeople(b24: B24Context, tenantId: string, records: CrmRecord[]): Promise<People> {
  const contactIds = [...new Set(records.flatMap((r) => r.contactIds))];
  const companyIds = [...new Set(records.filter((r) => !r.companyTitle && r.companyId).map((r) => r.companyId!))];
  const contactCmds = chunks(contactIds.sort((a, b) => a - b), IDS_PER_COMMAND).map((ids) => ({
    method: 'crm.contact.list',
    params: { filter: byIds(ids), order: { ID: 'ASC' }, select: ['ID', 'NAME', 'LAST_NAME', 'SECOND_NAME', 'PHONE'], start: -1 },
  }));
  const companyCmds = chunks(companyIds.sort((a, b) => a - b), IDS_PER_COMMAND).map((ids) => ({
    method: 'crm.company.list',
    params: { filter: byIds(ids), order: { ID: 'ASC' }, select: ['ID', 'TITLE'], start: -1 },
  }));
  const results = await b24.gateway.callAll(tenantId, [...contactCmds, ...companyCmds]);
  const people = new Map<number, CrmPerson>();
  const companies = new Map<number, string>();
  results.forEach((r, i) => {
    if (!r.ok) throw r.error;
    if (i < contactCmds.length) {
      for (const [id, p] of peopleById(r.result)) people.set(id, p);
    } else if (Array.isArray(r.result)) {
      for (const row of r.result as Record<string, unknown>[]) companies.set(Number(row.ID), String(row.TITLE ?? ''));
    }
  });
  return { people, companies };
}
