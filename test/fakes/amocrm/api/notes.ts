import type { AccountStore } from '../store.js';
import type { Note } from '../types.js';
import { data, ints, invalid, pageOfList, problem, str, type ApiResult, type Query, type ValidationError } from './result.js';

/**
 * Lead notes (brief §2 "Notes", §7 option B): `POST /api/v4/leads/notes` (batch, `entity_id` per
 * item), `POST /api/v4/leads/{id}/notes`, and reads per lead or for all leads with `note_type` /
 * `updated_at` filters. amoCRM does not deduplicate call notes by `params.uniq`: two posts make
 * two notes — the integration must not send twice.
 */
const NOTE_TYPES = new Set(['common', 'call_in', 'call_out', 'service_message', 'extended_service_message', 'sms_in', 'sms_out', 'attachment', 'geolocation']);

export function renderNote(n: Note, baseUrl: string): Record<string, unknown> {
  return { ...n, _links: { self: { href: `${baseUrl}/api/v4/leads/${n.entity_id}/notes/${n.id}` } } };
}

type Item = Record<string, unknown>;

function checkCallParams(p: Item): ValidationError['errors'] {
  const e: ValidationError['errors'] = [];
  if (typeof p.uniq !== 'string' || !p.uniq) e.push({ code: 'NotBlank', path: 'params.uniq', detail: 'uniq is required' });
  if (!Number.isInteger(p.duration) || (p.duration as number) < 0) e.push({ code: 'InvalidType', path: 'params.duration', detail: 'duration must be an integer ≥ 0' });
  if (typeof p.source !== 'string' || !p.source) e.push({ code: 'NotBlank', path: 'params.source', detail: 'source is required' });
  if (typeof p.phone !== 'string' || !p.phone) e.push({ code: 'NotBlank', path: 'params.phone', detail: 'phone is required' });
  if (p.link !== undefined && typeof p.link !== 'string') e.push({ code: 'InvalidType', path: 'params.link', detail: 'link must be a string' });
  if (p.call_status !== undefined && (!Number.isInteger(p.call_status) || (p.call_status as number) < 1 || (p.call_status as number) > 8)) {
    e.push({ code: 'NotSupportedChoice', path: 'params.call_status', detail: 'call_status must be 1..8' });
  }
  return e;
}

/** Validates every note first; creates nothing if any is wrong. */
export function addNotes(s: AccountStore, body: unknown, baseUrl: string, fixedLead?: number): ApiResult {
  if (!Array.isArray(body)) return problem(400, 'Bad Request', 'The body must be an array of notes');
  const items = body as Item[];
  if (items.length === 0) return problem(400, 'Bad Request', 'Empty request');
  if (items.length > 250) return problem(422, 'Unprocessable Entity', 'Limit 250 per page');
  const errors: ValidationError[] = [];
  items.forEach((it, i) => {
    const e: ValidationError['errors'] = [];
    const leadId = fixedLead ?? Number(it.entity_id);
    const lead = s.leads.get(leadId);
    if (!lead || lead.is_deleted) e.push({ code: 'NotFound', path: 'entity_id', detail: 'Lead not found' });
    if (typeof it.note_type !== 'string' || !NOTE_TYPES.has(it.note_type)) e.push({ code: 'NotSupportedChoice', path: 'note_type', detail: 'Unknown note type' });
    const params = (it.params ?? {}) as Item;
    if (it.note_type === 'call_in' || it.note_type === 'call_out') e.push(...checkCallParams(params));
    if ((it.note_type === 'common' || it.note_type === 'service_message') && typeof params.text !== 'string') e.push({ code: 'NotBlank', path: 'params.text', detail: 'text is required' });
    if (e.length) errors.push({ request_id: String(it.request_id ?? i), errors: e });
  });
  if (errors.length) return invalid(errors);
  const out = items.map((it, i) => {
    const n = s.addNote({
      entity_id: fixedLead ?? Number(it.entity_id),
      entity_type: 'leads',
      note_type: String(it.note_type),
      params: (it.params ?? {}) as Record<string, unknown>,
      created_by: Number(it.created_by ?? 0),
      updated_by: Number(it.created_by ?? 0),
      responsible_user_id: Number(it.responsible_user_id ?? 1),
    });
    return { id: n.id, entity_id: n.entity_id, request_id: String(it.request_id ?? i), _links: renderNote(n, baseUrl)._links };
  });
  return data({ _links: { self: { href: `${baseUrl}/api/v4/leads/notes` } }, _embedded: { notes: out } }, out.length);
}

export function listNotes(s: AccountStore, q: Query, baseUrl: string, leadId?: number): ApiResult {
  const f = (q.filter ?? {}) as Record<string, unknown>;
  const types = f.note_type === undefined ? undefined : (Array.isArray(f.note_type) ? f.note_type : [f.note_type]).map(String);
  const ids = ints(f.id);
  const updated = f.updated_at as { from?: unknown; to?: unknown } | string | undefined;
  const from = typeof updated === 'object' && updated?.from !== undefined ? Number(updated.from) : typeof updated === 'string' ? Number(updated) : undefined;
  const to = typeof updated === 'object' && updated?.to !== undefined ? Number(updated.to) : undefined;
  const order = (q.order ?? {}) as Record<string, string>;
  const desc = (order.id ?? order.updated_at ?? str(order.created_at)) === 'desc';
  const all = [...s.notes.values()]
    .filter((n) => (leadId === undefined || n.entity_id === leadId) && (!types || types.includes(n.note_type)) && (!ids || ids.includes(n.id)))
    .filter((n) => (from === undefined || n.updated_at >= from) && (to === undefined || n.updated_at <= to))
    .sort((a, b) => (desc ? b.id - a.id : a.id - b.id));
  return pageOfList(all, q, baseUrl, leadId === undefined ? '/api/v4/leads/notes' : `/api/v4/leads/${leadId}/notes`, 'notes', (n) => renderNote(n, baseUrl));
}
