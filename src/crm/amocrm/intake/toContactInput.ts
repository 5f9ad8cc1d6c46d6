import { normalizePhone } from '../../../core/phone.js';
import type { ContactInput } from '../../../engine/campaigns/addContacts.js';
import { VARIABLE_NAME } from '../../../scenario/variables.js';
import type { AmoContact, AmoLead, CustomFieldValue } from '../api/models.js';
import { leadExternalId, type ContactRef } from './contactRef.js';

/**
 * A lead becomes a campaign contact (C5): every phone of every contact of the lead (the main
 * contact first; a MOB or WORK number before others of the same contact), normalised to E.164 with
 * the template's country and de-duplicated; lead and contact fields as scenario variables:
 *
 * `lead_id`, `lead_name` and `title` (the lead's name), `amount` (its price), `pipeline_id`,
 * `status_id`; the main contact's `name` (first name), `last_name`, `full_name`, `contact_id`;
 * every custom field of the lead as its code in lower case (`city`) or `cf_<field id>`, and of the
 * main contact as `contact_<code>` / `contact_cf_<field id>` (phones and e-mails excepted).
 */
export type IntakeResult = { ok: true; contact: ContactInput } | { ok: false; reason: 'no_phone' };

const PHONE_ORDER = ['MOB', 'WORK', 'WORKDD', 'HOME', 'OTHER', 'FAX'];

function phonesOf(c: AmoContact): string[] {
  const values = (c.custom_fields_values ?? []).filter((f) => f.field_code === 'PHONE').flatMap((f) => f.values ?? []);
  const rank = (code: string | null | undefined) => {
    const i = PHONE_ORDER.indexOf(code ?? '');
    return i < 0 ? PHONE_ORDER.length : i;
  };
  return values
    .map((v, i) => ({ v: typeof v.value === 'string' || typeof v.value === 'number' ? String(v.value) : '', r: rank(v.enum_code), i }))
    .filter((x) => x.v.trim() !== '')
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.v);
}

function fieldText(f: CustomFieldValue): string {
  return (f.values ?? [])
    .map((v) => (v.value === null || v.value === undefined ? '' : String(v.value)))
    .filter(Boolean)
    .join(', ');
}

function fieldVariables(fields: CustomFieldValue[] | null | undefined, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields ?? []) {
    if (f.field_code === 'PHONE' || f.field_code === 'EMAIL') continue;
    const code = f.field_code?.toLowerCase();
    const name = code && VARIABLE_NAME.test(`${prefix}${code}`) ? `${prefix}${code}` : `${prefix}cf_${f.field_id}`;
    const text = fieldText(f);
    if (text && VARIABLE_NAME.test(name)) out[name] = text;
  }
  return out;
}

/** The lead's contacts in call order: the main one first, then the others as amoCRM lists them. */
export function contactIdsOf(lead: AmoLead): number[] {
  const list = lead._embedded?.contacts ?? [];
  return [...list].sort((a, b) => Number(Boolean(b.is_main)) - Number(Boolean(a.is_main))).map((c) => c.id);
}

export function toContactInput(lead: AmoLead, contacts: Map<number, AmoContact>, o: { country: string }): IntakeResult {
  const people = contactIdsOf(lead)
    .map((id) => contacts.get(id))
    .filter((c): c is AmoContact => c !== undefined);
  const phones: string[] = [];
  for (const p of people) {
    for (const raw of phonesOf(p)) {
      const n = normalizePhone(raw, o.country);
      if (n.ok && !phones.includes(n.e164)) phones.push(n.e164);
    }
  }
  if (phones.length === 0) return { ok: false, reason: 'no_phone' };
  const main = people[0];
  const vars: Record<string, string> = {
    lead_id: String(lead.id),
    lead_name: lead.name ?? '',
    title: lead.name ?? '',
    amount: lead.price ? String(lead.price) : '',
    pipeline_id: String(lead.pipeline_id),
    status_id: String(lead.status_id),
    name: main?.first_name || main?.name || '',
    last_name: main?.last_name ?? '',
    full_name: main?.name || [main?.first_name, main?.last_name].filter(Boolean).join(' '),
    contact_id: main ? String(main.id) : '',
    ...fieldVariables(lead.custom_fields_values, ''),
    ...fieldVariables(main?.custom_fields_values, 'contact_'),
  };
  const crm: ContactRef = {
    system: 'amocrm',
    leadId: lead.id,
    responsibleUserId: lead.responsible_user_id ?? null,
    stage: { pipelineId: lead.pipeline_id, statusId: lead.status_id },
  };
  return {
    ok: true,
    contact: { phones, variables: Object.fromEntries(Object.entries(vars).filter(([, v]) => v !== '')), externalId: leadExternalId(lead.id), crm },
  };
}
