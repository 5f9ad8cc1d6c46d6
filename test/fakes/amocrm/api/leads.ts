import type { AccountStore } from '../store.js';
import type { CustomFieldDef, CustomFieldValue, Lead } from '../types.js';
import { data, empty, ints, invalid, pageOfList, problem, str, type ApiResult, type Query, type ValidationError } from './result.js';

/**
 * `/api/v4/leads` (brief §2): the list with filters, `with=contacts` (ids and is_main only, gotcha
 * 7), one lead, and PATCH of up to 250 leads with custom fields, status moves and tags — where
 * `_embedded.tags` replaces the lead's whole tag set and wins over `tags_to_add` (gotcha 8), and a
 * value of the wrong shape for a field is dropped silently with 200 (gotcha 9).
 */
export function renderLead(s: AccountStore, l: Lead, withContacts: boolean, baseUrl: string): Record<string, unknown> {
  const embedded: Record<string, unknown> = {
    tags: l.tags.map((id) => s.tags.get(id)).filter(Boolean).map((t) => ({ id: t!.id, name: t!.name, color: t!.color })),
    companies: l.company_id ? [{ id: l.company_id }] : [],
  };
  if (withContacts) embedded.contacts = l.contacts.map((c) => ({ id: c.id, is_main: c.is_main, _links: { self: { href: `${baseUrl}/api/v4/contacts/${c.id}` } } }));
  const { tags: _t, contacts: _c, company_id: _co, ...rest } = l;
  return { ...rest, _links: { self: { href: `${baseUrl}/api/v4/leads/${l.id}` } }, _embedded: embedded };
}

function withOf(q: Query): string[] {
  return (str(q.with) ?? '').split(',').map((x) => x.trim()).filter(Boolean);
}

function matches(l: Lead, q: Query): boolean {
  const f = (q.filter ?? {}) as Record<string, unknown>;
  if (l.is_deleted) return false;
  const ids = ints(f.id);
  if (ids && !ids.includes(l.id)) return false;
  const pipelines = ints(f.pipeline_id);
  if (pipelines && !pipelines.includes(l.pipeline_id)) return false;
  const resp = ints(f.responsible_user_id);
  if (resp && !resp.includes(l.responsible_user_id)) return false;
  if (f.statuses && typeof f.statuses === 'object') {
    const pairs = Object.values(f.statuses as Record<string, { pipeline_id?: unknown; status_id?: unknown }>);
    if (!pairs.some((p) => Number(p.pipeline_id) === l.pipeline_id && Number(p.status_id) === l.status_id)) return false;
  }
  for (const key of ['created_at', 'updated_at'] as const) {
    const range = f[key] as { from?: unknown; to?: unknown } | undefined;
    if (range?.from !== undefined && l[key] < Number(range.from)) return false;
    if (range?.to !== undefined && l[key] > Number(range.to)) return false;
  }
  const query = str(q.query);
  if (query && !l.name.toLowerCase().includes(query.toLowerCase()) && String(l.id) !== query) return false;
  return true;
}

function sorted(list: Lead[], q: Query): Lead[] {
  const order = (q.order ?? {}) as Record<string, string>;
  const [field, dir] = Object.entries(order)[0] ?? ['id', 'asc'];
  // Leads are kept in id order already (ids grow): no sort needed for the common order.
  if (field === 'id' && dir !== 'desc') return list;
  const key = (['id', 'created_at', 'updated_at'].includes(field) ? field : 'id') as 'id' | 'created_at' | 'updated_at';
  const sign = dir === 'desc' ? -1 : 1;
  return list.sort((a, b) => sign * (a[key] - b[key] || a.id - b.id));
}

export function listLeads(s: AccountStore, q: Query, baseUrl: string): ApiResult {
  const ids = ints(((q.filter ?? {}) as Record<string, unknown>).id);
  // By id: look them up instead of scanning every lead (a selection on a big account).
  const candidates = ids ? ids.map((id) => s.leads.get(id)).filter((l): l is Lead => l !== undefined).sort((a, b) => a.id - b.id) : [...s.leads.values()];
  const all = sorted(candidates.filter((l) => matches(l, q)), q);
  const withContacts = withOf(q).includes('contacts');
  return pageOfList(all, q, baseUrl, '/api/v4/leads', 'leads', (l) => renderLead(s, l, withContacts, baseUrl));
}

export function getLead(s: AccountStore, id: number, q: Query, baseUrl: string): ApiResult {
  const l = s.leads.get(id);
  if (!l || l.is_deleted) return problem(404, 'Not Found', 'Entity not found');
  return data(renderLead(s, l, withOf(q).includes('contacts'), baseUrl), 1);
}

type Item = Record<string, unknown>;

function fieldValues(def: CustomFieldDef, values: unknown): CustomFieldValue['values'] | 'drop' | 'clear' {
  if (values === null) return 'clear';
  if (!Array.isArray(values)) return 'drop';
  const out: CustomFieldValue['values'] = [];
  for (const v of values as Item[]) {
    if (def.type === 'select' || def.type === 'radiobutton' || def.type === 'multiselect') {
      const e = def.enums?.find((x) => x.id === Number(v.enum_id) || (v.enum_id === undefined && x.value === v.value));
      if (!e) return 'drop';
      out.push({ value: e.value, enum_id: e.id });
    } else if (def.type === 'numeric') {
      if (typeof v.value !== 'number' && !(typeof v.value === 'string' && /^-?\d+(\.\d+)?$/.test(v.value))) return 'drop';
      out.push({ value: String(v.value) });
    } else if (def.type === 'checkbox') {
      out.push({ value: Boolean(v.value) });
    } else {
      if (typeof v.value !== 'string' && typeof v.value !== 'number') return 'drop';
      out.push({ value: String(v.value) });
    }
  }
  if (def.type !== 'multiselect' && def.type !== 'multitext' && out.length > 1) return 'drop';
  return out;
}

/** Validates every item first; applies nothing if any is wrong (one 400 for the request). */
export function patchLeads(s: AccountStore, body: unknown, baseUrl: string): ApiResult {
  const items = Array.isArray(body) ? (body as Item[]) : [body as Item];
  if (items.length === 0) return problem(400, 'Bad Request', 'Empty request');
  if (items.length > 250) return problem(422, 'Unprocessable Entity', 'Limit 250 per page');
  const errors: ValidationError[] = [];
  items.forEach((it, i) => {
    const rid = String(it.request_id ?? i);
    const e: ValidationError['errors'] = [];
    const lead = s.leads.get(Number(it.id));
    if (!lead || lead.is_deleted) e.push({ code: 'NotFound', path: 'id', detail: 'Lead not found' });
    if (lead && it.status_id !== undefined) {
      const pipeline = it.pipeline_id !== undefined ? Number(it.pipeline_id) : lead.pipeline_id;
      if (!s.statusOf(pipeline, Number(it.status_id))) e.push({ code: 'NotSupportedChoice', path: 'status_id', detail: 'The status is not in the pipeline' });
    }
    if (it.custom_fields_values !== undefined) {
      if (!Array.isArray(it.custom_fields_values)) e.push({ code: 'InvalidType', path: 'custom_fields_values', detail: 'Must be an array' });
      else {
        (it.custom_fields_values as Item[]).forEach((cf, j) => {
          const def = s.fields.get(Number(cf.field_id));
          if (!def || def.entity_type !== 'leads') e.push({ code: 'NotSupportedChoice', path: `custom_fields_values.${j}.field_id`, detail: 'Unknown field' });
        });
      }
    }
    for (const key of ['tags_to_add', 'tags_to_delete'] as const) {
      const v = it[key];
      if (v !== undefined && (!Array.isArray(v) || (v as Item[]).some((t) => typeof t?.name !== 'string' && typeof t?.id !== 'number'))) {
        e.push({ code: 'InvalidType', path: key, detail: 'Tags are [{name}] or [{id}]' });
      }
    }
    if (e.length) errors.push({ request_id: rid, errors: e });
  });
  if (errors.length) return invalid(errors);

  const now = s.now();
  const out = items.map((it, i) => {
    const lead = s.leads.get(Number(it.id))!;
    if (typeof it.name === 'string') lead.name = it.name;
    if (typeof it.price === 'number') lead.price = it.price;
    if (it.pipeline_id !== undefined) lead.pipeline_id = Number(it.pipeline_id);
    if (it.status_id !== undefined) lead.status_id = Number(it.status_id);
    if (Array.isArray(it.custom_fields_values)) {
      for (const cf of it.custom_fields_values as Item[]) {
        const def = s.fields.get(Number(cf.field_id))!;
        const values = fieldValues(def, cf.values);
        if (values === 'drop') continue; // 200 and nothing changes (gotcha 9)
        const rest = (lead.custom_fields_values ?? []).filter((x) => x.field_id !== def.id);
        lead.custom_fields_values = values === 'clear' ? rest : [...rest, { field_id: def.id, field_name: def.name, field_code: def.code, field_type: def.type, values }];
        if (lead.custom_fields_values.length === 0) lead.custom_fields_values = null;
      }
    }
    const embedded = it._embedded as { tags?: Item[] } | undefined;
    if (embedded?.tags) {
      lead.tags = embedded.tags.map((t) => (typeof t.id === 'number' ? t.id : s.tagId(String(t.name))));
    } else {
      for (const t of (it.tags_to_add as Item[] | undefined) ?? []) {
        const id = typeof t.id === 'number' ? t.id : s.tagId(String(t.name));
        if (!lead.tags.includes(id)) lead.tags.push(id);
      }
      for (const t of (it.tags_to_delete as Item[] | undefined) ?? []) {
        const id = typeof t.id === 'number' ? t.id : [...s.tags.values()].find((x) => x.name.toLowerCase() === String(t.name).toLowerCase())?.id;
        lead.tags = lead.tags.filter((x) => x !== id);
      }
    }
    lead.updated_at = now;
    return { id: lead.id, updated_at: now, ...(it.request_id !== undefined ? { request_id: String(it.request_id) } : { request_id: String(i) }), _links: { self: { href: `${baseUrl}/api/v4/leads/${lead.id}` } } };
  });
  return data({ _links: { self: { href: `${baseUrl}/api/v4/leads` } }, _embedded: { leads: out } }, out.length);
}

export function emptyIfNone(r: ApiResult): ApiResult {
  return r.kind === 'data' && r.items === 0 ? empty() : r;
}
