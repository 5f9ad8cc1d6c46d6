/**
 * CRM records as intake needs them, whichever API they came from: the classic `crm.deal.get` /
 * `crm.lead.list` rows (UPPER_CASE) or the universal `crm.item.list` items (camelCase, `contactIds`,
 * original `UF_CRM_*` names). Everything downstream (phones, scenario variables) reads these.
 */
export type EntityKind = 'deal' | 'lead' | 'contact';

export interface DocumentRef {
  entity: EntityKind;
  id: number;
}

const DOC = /^(DEAL|LEAD|CONTACT)_(\d{1,18})$/;

/** `DEAL_123` (robot `document_id[2]`, contact external id) → `{entity:'deal', id:123}`. */
export function parseDocument(doc: string): DocumentRef | undefined {
  const m = DOC.exec(doc);
  if (!m) return undefined;
  return { entity: m[1]!.toLowerCase() as EntityKind, id: Number(m[2]) };
}

const docRef = (entity: EntityKind, id: number): DocumentRef => ({ entity, id });

export const documentOf = (ref: DocumentRef): string => `${ref.entity.toUpperCase()}_${ref.id}`;

export type PhoneOwnerType = 'CONTACT' | 'LEAD' | 'COMPANY';

export interface CrmPerson {
  id: number;
  name: string;
  lastName: string;
  secondName: string;
  phones: string[];
}

/** A deal or lead (or a contact on its own) with everything a call needs. */
export interface CrmRecord {
  ref: DocumentRef;
  title: string;
  amount: string;
  currency: string;
  stage: string;
  responsibleId: number | null;
  companyId: number | null;
  /** Lead: COMPANY_TITLE; deal: filled from the company later. */
  companyTitle: string;
  /** Deal: the contacts, primary first. */
  contactIds: number[];
  /** Lead / contact: the person itself. */
  person: CrmPerson | null;
  /** Custom fields by their original `UF_CRM_*` names. */
  userFields: Record<string, unknown>;
  /** Every field as read (for the robot's `phone_field` property). */
  raw: Record<string, unknown>;
}

type Row = Record<string, unknown>;

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const int = (v: unknown): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isInteger(n) && n > 0 ? n : null;
};

/** Phone values of a multifield (`[{VALUE}]`, or `fm` entries), a string, or a list of strings. */
export function phoneValues(v: unknown, typeId = 'PHONE'): string[] {
  if (typeof v === 'string') return v.trim() ? [v] : [];
  if (!Array.isArray(v)) return [];
  return v.flatMap((x): string[] => {
    if (typeof x === 'string') return x.trim() ? [x] : [];
    if (x && typeof x === 'object') {
      const o = x as Row;
      if (o.typeId !== undefined && o.typeId !== typeId) return [];
      const value = str(o.VALUE ?? o.value);
      return value.trim() ? [value] : [];
    }
    return [];
  });
}

function ufs(row: Row): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([k]) => k.startsWith('UF_CRM_')));
}

function personOf(row: Row, id: number): CrmPerson {
  const phones = row.PHONE !== undefined ? phoneValues(row.PHONE) : phoneValues(row.fm);
  return { id, name: str(row.NAME ?? row.name), lastName: str(row.LAST_NAME ?? row.lastName), secondName: str(row.SECOND_NAME ?? row.secondName), phones };
}

/** `crm.deal.get` row plus the contact ids from `crm.deal.contact.items.get`. */
export function dealFromClassic(row: Row, contactIds: number[]): CrmRecord {
  const id = int(row.ID)!;
  return {
    ref: docRef('deal', id),
    title: str(row.TITLE),
    amount: str(row.OPPORTUNITY),
    currency: str(row.CURRENCY_ID),
    stage: str(row.STAGE_ID),
    responsibleId: int(row.ASSIGNED_BY_ID),
    companyId: int(row.COMPANY_ID),
    companyTitle: '',
    contactIds: contactIds.length ? contactIds : [int(row.CONTACT_ID)].filter((x): x is number => x !== null),
    person: null,
    userFields: ufs(row),
    raw: row,
  };
}

/** `crm.item.list` (entityTypeId 2, useOriginalUfNames=Y) item. */
export function dealFromItem(item: Row): CrmRecord {
  const id = int(item.id)!;
  return {
    ref: docRef('deal', id),
    title: str(item.title),
    amount: str(item.opportunity),
    currency: str(item.currencyId),
    stage: str(item.stageId),
    responsibleId: int(item.assignedById),
    companyId: int(item.companyId),
    companyTitle: '',
    contactIds: Array.isArray(item.contactIds) ? item.contactIds.map(int).filter((x): x is number => x !== null) : [],
    person: null,
    userFields: ufs(item),
    raw: item,
  };
}

/** `crm.lead.get` / `crm.lead.list` row (PHONE selected). */
export function leadFromClassic(row: Row): CrmRecord {
  const id = int(row.ID)!;
  return {
    ref: docRef('lead', id),
    title: str(row.TITLE),
    amount: str(row.OPPORTUNITY),
    currency: str(row.CURRENCY_ID),
    stage: str(row.STATUS_ID),
    responsibleId: int(row.ASSIGNED_BY_ID),
    companyId: int(row.COMPANY_ID),
    companyTitle: str(row.COMPANY_TITLE),
    contactIds: [],
    person: personOf(row, id),
    userFields: ufs(row),
    raw: row,
  };
}

/** `crm.contact.get` row, as a document of its own (a robot on a contact). */
export function contactFromClassic(row: Row): CrmRecord {
  const id = int(row.ID)!;
  return {
    ref: docRef('contact', id),
    title: '',
    amount: '',
    currency: '',
    stage: '',
    responsibleId: int(row.ASSIGNED_BY_ID),
    companyId: int(row.COMPANY_ID),
    companyTitle: '',
    contactIds: [],
    person: personOf(row, id),
    userFields: ufs(row),
    raw: row,
  };
}

/** `crm.contact.list` rows (ID, NAME, LAST_NAME, SECOND_NAME, PHONE) by id. */
export function peopleById(rows: unknown): Map<number, CrmPerson> {
  const out = new Map<number, CrmPerson>();
  if (!Array.isArray(rows)) return out;
  for (const r of rows) {
    if (!r || typeof r !== 'object') continue;
    const id = int((r as Row).ID);
    if (id !== null) out.set(id, personOf(r as Row, id));
  }
  return out;
}
