import type { CrmEntityKind } from '../types.js';

/** CRM entity type ids (brief §3.2). */
export const ENTITY_TYPE_ID: Readonly<Record<CrmEntityKind, number>> = { lead: 1, deal: 2, contact: 3, company: 4 };

export function kindByTypeId(typeId: number): CrmEntityKind | undefined {
  return (Object.keys(ENTITY_TYPE_ID) as CrmEntityKind[]).find((k) => ENTITY_TYPE_ID[k] === typeId);
}

/** Lower-case owner names of crm.timeline.comment.add `ENTITY_TYPE` (brief §5.1). */
export function kindByName(name: string): CrmEntityKind | undefined {
  return (['lead', 'deal', 'contact', 'company'] as const).find((k) => k === name);
}

/** `UF_CRM_*` owner ids (`ENTITY_ID` of userfield definitions). */
export const UF_ENTITY_ID: Readonly<Record<CrmEntityKind, string>> = {
  lead: 'CRM_LEAD',
  deal: 'CRM_DEAL',
  contact: 'CRM_CONTACT',
  company: 'CRM_COMPANY',
};

const UTM = ['UTM_SOURCE', 'UTM_MEDIUM', 'UTM_CAMPAIGN', 'UTM_CONTENT', 'UTM_TERM'];

/**
 * Standard fields per entity, in the order `crm.*.get` prints them (RD:crm-deal-get.md and
 * siblings). `'*'` in a classic select means exactly these — no UF, no multifields.
 */
export const STANDARD_FIELDS: Readonly<Record<CrmEntityKind, readonly string[]>> = {
  deal: [
    'ID', 'TITLE', 'TYPE_ID', 'STAGE_ID', 'PROBABILITY', 'CURRENCY_ID', 'OPPORTUNITY', 'IS_MANUAL_OPPORTUNITY',
    'TAX_VALUE', 'LEAD_ID', 'COMPANY_ID', 'CONTACT_ID', 'QUOTE_ID', 'BEGINDATE', 'CLOSEDATE', 'ASSIGNED_BY_ID',
    'CREATED_BY_ID', 'MODIFY_BY_ID', 'DATE_CREATE', 'DATE_MODIFY', 'OPENED', 'CLOSED', 'COMMENTS',
    'ADDITIONAL_INFO', 'LOCATION_ID', 'CATEGORY_ID', 'STAGE_SEMANTIC_ID', 'IS_NEW', 'IS_RECURRING',
    'IS_RETURN_CUSTOMER', 'IS_REPEATED_APPROACH', 'SOURCE_ID', 'SOURCE_DESCRIPTION', 'ORIGINATOR_ID', 'ORIGIN_ID',
    'MOVED_BY_ID', 'MOVED_TIME', 'LAST_ACTIVITY_TIME', ...UTM, 'LAST_ACTIVITY_BY',
  ],
  lead: [
    'ID', 'TITLE', 'HONORIFIC', 'NAME', 'SECOND_NAME', 'LAST_NAME', 'COMPANY_TITLE', 'COMPANY_ID', 'CONTACT_ID',
    'IS_RETURN_CUSTOMER', 'BIRTHDATE', 'SOURCE_ID', 'SOURCE_DESCRIPTION', 'STATUS_ID', 'STATUS_DESCRIPTION',
    'POST', 'COMMENTS', 'CURRENCY_ID', 'OPPORTUNITY', 'IS_MANUAL_OPPORTUNITY', 'HAS_PHONE', 'HAS_EMAIL',
    'HAS_IMOL', 'ASSIGNED_BY_ID', 'CREATED_BY_ID', 'MODIFY_BY_ID', 'DATE_CREATE', 'DATE_MODIFY', 'DATE_CLOSED',
    'STATUS_SEMANTIC_ID', 'OPENED', 'ORIGINATOR_ID', 'ORIGIN_ID', 'MOVED_BY_ID', 'MOVED_TIME', 'ADDRESS',
    ...UTM, 'LAST_ACTIVITY_TIME', 'LAST_ACTIVITY_BY',
  ],
  contact: [
    'ID', 'HONORIFIC', 'NAME', 'SECOND_NAME', 'LAST_NAME', 'PHOTO', 'BIRTHDATE', 'TYPE_ID', 'SOURCE_ID',
    'SOURCE_DESCRIPTION', 'POST', 'COMMENTS', 'OPENED', 'EXPORT', 'HAS_PHONE', 'HAS_EMAIL', 'HAS_IMOL',
    'ASSIGNED_BY_ID', 'CREATED_BY_ID', 'MODIFY_BY_ID', 'DATE_CREATE', 'DATE_MODIFY', 'COMPANY_ID', 'LEAD_ID',
    'ORIGINATOR_ID', 'ORIGIN_ID', 'ORIGIN_VERSION', 'FACE_ID', 'ADDRESS', ...UTM, 'LAST_ACTIVITY_TIME',
    'LAST_ACTIVITY_BY',
  ],
  company: [
    'ID', 'COMPANY_TYPE', 'TITLE', 'LOGO', 'LEAD_ID', 'HAS_PHONE', 'HAS_EMAIL', 'HAS_IMOL', 'ASSIGNED_BY_ID',
    'CREATED_BY_ID', 'MODIFY_BY_ID', 'BANKING_DETAILS', 'INDUSTRY', 'REVENUE', 'CURRENCY_ID', 'EMPLOYEES',
    'COMMENTS', 'DATE_CREATE', 'DATE_MODIFY', 'OPENED', 'IS_MY_COMPANY', 'ORIGINATOR_ID', 'ORIGIN_ID',
    'ORIGIN_VERSION', 'ADDRESS', ...UTM, 'LAST_ACTIVITY_TIME', 'LAST_ACTIVITY_BY',
  ],
};

const STANDARD_SETS = Object.fromEntries(
  (Object.keys(STANDARD_FIELDS) as CrmEntityKind[]).map((k) => [k, new Set(STANDARD_FIELDS[k])]),
) as Record<CrmEntityKind, Set<string>>;

export function isStandardField(kind: CrmEntityKind, field: string): boolean {
  return STANDARD_SETS[kind].has(field);
}

/** Multifields (`crm_multifield`): deals have none (brief §3.1). */
export const MULTIFIELD_TYPES = ['PHONE', 'EMAIL', 'WEB', 'IM'] as const;
export type MultiFieldType = (typeof MULTIFIELD_TYPES)[number];

export function hasMultifields(kind: CrmEntityKind): boolean {
  return kind !== 'deal';
}

export function isMultiFieldType(name: string): name is MultiFieldType {
  return (MULTIFIELD_TYPES as readonly string[]).includes(name);
}

/** Fields the portal maintains itself; writes to them are ignored, as on a real portal. */
export const READ_ONLY_FIELDS = new Set([
  'ID', 'DATE_CREATE', 'DATE_MODIFY', 'CREATED_BY_ID', 'MODIFY_BY_ID', 'HAS_PHONE', 'HAS_EMAIL', 'HAS_IMOL',
  'STAGE_SEMANTIC_ID', 'STATUS_SEMANTIC_ID', 'IS_NEW', 'MOVED_BY_ID', 'MOVED_TIME', 'LAST_ACTIVITY_TIME',
  'LAST_ACTIVITY_BY',
]);

/**
 * Classic → crm.item camelCase names where the generic rule does not apply
 * (RD:api-reference/crm/universal/object-fields.md).
 */
const CAMEL_OVERRIDES: Record<string, string> = {
  DATE_CREATE: 'createdTime',
  DATE_MODIFY: 'updatedTime',
  CREATED_BY_ID: 'createdBy',
  MODIFY_BY_ID: 'updatedBy',
  MOVED_BY_ID: 'movedBy',
  BEGINDATE: 'begindate',
  CLOSEDATE: 'closedate',
  BIRTHDATE: 'birthdate',
  STATUS_ID: 'stageId',
  STATUS_SEMANTIC_ID: 'stageSemanticId',
  STATUS_DESCRIPTION: 'statusDescription',
  DATE_CLOSED: 'closedate',
};

/** Item fields printed as numbers (ids, money); everything else keeps its classic string form. */
const NUMERIC_ITEM_FIELDS = new Set([
  'id', 'assignedById', 'createdBy', 'updatedBy', 'movedBy', 'lastActivityBy', 'companyId', 'contactId',
  'leadId', 'categoryId', 'quoteId', 'locationId', 'opportunity', 'taxValue', 'probability', 'revenue',
]);

// Field names are few and converted for every item listed: remembered, the emulator's own CPU stays
// out of the bench's figures (it shares the process with Dozvon).
const camelOf = new Map<string, string>();

export function toCamel(field: string): string {
  let camel = camelOf.get(field);
  if (camel === undefined) {
    const parts = field.toLowerCase().split('_').filter((p) => p.length > 0);
    camel = CAMEL_OVERRIDES[field] ?? parts.map((p, i) => (i === 0 ? p : p.charAt(0).toUpperCase() + p.slice(1))).join('');
    camelOf.set(field, camel);
  }
  return camel;
}

/** Converts a classic value to the crm.item representation of the camel field. */
export function itemValue(camel: string, value: unknown): unknown {
  if (value === null || value === undefined || value === '') return NUMERIC_ITEM_FIELDS.has(camel) ? null : (value ?? null);
  if (NUMERIC_ITEM_FIELDS.has(camel) && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
    return Number(value);
  }
  return value;
}

/** Reverse lookup: camelCase (or classic) item field name → classic field name for `kind`. */
export function fromCamel(kind: CrmEntityKind, name: string, ufNames: readonly string[]): string | undefined {
  if (/^[A-Z0-9_]+$/.test(name)) return name;
  for (const field of STANDARD_FIELDS[kind]) {
    if (toCamel(field) === name) return field;
  }
  for (const uf of ufNames) {
    if (toCamel(uf) === name) return uf;
  }
  return undefined;
}
