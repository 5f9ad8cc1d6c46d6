import { normalizePhone } from '../../../core/phone.js';
import type { ContactInput } from '../../../engine/campaigns/addContacts.js';
import { VARIABLE_NAME } from '../../../scenario/variables.js';
import type { ContactRef } from './contactRef.js';
import { documentOf, phoneValues, type CrmPerson, type CrmRecord, type PhoneOwnerType } from './crmRecords.js';

/**
 * A CRM record becomes a campaign contact (C5): every phone of the document's people (a deal's
 * contacts, primary first; a lead's own phones), normalised to E.164 with the template's country
 * and de-duplicated; CRM fields as scenario variables:
 *
 * `name`, `last_name`, `second_name`, `full_name` (the primary person), `company`, `title`,
 * `amount`, `currency`, `stage`, `deal_id` / `lead_id` / `contact_id`, and every custom field as
 * its lower-cased name (`UF_CRM_CITY` → `uf_crm_city`). The robot's `variables` property adds or
 * overrides any of them.
 */
export interface IntakeOptions {
  /** Template country for national-format numbers. */
  country: string;
  /** A field of the document to take phones from instead of its people (robot property). */
  phoneField?: string | undefined;
  /** Extra / overriding variables (robot property). */
  variables?: Record<string, string>;
  runId?: string | null;
}

export type IntakeResult = { ok: true; contact: ContactInput } | { ok: false; reason: 'no_phone' };

function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(text).filter(Boolean).join(', ');
  return '';
}

/** "99000.00" as Bitrix24 prints money → "99000" (what a bot should say); "1500.50" stays. */
function spokenAmount(v: string): string {
  return /^\d+\.\d+$/.test(v) ? v.replace(/\.?0+$/, '') : v;
}

function variablesOf(r: CrmRecord, person: CrmPerson | undefined, company: string): Record<string, string> {
  const vars: Record<string, string> = {
    title: r.title,
    amount: spokenAmount(r.amount),
    currency: r.currency,
    stage: r.stage,
    company,
    name: person?.name ?? '',
    last_name: person?.lastName ?? '',
    second_name: person?.secondName ?? '',
    full_name: [person?.name, person?.lastName].filter(Boolean).join(' '),
    [`${r.ref.entity}_id`]: String(r.ref.id),
  };
  for (const [field, value] of Object.entries(r.userFields)) {
    const name = field.toLowerCase();
    const v = text(value);
    if (VARIABLE_NAME.test(name) && v) vars[name] = v;
  }
  return Object.fromEntries(Object.entries(vars).filter(([, v]) => v !== ''));
}

export function toContactInput(r: CrmRecord, people: Map<number, CrmPerson>, companies: Map<number, string>, o: IntakeOptions): IntakeResult {
  const ownerType: PhoneOwnerType = r.ref.entity === 'lead' ? 'LEAD' : 'CONTACT';
  const candidates: { raw: string; owner: { type: PhoneOwnerType; id: number } | null }[] = [];
  const contacts = r.contactIds.map((id) => people.get(id)).filter((p): p is CrmPerson => p !== undefined);
  const primary = r.person ?? contacts[0];
  if (o.phoneField) {
    const owner = r.person ? { type: ownerType, id: r.person.id } : contacts[0] ? { type: 'CONTACT' as const, id: contacts[0].id } : null;
    for (const raw of phoneValues(r.raw[o.phoneField])) candidates.push({ raw, owner });
  } else if (r.person) {
    for (const raw of r.person.phones) candidates.push({ raw, owner: { type: ownerType, id: r.person.id } });
  } else {
    for (const c of contacts) for (const raw of c.phones) candidates.push({ raw, owner: { type: 'CONTACT', id: c.id } });
  }
  const owners: ContactRef['owners'] = {};
  const phones: string[] = [];
  for (const c of candidates) {
    const n = normalizePhone(c.raw, o.country);
    if (!n.ok || phones.includes(n.e164)) continue;
    phones.push(n.e164);
    if (c.owner) owners[n.e164] = c.owner;
  }
  if (phones.length === 0) return { ok: false, reason: 'no_phone' };
  const company = r.companyTitle || (r.companyId ? (companies.get(r.companyId) ?? '') : '');
  const document = documentOf(r.ref);
  const crm: ContactRef = { system: 'bitrix24', document, responsibleId: r.responsibleId, runId: o.runId ?? null, owners };
  return {
    ok: true,
    contact: { phones, variables: { ...variablesOf(r, primary, company), ...(o.variables ?? {}) }, externalId: document, crm },
  };
}
