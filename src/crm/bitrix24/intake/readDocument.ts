import type { B24Context } from '../b24Context.js';
import { contactFromClassic, dealFromClassic, leadFromClassic, type CrmRecord, type DocumentRef } from './crmRecords.js';
import { readPeople, type People } from './readPeople.js';

/**
 * One document as a robot run needs it (C5): a deal with all its contacts
 * (`crm.deal.get` + `crm.deal.contact.items.get`, then the contacts' phones), a lead or a contact
 * with its own phones. The first two reads travel in one batch.
 */
export type DocumentRead = ({ found: true; record: CrmRecord } & People) | { found: false };

type Row = Record<string, unknown>;
const asRow = (v: unknown): Row => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Row) : {});

export async function readDocument(b24: B24Context, tenantId: string, ref: DocumentRef): Promise<DocumentRead> {
  const { gateway } = b24;
  let record: CrmRecord;
  if (ref.entity === 'deal') {
    const [deal, items] = await gateway.callAll(tenantId, [
      { method: 'crm.deal.get', params: { id: ref.id } },
      { method: 'crm.deal.contact.items.get', params: { id: ref.id } },
    ]);
    if (!deal!.ok) return notFoundOr(deal!.error);
    const contactIds = items!.ok && Array.isArray(items!.result) ? (items!.result as Row[]).map((it) => Number(it.CONTACT_ID)).filter((n) => n > 0) : [];
    record = dealFromClassic(asRow(deal!.result), contactIds);
  } else {
    const [row] = await gateway.callAll(tenantId, [{ method: `crm.${ref.entity}.get`, params: { id: ref.id } }]);
    if (!row!.ok) return notFoundOr(row!.error);
    record = ref.entity === 'lead' ? leadFromClassic(asRow(row!.result)) : contactFromClassic(asRow(row!.result));
  }
  return { found: true, record, ...(await readPeople(b24, tenantId, [record])) };
}

/** Classic "Not found" comes with an empty code (gotcha 18); anything else is a real failure. */
function notFoundOr(e: { code: string; description: string; kind: string }): DocumentRead {
  if (e.kind === 'final' && /not found/i.test(e.description)) return { found: false };
  throw e;
}
