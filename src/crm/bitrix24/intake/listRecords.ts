import type { B24Context } from '../b24Context.js';
import type { CommandOutcome } from '../rest/batchCodec.js';
import { dealFromItem, leadFromClassic, type CrmRecord } from './crmRecords.js';
import { chunks } from './readPeople.js';

/**
 * Reads deals or leads in bulk (C5) the fast way (brief §3.4, gotcha 10): ordered by id, each page
 * asking for ids above the last one seen, with `start=-1` so the portal never counts the table.
 *
 * - by filter: one request carries a chain of 50 page reads, page n+1 taking its `>id` from page
 *   n's 50th row through `$result[...]` — 2,500 records per request. The chain is read until the
 *   first short page; commands after it saw an empty reference and are ignored.
 * - by id list (a selection): 50 ids per command (`@id`, bounded by the chunk's min and max so the
 *   portal reads an id range, not the table), up to 50 commands per request.
 *
 * Deals come from `crm.item.list` (it has `contactIds`; `crm.deal.list` only the primary contact),
 * leads from `crm.lead.list` with `PHONE` named in `select` (gotcha 9).
 */
export type Entity = 'deal' | 'lead';
export type CrmFilter = Record<string, string | number | boolean | (string | number)[]>;

export const PAGE = 50;
export const PAGES_PER_REQUEST = 50;

const DEAL_SELECT = ['id', 'title', 'opportunity', 'currencyId', 'stageId', 'categoryId', 'companyId', 'contactIds', 'assignedById', 'uf*'];
const LEAD_SELECT = ['ID', 'TITLE', 'NAME', 'LAST_NAME', 'SECOND_NAME', 'COMPANY_TITLE', 'COMPANY_ID', 'OPPORTUNITY', 'CURRENCY_ID', 'STATUS_ID', 'ASSIGNED_BY_ID', 'PHONE', 'UF_*'];

/** Classic names (`STAGE_ID`) as `crm.item.list` wants them (`stageId`); custom fields keep `UF_CRM_*`. */
export function itemFilter(f: CrmFilter): CrmFilter {
  const out: CrmFilter = {};
  for (const [key, value] of Object.entries(f)) {
    const m = /^([<>=!@%]*)(.*)$/.exec(key)!;
    const name = m[2]!;
    const camel = /^[A-Z][A-Z0-9_]*$/.test(name) && !name.startsWith('UF_')
      ? name.toLowerCase().replace(/_([a-z0-9])/g, (_x, c: string) => c.toUpperCase())
      : name;
    out[`${m[1]}${camel}`] = value;
  }
  return out;
}

function listCommand(entity: Entity, filter: CrmFilter, after: number | string): { method: string; params: Record<string, unknown> } {
  if (entity === 'deal') {
    return {
      method: 'crm.item.list',
      params: { entityTypeId: 2, filter: { ...itemFilter(filter), '>id': after }, order: { id: 'ASC' }, select: DEAL_SELECT, start: -1, useOriginalUfNames: 'Y' },
    };
  }
  return { method: 'crm.lead.list', params: { filter: { ...filter, '>ID': after }, order: { ID: 'ASC' }, select: LEAD_SELECT, start: -1 } };
}

function rowsOf(entity: Entity, r: CommandOutcome): Record<string, unknown>[] {
  if (!r.ok) throw r.error;
  const v = entity === 'deal' ? (r.result as { items?: unknown } | null)?.items : r.result;
  return Array.isArray(v) ? (v as Record<string, unknown>[]) : [];
}

const toRecord = (entity: Entity, row: Record<string, unknown>): CrmRecord => (entity === 'deal' ? dealFromItem(row) : leadFromClassic(row));

export interface Page {
  records: CrmRecord[];
  /** Highest id read (where the next page starts). */
  lastId: number;
  done: boolean;
}

/**
 * What a filter intake learns as it goes, to size its chains: the highest matching id (one cheap
 * `order: DESC` probe with the first request) and how many matching records there are per id.
 * A chained page after the end sees an empty `$result` reference, and the portal answers it by
 * scanning — so the chain asks for about as many pages as are left, not always 50.
 */
export interface ChainPlan {
  maxId: number | null;
  firstId: number;
  seen: number;
}

export const newChainPlan = (afterId: number): ChainPlan => ({ maxId: null, firstId: afterId, seen: 0 });

/** First request: 4 pages (a small filter on a big portal wastes little); then what the density predicts. */
function chainLength(plan: ChainPlan, afterId: number): number {
  if (plan.maxId === null || plan.seen === 0) return 4;
  const density = plan.seen / Math.max(1, afterId - plan.firstId);
  const left = (plan.maxId - afterId) * density;
  return Math.max(1, Math.min(PAGES_PER_REQUEST, Math.ceil(left / PAGE) + 1));
}

export async function readFilterPages(b24: B24Context, tenantId: string, entity: Entity, filter: CrmFilter, afterId: number, plan: ChainPlan): Promise<Page> {
  const idKey = entity === 'deal' ? 'id' : 'ID';
  const path = entity === 'deal' ? '[items][49][id]' : '[49][ID]';
  const probe = plan.maxId === null;
  const pages = chainLength(plan, afterId);
  const keys = Array.from({ length: pages }, (_, i) => `p${i}`);
  const commands = keys.map((_, i) => listCommand(entity, filter, i === 0 ? afterId : `$result[p${i - 1}]${path}`));
  if (probe) {
    const top = listCommand(entity, filter, afterId);
    top.params.order = { [idKey]: 'DESC' };
    top.params.select = [idKey];
    commands.unshift(top);
    keys.unshift('top');
  }
  const outcomes = await b24.gateway.run(tenantId, commands, keys);
  if (probe) {
    const top = rowsOf(entity, outcomes.shift()!);
    plan.maxId = top.length ? Number(top[0]![idKey]) : afterId;
  }
  const records: CrmRecord[] = [];
  let lastId = afterId;
  for (const r of outcomes) {
    const rows = rowsOf(entity, r);
    for (const row of rows) {
      const id = Number(row[idKey]);
      // A page after the end saw an empty reference and starts over: never go back.
      if (!(id > lastId)) return done();
      records.push(toRecord(entity, row));
      lastId = id;
    }
    if (rows.length < PAGE) return done();
  }
  plan.seen += records.length;
  return { records, lastId, done: lastId >= (plan.maxId ?? Infinity) };

  function done(): Page {
    plan.seen += records.length;
    return { records, lastId, done: true };
  }
}

export async function readIdPages(b24: B24Context, tenantId: string, entity: Entity, ids: number[], afterId: number): Promise<Page> {
  const next = [...new Set(ids)].filter((id) => id > afterId).sort((a, b) => a - b).slice(0, PAGE * PAGES_PER_REQUEST);
  if (next.length === 0) return { records: [], lastId: afterId, done: true };
  const commands = chunks(next, PAGE).map((chunk) => {
    const c = listCommand(entity, {}, chunk[0]! - 1);
    const filter = c.params.filter as CrmFilter;
    filter[entity === 'deal' ? '@id' : '@ID'] = chunk;
    filter[entity === 'deal' ? '<=id' : '<=ID'] = chunk[chunk.length - 1]!;
    return c;
  });
  const outcomes = await b24.gateway.callAll(tenantId, commands);
  const records = outcomes.flatMap((r) => rowsOf(entity, r).map((row) => toRecord(entity, row)));
  records.sort((a, b) => a.ref.id - b.ref.id);
  const lastId = next[next.length - 1]!;
  return { records, lastId, done: !ids.some((id) => id > lastId) };
}
