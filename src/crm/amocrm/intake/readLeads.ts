import type { AmoContext } from '../amoContext.js';
import { PAGE } from '../api/client.js';
import type { AmoContact, AmoLead } from '../api/models.js';
import { contactIdsOf } from './toContactInput.js';

/**
 * The contacts behind leads, 250 a request (`with=contacts` gives ids only, gotcha 7). The
 * requests of one call are queued together; the account's scheduler spaces them at its rate.
 */
export async function readContacts(ctx: AmoContext, tenantId: string, leads: AmoLead[]): Promise<Map<number, AmoContact>> {
  const ids = [...new Set(leads.flatMap(contactIdsOf))].sort((a, b) => a - b);
  const chunks: number[][] = [];
  for (let i = 0; i < ids.length; i += PAGE) chunks.push(ids.slice(i, i + PAGE));
  const pages = await Promise.all(chunks.map((c) => ctx.api.contactsByIds(tenantId, c)));
  return new Map(pages.flat().map((c) => [c.id, c]));
}

/** Leads by id, any number, 250 a request. */
export async function readLeadsByIds(ctx: AmoContext, tenantId: string, ids: number[]): Promise<AmoLead[]> {
  const chunks: number[][] = [];
  for (let i = 0; i < ids.length; i += PAGE) chunks.push(ids.slice(i, i + PAGE));
  return (await Promise.all(chunks.map((c) => ctx.api.leadsByIds(tenantId, c)))).flat();
}
