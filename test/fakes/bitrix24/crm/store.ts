import { isoDate } from '../clock.js';
import { asArray, asBool, asInt, asString, isRecord } from '../params.js';
import type { CrmEntityKind } from '../types.js';
import {
  STANDARD_FIELDS,
  READ_ONLY_FIELDS,
  hasMultifields,
  isMultiFieldType,
  isStandardField,
  itemValue,
  toCamel,
  type MultiFieldType,
} from './fields.js';
import type { ListSource } from './listQuery.js';
import type { StageRegistry } from './stages.js';
import type { UserFieldRegistry } from './userFields.js';

export interface MultiFieldEntry {
  id: number;
  typeId: MultiFieldType;
  valueType: string;
  value: string;
}

/**
 * One CRM item. `fields` holds classic values exactly as `crm.*.get` prints them (strings,
 * `Y`/`N`, ISO dates, null); absent keys print as null, which keeps 100,000 seeded rows cheap.
 */
export interface CrmRecord {
  id: number;
  kind: CrmEntityKind;
  fields: Record<string, unknown>;
  multi: MultiFieldEntry[];
  /** Deal ↔ contact bindings; the first id is the primary contact (`CONTACT_ID`). */
  contactIds: number[];
}

/** Rows of one entity type, indexed by id, with ids kept sorted for range scans. */
export class EntityTable implements ListSource<CrmRecord> {
  readonly #rows = new Map<number, CrmRecord>();
  #ids: number[] = [];
  #dirty = false;
  #nextId = 1;

  constructor(readonly kind: CrmEntityKind) {}

  allocateId(): number {
    return this.#nextId++;
  }

  insert(rec: CrmRecord): void {
    this.#rows.set(rec.id, rec);
    // Ids are allocated increasingly, so appending keeps the array sorted.
    this.#ids.push(rec.id);
  }

  get(id: number): CrmRecord | undefined {
    return this.#rows.get(id);
  }

  delete(id: number): boolean {
    const existed = this.#rows.delete(id);
    if (existed) this.#dirty = true;
    return existed;
  }

  get size(): number {
    return this.#rows.size;
  }

  sortedIds(): readonly number[] {
    if (this.#dirty) {
      this.#ids = this.#ids.filter((id) => this.#rows.has(id));
      this.#dirty = false;
    }
    return this.#ids;
  }

  row(id: number): CrmRecord | undefined {
    return this.#rows.get(id);
  }

  value(row: CrmRecord, field: string): unknown {
    return fieldValue(row, field);
  }

  values(): IterableIterator<CrmRecord> {
    return this.#rows.values();
  }
}

/** Value used by filters and ordering: multifields and bindings are arrays (match any). */
export function fieldValue(rec: CrmRecord, field: string): unknown {
  if (field === 'ID') return rec.id;
  if (isMultiFieldType(field)) return rec.multi.filter((m) => m.typeId === field).map((m) => m.value);
  if (field === 'CONTACT_IDS') return rec.contactIds;
  return rec.fields[field] ?? null;
}

export interface WriteContext {
  userId: number;
  now: number;
}

function scalar(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? 'Y' : 'N';
  return asString(value) ?? JSON.stringify(value);
}

/** Every CRM table of a portal plus the write rules shared by REST methods and seeding helpers. */
export class CrmStore {
  readonly tables: Readonly<Record<CrmEntityKind, EntityTable>> = {
    lead: new EntityTable('lead'),
    deal: new EntityTable('deal'),
    contact: new EntityTable('contact'),
    company: new EntityTable('company'),
  };
  #nextMultiId = 1;

  constructor(
    readonly stages: StageRegistry,
    readonly userFields: UserFieldRegistry,
    private readonly currency: string,
  ) {}

  get(kind: CrmEntityKind, id: number): CrmRecord | undefined {
    return this.tables[kind].get(id);
  }

  /** Creates an item with the defaults a real portal fills in, then applies `input`. */
  create(kind: CrmEntityKind, rawInput: Record<string, unknown>, ctx: WriteContext): CrmRecord {
    const input = Object.fromEntries(Object.entries(rawInput).map(([k, v]) => [k.toUpperCase(), v]));
    const table = this.tables[kind];
    const id = table.allocateId();
    const date = isoDate(ctx.now);
    const user = String(ctx.userId);
    const rec: CrmRecord = {
      id,
      kind,
      fields: {
        ID: String(id),
        ASSIGNED_BY_ID: user,
        CREATED_BY_ID: user,
        MODIFY_BY_ID: user,
        DATE_CREATE: date,
        DATE_MODIFY: date,
        OPENED: 'Y',
      },
      multi: [],
      contactIds: [],
    };
    if (kind === 'deal') {
      const categoryId = asInt(input['CATEGORY_ID']) ?? 0;
      const firstStage = this.stages.dealStages(categoryId)[0]?.statusId ?? 'NEW';
      Object.assign(rec.fields, {
        TITLE: '', TYPE_ID: 'SALE', STAGE_ID: firstStage, CATEGORY_ID: String(categoryId), CURRENCY_ID: this.currency,
        OPPORTUNITY: '0.00', IS_MANUAL_OPPORTUNITY: 'N', TAX_VALUE: '0.00', CLOSED: 'N', STAGE_SEMANTIC_ID: 'P',
        IS_NEW: 'Y', IS_RECURRING: 'N', IS_RETURN_CUSTOMER: 'N', IS_REPEATED_APPROACH: 'N', BEGINDATE: date,
        CLOSEDATE: date, MOVED_BY_ID: user, MOVED_TIME: date,
      });
    } else if (kind === 'lead') {
      Object.assign(rec.fields, {
        TITLE: '', STATUS_ID: 'NEW', STATUS_SEMANTIC_ID: 'P', CURRENCY_ID: this.currency, OPPORTUNITY: '0.00',
        IS_MANUAL_OPPORTUNITY: 'N', IS_RETURN_CUSTOMER: 'N', HAS_PHONE: 'N', HAS_EMAIL: 'N', HAS_IMOL: 'N',
        MOVED_BY_ID: user, MOVED_TIME: date,
      });
    } else if (kind === 'contact') {
      Object.assign(rec.fields, { NAME: '', LAST_NAME: '', TYPE_ID: 'CLIENT', EXPORT: 'Y', HAS_PHONE: 'N', HAS_EMAIL: 'N', HAS_IMOL: 'N' });
    } else {
      Object.assign(rec.fields, { TITLE: '', COMPANY_TYPE: 'CUSTOMER', IS_MY_COMPANY: 'N', CURRENCY_ID: this.currency, HAS_PHONE: 'N', HAS_EMAIL: 'N', HAS_IMOL: 'N' });
    }
    this.apply(rec, input, ctx, true);
    if (kind === 'deal' && !rec.fields['TITLE']) rec.fields['TITLE'] = `Deal #${id}`;
    if (kind === 'lead' && !rec.fields['TITLE']) rec.fields['TITLE'] = `Lead #${id}`;
    table.insert(rec);
    return rec;
  }

  /** Applies classic `fields` to an item (add/update semantics of crm.*.add/update). */
  apply(rec: CrmRecord, input: Record<string, unknown>, ctx: WriteContext, isNew: boolean): void {
    for (const [rawKey, value] of Object.entries(input)) {
      const key = rawKey.toUpperCase();
      if (READ_ONLY_FIELDS.has(key)) continue;
      if (isMultiFieldType(key)) {
        if (hasMultifields(rec.kind)) this.#applyMulti(rec, key, value);
        continue;
      }
      if (rec.kind === 'deal' && key === 'CONTACT_IDS') {
        rec.contactIds = (asArray(value) ?? []).map((v) => asInt(v)).filter((v): v is number => v !== undefined && v > 0);
        continue;
      }
      if (rec.kind === 'deal' && key === 'CONTACT_ID') {
        const id = asInt(value);
        rec.contactIds = id && id > 0 ? [id] : [];
        continue;
      }
      if (key.startsWith('UF_')) {
        this.#applyUserField(rec, key, value);
        continue;
      }
      if (!isStandardField(rec.kind, key)) continue;
      if (rec.kind === 'deal' && key === 'CATEGORY_ID' && !isNew) continue; // moving pipelines needs crm.deal.move* on real portals
      if (rec.kind === 'deal' && key === 'STAGE_ID') {
        this.#setDealStage(rec, asString(value) ?? '', ctx, isNew);
        continue;
      }
      if (rec.kind === 'lead' && key === 'STATUS_ID') {
        const status = this.stages.leadStatus(asString(value) ?? '');
        if (status) {
          rec.fields['STATUS_ID'] = status.statusId;
          rec.fields['STATUS_SEMANTIC_ID'] = status.semantics;
        }
        continue;
      }
      if (key === 'OPPORTUNITY' || key === 'TAX_VALUE') {
        const n = Number(value);
        rec.fields[key] = Number.isFinite(n) ? n.toFixed(2) : '0.00';
        if (key === 'OPPORTUNITY') rec.fields['IS_MANUAL_OPPORTUNITY'] = 'Y';
        continue;
      }
      rec.fields[key] = scalar(value);
    }
    if (rec.kind === 'deal') {
      rec.fields['CONTACT_ID'] = rec.contactIds[0] !== undefined ? String(rec.contactIds[0]) : null;
      if (isNew && isRecord(input) && Object.keys(input).some((k) => k.toUpperCase() === 'STAGE_ID') === false) {
        this.#setDealStage(rec, String(rec.fields['STAGE_ID'] ?? ''), ctx, true);
      }
    }
    if (hasMultifields(rec.kind)) {
      rec.fields['HAS_PHONE'] = rec.multi.some((m) => m.typeId === 'PHONE') ? 'Y' : 'N';
      rec.fields['HAS_EMAIL'] = rec.multi.some((m) => m.typeId === 'EMAIL') ? 'Y' : 'N';
      rec.fields['HAS_IMOL'] = rec.multi.some((m) => m.typeId === 'IM') ? 'Y' : 'N';
    }
    if (!isNew) {
      rec.fields['DATE_MODIFY'] = isoDate(ctx.now);
      rec.fields['MODIFY_BY_ID'] = String(ctx.userId);
    }
  }

  #setDealStage(rec: CrmRecord, stageId: string, ctx: WriteContext, isNew: boolean): void {
    const categoryId = asInt(rec.fields['CATEGORY_ID']) ?? 0;
    const stages = this.stages.dealStages(categoryId);
    const stage = stages.find((s) => s.statusId === stageId) ?? (isNew ? stages[0] : undefined);
    if (!stage) return; // a stage of another pipeline is ignored, as by crm.deal.update
    if (rec.fields['STAGE_ID'] !== stage.statusId) {
      rec.fields['MOVED_BY_ID'] = String(ctx.userId);
      rec.fields['MOVED_TIME'] = isoDate(ctx.now);
    }
    rec.fields['STAGE_ID'] = stage.statusId;
    rec.fields['STAGE_SEMANTIC_ID'] = stage.semantics;
    rec.fields['CLOSED'] = stage.semantics === 'P' ? 'N' : 'Y';
    rec.fields['IS_NEW'] = stage === stages[0] ? 'Y' : 'N';
  }

  /**
   * Multifield writes: items without ID are appended (also on update — a known surprise of the
   * real API), items with ID are changed, or removed when VALUE is empty / DELETE=Y.
   */
  #applyMulti(rec: CrmRecord, typeId: MultiFieldType, value: unknown): void {
    for (const raw of asArray(value) ?? []) {
      const item = isRecord(raw) ? raw : { VALUE: raw };
      const id = asInt(item['ID'] ?? item['id']);
      const text = asString(item['VALUE'] ?? item['value'])?.trim() ?? '';
      const valueType = asString(item['VALUE_TYPE'] ?? item['valueType']) ?? 'WORK';
      if (id !== undefined) {
        const index = rec.multi.findIndex((m) => m.id === id && m.typeId === typeId);
        if (index < 0) continue;
        if (!text || asBool(item['DELETE']) === true) rec.multi.splice(index, 1);
        else rec.multi[index] = { id, typeId, valueType, value: text };
        continue;
      }
      if (text) rec.multi.push({ id: this.#nextMultiId++, typeId, valueType, value: text });
    }
  }

  /** UF writes: unknown fields are ignored; enumeration values must be item IDs (labels are dropped). */
  #applyUserField(rec: CrmRecord, key: string, value: unknown): void {
    const def = this.userFields.byName(rec.kind, key);
    if (!def) return;
    const normalise = (v: unknown): string | null => {
      if (def.userTypeId === 'enumeration') {
        const id = asInt(v);
        return id !== undefined && def.list.some((it) => it.id === id) ? String(id) : null;
      }
      if (def.userTypeId === 'boolean') {
        const b = asBool(v);
        return b === undefined ? null : b ? '1' : '0';
      }
      return scalar(v);
    };
    if (def.multiple) {
      const list = Array.isArray(value) || isRecord(value) ? (asArray(value) ?? []) : value === '' || value === null ? [] : [value];
      rec.fields[key] = list.map(normalise).filter((v): v is string => v !== null && v !== '');
    } else {
      const v = Array.isArray(value) ? value[0] : value;
      rec.fields[key] = normalise(v);
    }
  }

  /** Multifield output shape of classic methods: `[{ID:'12', VALUE_TYPE, VALUE, TYPE_ID}]`. */
  multiView(rec: CrmRecord, typeId: MultiFieldType): Array<Record<string, string>> {
    return rec.multi
      .filter((m) => m.typeId === typeId)
      .map((m) => ({ ID: String(m.id), VALUE_TYPE: m.valueType, VALUE: m.value, TYPE_ID: m.typeId }));
  }

  /** `crm.*.get`: all standard fields, every UF, and present multifields. */
  getView(rec: CrmRecord): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of STANDARD_FIELDS[rec.kind]) out[f] = f === 'ID' ? String(rec.id) : (rec.fields[f] ?? null);
    for (const def of this.userFields.list(rec.kind)) out[def.fieldName] = rec.fields[def.fieldName] ?? (def.multiple ? [] : null);
    if (hasMultifields(rec.kind)) {
      for (const t of ['PHONE', 'EMAIL', 'WEB', 'IM'] as const) {
        const values = this.multiView(rec, t);
        if (values.length > 0) out[t] = values;
      }
    }
    return out;
  }

  /**
   * Classic list select (brief §3.1): empty = `*` + `UF_*`; `*` = standard fields only;
   * `UF_*` = non-multiple custom fields; multifields only when named. ID is always present.
   */
  listView(rec: CrmRecord, select: readonly string[]): Record<string, unknown> {
    const wanted = select.length === 0 ? ['*', 'UF_*'] : select.map((s) => s.toUpperCase());
    const out: Record<string, unknown> = { ID: String(rec.id) };
    for (const name of wanted) {
      if (name === '*') {
        for (const f of STANDARD_FIELDS[rec.kind]) if (!(f in out)) out[f] = rec.fields[f] ?? null;
      } else if (name === 'UF_*') {
        for (const def of this.userFields.list(rec.kind)) {
          if (!def.multiple) out[def.fieldName] = rec.fields[def.fieldName] ?? null;
        }
      } else if (isMultiFieldType(name)) {
        if (!hasMultifields(rec.kind)) continue;
        const values = this.multiView(rec, name);
        if (values.length > 0) out[name] = values;
      } else if (name.startsWith('UF_')) {
        const def = this.userFields.byName(rec.kind, name);
        if (def) out[name] = rec.fields[name] ?? (def.multiple ? [] : null);
      } else if (isStandardField(rec.kind, name)) {
        out[name] = rec.fields[name] ?? null;
      }
    }
    return out;
  }

  /**
   * crm.item.list/get view (brief §3.2): camelCase names, numeric ids, `contactIds` on deals,
   * and `fm` multifields only through `*` (they cannot be named).
   */
  itemView(rec: CrmRecord, select: readonly string[], useOriginalUfNames: boolean): Record<string, unknown> {
    const star = select.length === 0 || select.includes('*');
    const wanted = new Set(select);
    const out: Record<string, unknown> = { id: rec.id };
    for (const f of STANDARD_FIELDS[rec.kind]) {
      const camel = toCamel(f);
      if (camel === 'id' || !(star || wanted.has(camel))) continue;
      out[camel] = itemValue(camel, rec.fields[f] ?? null);
    }
    if (rec.kind === 'deal' && (star || wanted.has('contactIds'))) out['contactIds'] = [...rec.contactIds];
    for (const def of this.userFields.list(rec.kind)) {
      const name = useOriginalUfNames ? def.fieldName : toCamel(def.fieldName);
      if (!(star || wanted.has(name) || wanted.has('uf*') || wanted.has('UF_*'))) continue;
      const raw = rec.fields[def.fieldName] ?? (def.multiple ? [] : null);
      out[name] = Array.isArray(raw) ? raw.map((v) => itemValue('id', v)) : def.userTypeId === 'enumeration' ? itemValue('id', raw) : raw;
    }
    if (hasMultifields(rec.kind) && star) {
      out['fm'] = rec.multi.map((m) => ({ id: m.id, typeId: m.typeId, valueType: m.valueType, value: m.value }));
    }
    return out;
  }
}
