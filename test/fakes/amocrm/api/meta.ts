import type { AccountStore } from '../store.js';
import type { Contact } from '../types.js';
import { data, ints, pageOfList, problem, str, type ApiResult, type Query } from './result.js';

/** Account, users, pipelines, lead custom fields, tags and contacts (brief §1 "Account info", §2). */
export interface AccountInfo {
  id: number;
  name: string;
  subdomain: string;
  country: string;
  currency: string;
}

export function getAccount(info: AccountInfo, s: AccountStore, currentUser: number, baseUrl: string): ApiResult {
  const now = s.now();
  return data({
    id: info.id,
    name: info.name,
    subdomain: info.subdomain,
    created_at: now - 86400 * 400,
    created_by: 1,
    updated_at: now,
    updated_by: 1,
    current_user_id: currentUser,
    country: info.country,
    currency: info.currency,
    currency_symbol: info.currency === 'RUB' ? '₽' : '$',
    customers_mode: 'disabled',
    is_unsorted_on: true,
    is_loss_reason_enabled: true,
    is_helpbot_enabled: false,
    is_technical_account: true,
    contact_name_display_order: 1,
    _links: { self: { href: `${baseUrl}/api/v4/account` } },
  });
}

export function getUser(s: AccountStore, id: number, baseUrl: string): ApiResult {
  const u = s.users.get(id);
  if (!u) return problem(404, 'Not Found', 'User not found');
  return data({
    id: u.id,
    name: u.name,
    email: u.email,
    lang: u.lang,
    rights: {
      leads: { view: u.leads_view, edit: u.leads_view, add: 'A', delete: u.is_admin ? 'A' : 'D', export: u.is_admin ? 'A' : 'D' },
      status_rights: u.status_rights,
      is_admin: u.is_admin,
      is_free: false,
      is_active: u.is_active,
      group_id: u.group_id,
      role_id: null,
    },
    _links: { self: { href: `${baseUrl}/api/v4/users/${u.id}` } },
  });
}

export function listUsers(s: AccountStore, q: Query, baseUrl: string): ApiResult {
  return pageOfList([...s.users.values()], q, baseUrl, '/api/v4/users', 'users', (u) => ({ id: u.id, name: u.name, email: u.email, lang: u.lang, rights: { is_admin: u.is_admin, is_active: u.is_active } }));
}

export function listPipelines(s: AccountStore, baseUrl: string): ApiResult {
  const pipelines = [...s.pipelines.values()].map((p) => ({
    id: p.id,
    name: p.name,
    sort: p.sort,
    is_main: p.is_main,
    is_unsorted_on: true,
    is_archive: false,
    account_id: s.accountId,
    _links: { self: { href: `${baseUrl}/api/v4/leads/pipelines/${p.id}` } },
    _embedded: { statuses: p.statuses.map((st) => ({ ...st, color: '#99ccff', is_editable: st.id !== 142 && st.id !== 143, account_id: s.accountId })) },
  }));
  return data({ _total_items: pipelines.length, _links: { self: { href: `${baseUrl}/api/v4/leads/pipelines` } }, _embedded: { pipelines } }, pipelines.length);
}

export function listLeadFields(s: AccountStore, q: Query, baseUrl: string): ApiResult {
  const all = [...s.fields.values()].filter((f) => f.entity_type === 'leads');
  return pageOfList(all, q, baseUrl, '/api/v4/leads/custom_fields', 'custom_fields', (f) => ({ ...f, account_id: s.accountId }));
}

export function listTags(s: AccountStore, q: Query, baseUrl: string): ApiResult {
  const f = (q.filter ?? {}) as Record<string, unknown>;
  const name = str(f.name);
  const all = [...s.tags.values()].filter((t) => !name || t.name === name);
  return pageOfList(all, q, baseUrl, '/api/v4/leads/tags', 'tags', (t) => t);
}

export function renderContact(c: Contact, baseUrl: string): Record<string, unknown> {
  return { ...c, _links: { self: { href: `${baseUrl}/api/v4/contacts/${c.id}` } }, _embedded: { tags: [], companies: [] } };
}

export function listContacts(s: AccountStore, q: Query, baseUrl: string): ApiResult {
  const f = (q.filter ?? {}) as Record<string, unknown>;
  const ids = ints(f.id);
  const query = str(q.query)?.replace(/\D/g, '');
  const byId = ids ? new Set(ids) : undefined;
  const source = ids ? ids.map((id) => s.contacts.get(id)).filter((c): c is Contact => c !== undefined) : [...s.contacts.values()];
  const all = source
    .filter((c) => !byId || byId.has(c.id))
    .filter((c) => !query || (c.custom_fields_values ?? []).some((v) => v.field_code === 'PHONE' && v.values.some((x) => String(x.value).replace(/\D/g, '').endsWith(query.slice(-7)))))
    .sort((a, b) => a.id - b.id);
  return pageOfList(all, q, baseUrl, '/api/v4/contacts', 'contacts', (c) => renderContact(c, baseUrl));
}
