import { AmoError } from './amoError.js';
import type { AmoGateway } from './gateway.js';
import { accountSchema, contactSchema, embedded, fieldDefSchema, hasNext, leadSchema, noteSchema, pipelineSchema, userSchema, type AmoAccount, type AmoContact, type AmoFieldDef, type AmoLead, type AmoNote, type AmoPipeline, type AmoUser } from './models.js';

/**
 * The amoCRM API v4 calls Dozvon makes, typed (brief §2). Lists page with `limit=250` (asking for
 * more silently gives 50, gotcha 6) and treat 204 as empty (gotcha 5); `with=contacts` gives ids
 * only, so contacts are read by id in batches of 250 (gotcha 7).
 */
export const PAGE = 250;

export interface NoteInput {
  entity_id: number;
  note_type: 'call_out' | 'common';
  params: Record<string, unknown>;
}

export interface LeadPatch {
  id: number;
  status_id?: number;
  pipeline_id?: number;
  custom_fields_values?: { field_id: number; values: unknown[] | null }[];
  /** Adds tags and keeps the others (never `_embedded.tags`, which replaces them all — gotcha 8). */
  tags_to_add?: { name: string }[];
}

const idsQuery = (ids: number[]) => ids.map((i) => `filter[id][]=${i}`).join('&');

export class AmoClient {
  constructor(private readonly gateway: AmoGateway) {}

  async account(tenantId: string): Promise<AmoAccount> {
    const a = await this.gateway.request(tenantId, { method: 'GET', path: '/api/v4/account' });
    return accountSchema.parse(a.body);
  }

  async user(tenantId: string, userId: number): Promise<AmoUser | undefined> {
    try {
      const a = await this.gateway.request(tenantId, { method: 'GET', path: `/api/v4/users/${userId}` });
      return a.body === undefined ? undefined : userSchema.parse(a.body);
    } catch (e) {
      if (e instanceof AmoError && e.status === 404) return undefined;
      throw e;
    }
  }

  /** Up to 250 leads by id, with their contact ids. */
  async leadsByIds(tenantId: string, ids: number[]): Promise<AmoLead[]> {
    if (ids.length === 0) return [];
    if (ids.length > PAGE) throw new Error(`at most ${PAGE} ids per read`);
    const a = await this.gateway.request(tenantId, { method: 'GET', path: '/api/v4/leads', query: `${idsQuery(ids)}&limit=${PAGE}&with=contacts` });
    return embedded(a.body, 'leads', leadSchema);
  }

  /** One page of leads matching an amoCRM filter query (`filter[...]`, `query`), oldest id first. */
  async leadsPage(tenantId: string, filterQuery: string, page: number): Promise<{ leads: AmoLead[]; more: boolean }> {
    const a = await this.gateway.request(tenantId, {
      method: 'GET',
      path: '/api/v4/leads',
      query: `${filterQuery ? `${filterQuery}&` : ''}with=contacts&limit=${PAGE}&page=${page}&order[id]=asc`,
    });
    return { leads: embedded(a.body, 'leads', leadSchema), more: hasNext(a.body) };
  }

  /** Up to 250 contacts by id (their phones are in custom_fields_values, PHONE). */
  async contactsByIds(tenantId: string, ids: number[]): Promise<AmoContact[]> {
    if (ids.length === 0) return [];
    if (ids.length > PAGE) throw new Error(`at most ${PAGE} ids per read`);
    const a = await this.gateway.request(tenantId, { method: 'GET', path: '/api/v4/contacts', query: `${idsQuery(ids)}&limit=${PAGE}` });
    return embedded(a.body, 'contacts', contactSchema);
  }

  async leadFields(tenantId: string): Promise<AmoFieldDef[]> {
    const out: AmoFieldDef[] = [];
    for (let page = 1; page < 50; page++) {
      const a = await this.gateway.request(tenantId, { method: 'GET', path: '/api/v4/leads/custom_fields', query: `limit=${PAGE}&page=${page}` });
      out.push(...embedded(a.body, 'custom_fields', fieldDefSchema));
      if (!hasNext(a.body)) break;
    }
    return out;
  }

  async pipelines(tenantId: string): Promise<AmoPipeline[]> {
    const a = await this.gateway.request(tenantId, { method: 'GET', path: '/api/v4/leads/pipelines' });
    return embedded(a.body, 'pipelines', pipelineSchema);
  }

  /** A lead's call notes, newest first (reconciling a note whose answer was lost). */
  async callNotesOf(tenantId: string, leadId: number): Promise<AmoNote[]> {
    const a = await this.gateway.request(tenantId, { method: 'GET', path: `/api/v4/leads/${leadId}/notes`, query: `filter[note_type][]=call_out&limit=${PAGE}&order[id]=desc` });
    return embedded(a.body, 'notes', noteSchema);
  }

  /**
   * Adds one note; notes of other callers waiting at the same moment share the request.
   * `sendingMark` (an outbox job id) is recorded as "sent, answer pending" just before it leaves.
   */
  async addNote(tenantId: string, note: NoteInput, o: { sendingMark?: string } = {}): Promise<{ id: number }> {
    const row = await this.gateway.item<{ id?: unknown }>(tenantId, 'notes', note, o);
    const id = Number(row.id);
    if (!Number.isInteger(id) || id <= 0) throw new AmoError('transient', 'NO_NOTE_ID', 'the answer did not name the note', 200, { maybeApplied: true });
    return { id };
  }

  /** Patches one lead; patches of other leads waiting at the same moment share the request. */
  async patchLead(tenantId: string, patch: LeadPatch): Promise<void> {
    await this.gateway.item(tenantId, 'patch', patch);
  }

  /** Reads one lead as it is now (null when it is gone); reads waiting at the same moment share the request. */
  async readLead(tenantId: string, leadId: number): Promise<AmoLead | null> {
    const row = await this.gateway.item<unknown>(tenantId, 'read', leadId);
    return row === null ? null : leadSchema.parse(row);
  }
}
