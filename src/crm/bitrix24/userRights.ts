import type { B24Context } from './b24Context.js';
import type { DocumentRef } from './intake/crmRecords.js';
import type { BulkEntity } from './store/intakes.js';
import { chunks } from './intake/readPeople.js';
import { decodeBatch, encodeCommand } from './rest/batchCodec.js';
import { isB24Error, type B24Error } from './rest/b24Error.js';

/**
 * A portal user's own CRM rights, as Bitrix24 judges them. Dozvon reads records with the install's
 * administrator tokens, so whatever a placement asks for (a deal's history, calls for selected
 * rows) is first read *with the acting user's frame token*: the portal then applies that user's
 * role, exactly as in its own interface. A record the user may not read answers HTTP 400
 * `{"error":"","error_description":"Access denied"}` to `crm.deal.get`, and list methods leave it
 * out (RD:api-reference/crm/deals/crm-deal-get.md, "Possible Error Codes").
 *
 * These requests are paced with the portal's other requests but never batched with them and never
 * refreshed: the token is the user's (PortalGateway.callAsUser).
 */
export interface ActingUser {
  tenantId: string;
  /** The portal's REST endpoint as stored at install (never one the request names). */
  clientEndpoint: string;
  accessToken: string;
}

export type RecordAccess = 'readable' | 'denied' | 'not_found';

/** "Access denied" of the classic CRM methods (an empty code, gotcha 18) or ACCESS_DENIED of the new ones. */
export const isRecordAccessDenied = (e: B24Error): boolean => e.kind === 'final' && (e.code === 'ACCESS_DENIED' || (e.code === '' && /access denied/i.test(e.description)));
const isNotFound = (e: B24Error): boolean => e.kind === 'final' && (e.code === 'NOT_FOUND' || (e.code === '' && /not found/i.test(e.description)));

/** Whether the user may read one deal / lead / contact. */
export async function userRecordAccess(b24: B24Context, user: ActingUser, ref: DocumentRef): Promise<RecordAccess> {
  try {
    await b24.gateway.callAsUser(user.tenantId, user.clientEndpoint, user.accessToken, `crm.${ref.entity}.get`, { id: ref.id });
    return 'readable';
  } catch (e) {
    if (!isB24Error(e)) throw e;
    if (isRecordAccessDenied(e)) return 'denied';
    if (isNotFound(e)) return 'not_found';
    throw e;
  }
}

/** Ids per list command (a list page holds 50) and commands per request (a batch holds 50). */
const PER_COMMAND = 50;
const PER_BATCH = 50;

/**
 * Which of `ids` the user may read (deals or leads that exist and their role shows them): the ids
 * go to `crm.<entity>.list` as `@ID` filters of 50, 50 commands per `batch` — 2,500 ids per
 * request, read with the user's token.
 */
export async function readableIds(b24: B24Context, user: ActingUser, entity: BulkEntity, ids: number[]): Promise<Set<number>> {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const readable = new Set<number>();
  for (const group of chunks(chunks(sorted, PER_COMMAND), PER_BATCH)) {
    const cmd: Record<string, string> = {};
    group.forEach((chunk, i) => {
      cmd[`c${i}`] = encodeCommand({
        method: `crm.${entity}.list`,
        params: { filter: { '@ID': chunk, '>=ID': chunk[0], '<=ID': chunk[chunk.length - 1] }, select: ['ID'], order: { ID: 'ASC' }, start: -1 },
      });
    });
    const env = await b24.gateway.callAsUser(user.tenantId, user.clientEndpoint, user.accessToken, 'batch', { halt: 0, cmd });
    for (const outcome of decodeBatch(env.result, Object.keys(cmd)).values()) {
      if (!outcome.ok) {
        // A role without any access to the entity may be refused outright: nothing readable.
        if (isRecordAccessDenied(outcome.error)) continue;
        throw outcome.error;
      }
      for (const row of Array.isArray(outcome.result) ? (outcome.result as { ID?: unknown }[]) : []) {
        const id = Number(row.ID);
        if (Number.isSafeInteger(id)) readable.add(id);
      }
    }
  }
  return readable;
}
