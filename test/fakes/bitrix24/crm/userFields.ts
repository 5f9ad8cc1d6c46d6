import { RestError, crmError } from '../restError.js';
import { asArray, asBool, asInt, asString, isRecord, param, type Params } from '../params.js';
import type { CrmEntityKind } from '../types.js';
import { UF_ENTITY_ID } from './fields.js';

export interface EnumItem {
  id: number;
  sort: number;
  value: string;
  def: boolean;
  xmlId: string;
}

export interface UserFieldDef {
  id: number;
  kind: CrmEntityKind;
  fieldName: string;
  userTypeId: string;
  xmlId: string | null;
  sort: number;
  multiple: boolean;
  mandatory: boolean;
  showFilter: string;
  showInList: boolean;
  editInList: boolean;
  isSearchable: boolean;
  settings: Record<string, unknown>;
  editFormLabel: string;
  listColumnLabel: string;
  listFilterLabel: string;
  list: EnumItem[];
}

/** Types accepted by `crm.*.userfield.add` (brief §5.5). */
const KNOWN_TYPES = new Set([
  'string', 'integer', 'double', 'boolean', 'datetime', 'date', 'money', 'url', 'address', 'file',
  'enumeration', 'employee', 'crm_status', 'crm', 'iblock_section', 'iblock_element', 'resourcebooking',
]);

/** Labels arrive as a string or `{en:'..', ru:'..'}`; lists print one string. */
function label(value: unknown, lang: string): string | undefined {
  if (typeof value === 'string') return value;
  if (isRecord(value)) return asString(value[lang]) ?? asString(Object.values(value)[0]);
  return undefined;
}

/** Custom fields (`UF_CRM_*`) of CRM entities, with enumeration items that get their own ids. */
export class UserFieldRegistry {
  readonly #defs: UserFieldDef[] = [];
  #nextId = 5801;
  #nextEnumId = 3101;

  constructor(private readonly lang: string) {}

  list(kind: CrmEntityKind): UserFieldDef[] {
    return this.#defs.filter((d) => d.kind === kind);
  }

  get(kind: CrmEntityKind, id: number): UserFieldDef | undefined {
    return this.#defs.find((d) => d.kind === kind && d.id === id);
  }

  byName(kind: CrmEntityKind, fieldName: string): UserFieldDef | undefined {
    return this.#defs.find((d) => d.kind === kind && d.fieldName === fieldName);
  }

  /** `crm.<kind>.userfield.add` semantics: prefix, charset and length rules, enum item ids. */
  add(kind: CrmEntityKind, fields: Params): UserFieldDef {
    const rawName = asString(param(fields, 'FIELD_NAME'))?.trim() ?? '';
    if (!rawName) throw crmError("The 'FIELD_NAME' field is not found.");
    const upper = rawName.toUpperCase();
    const fieldName = upper.startsWith('UF_CRM_') ? upper : `UF_CRM_${upper}`;
    if (!/^[A-Z0-9_]+$/.test(fieldName)) {
      throw new RestError(400, 'ERROR_CORE', 'Field name contains invalid characters. Allowed characters are: A-Z, 0-9 and _.');
    }
    if (fieldName.length > 50) throw new RestError(400, 'ERROR_CORE', 'Field name is too long (more than 50 characters).');
    const userTypeId = asString(param(fields, 'USER_TYPE_ID'))?.trim() ?? '';
    if (!userTypeId) throw crmError("The 'USER_TYPE_ID' field is not found.");
    if (!KNOWN_TYPES.has(userTypeId)) throw new RestError(400, 'ERROR_CORE', 'Incorrect custom type specified.');
    if (this.byName(kind, fieldName)) {
      throw new RestError(400, 'ERROR_CORE', `A field with the name ${fieldName} already exists.`);
    }
    const commonLabel = label(param(fields, 'LABEL'), this.lang);
    const editFormLabel = label(param(fields, 'EDIT_FORM_LABEL'), this.lang) ?? commonLabel ?? fieldName;
    const def: UserFieldDef = {
      id: this.#nextId++,
      kind,
      fieldName,
      userTypeId,
      xmlId: asString(param(fields, 'XML_ID')) ?? null,
      sort: asInt(param(fields, 'SORT')) ?? 100,
      multiple: asBool(param(fields, 'MULTIPLE')) ?? false,
      mandatory: asBool(param(fields, 'MANDATORY')) ?? false,
      showFilter: asString(param(fields, 'SHOW_FILTER')) ?? 'N',
      showInList: asBool(param(fields, 'SHOW_IN_LIST')) ?? true,
      editInList: asBool(param(fields, 'EDIT_IN_LIST')) ?? true,
      isSearchable: asBool(param(fields, 'IS_SEARCHABLE')) ?? false,
      settings: isRecord(param(fields, 'SETTINGS')) ? (param(fields, 'SETTINGS') as Record<string, unknown>) : {},
      editFormLabel,
      listColumnLabel: label(param(fields, 'LIST_COLUMN_LABEL'), this.lang) ?? commonLabel ?? editFormLabel,
      listFilterLabel: label(param(fields, 'LIST_FILTER_LABEL'), this.lang) ?? commonLabel ?? editFormLabel,
      list: [],
    };
    if (userTypeId === 'enumeration') this.#setList(def, param(fields, 'LIST'));
    this.#defs.push(def);
    return def;
  }

  /** `crm.<kind>.userfield.update`: labels, sort, settings and LIST (items with ID are updated, `DEL: 'Y'` removes). */
  update(kind: CrmEntityKind, id: number, fields: Params): void {
    const def = this.get(kind, id);
    if (!def) throw crmError('Not found');
    const sort = asInt(param(fields, 'SORT'));
    if (sort !== undefined) def.sort = sort;
    const editFormLabel = label(param(fields, 'EDIT_FORM_LABEL'), this.lang) ?? label(param(fields, 'LABEL'), this.lang);
    if (editFormLabel !== undefined) def.editFormLabel = editFormLabel;
    if (isRecord(param(fields, 'SETTINGS'))) def.settings = param(fields, 'SETTINGS') as Record<string, unknown>;
    const list = param(fields, 'LIST');
    if (list !== undefined && def.userTypeId === 'enumeration') this.#setList(def, list, true);
  }

  delete(kind: CrmEntityKind, id: number): void {
    const index = this.#defs.findIndex((d) => d.kind === kind && d.id === id);
    if (index < 0) throw crmError('Not found');
    this.#defs.splice(index, 1);
  }

  #setList(def: UserFieldDef, value: unknown, merge = false): void {
    const items = asArray(value) ?? [];
    const seenXml = new Set<string>();
    const next: EnumItem[] = merge ? [...def.list] : [];
    for (const [i, raw] of items.entries()) {
      if (!isRecord(raw)) continue;
      const existingId = asInt(param(raw, 'ID'));
      if (merge && existingId !== undefined) {
        const index = next.findIndex((it) => it.id === existingId);
        if (index < 0) continue;
        if (asBool(param(raw, 'DEL')) === true) {
          next.splice(index, 1);
          continue;
        }
        const item = next[index];
        if (!item) continue;
        item.value = asString(param(raw, 'VALUE')) ?? item.value;
        item.sort = asInt(param(raw, 'SORT')) ?? item.sort;
        continue;
      }
      const xmlId = asString(param(raw, 'XML_ID')) ?? `${def.fieldName.toLowerCase()}_${this.#nextEnumId}`;
      if (seenXml.has(xmlId) || next.some((it) => it.xmlId === xmlId)) {
        throw new RestError(400, 'ERROR_CORE', `List item with value XML_ID=${xmlId} already exists.`);
      }
      seenXml.add(xmlId);
      next.push({
        id: this.#nextEnumId++,
        sort: asInt(param(raw, 'SORT')) ?? (i + 1) * 10,
        value: asString(param(raw, 'VALUE')) ?? '',
        def: asBool(param(raw, 'DEF')) ?? false,
        xmlId,
      });
    }
    def.list = next.sort((a, b) => a.sort - b.sort || a.id - b.id);
  }
}

/** `crm.*.userfield.get/list` row (RD:crm-deal-userfield-list.md: numbers as strings, LIST with IDs). */
export function userFieldRow(def: UserFieldDef): Record<string, unknown> {
  const row: Record<string, unknown> = {
    ID: String(def.id),
    ENTITY_ID: UF_ENTITY_ID[def.kind],
    FIELD_NAME: def.fieldName,
    USER_TYPE_ID: def.userTypeId,
    XML_ID: def.xmlId,
    SORT: String(def.sort),
    MULTIPLE: def.multiple ? 'Y' : 'N',
    MANDATORY: def.mandatory ? 'Y' : 'N',
    SHOW_FILTER: def.showFilter,
    SHOW_IN_LIST: def.showInList ? 'Y' : 'N',
    EDIT_IN_LIST: def.editInList ? 'Y' : 'N',
    IS_SEARCHABLE: def.isSearchable ? 'Y' : 'N',
    SETTINGS: def.settings,
    EDIT_FORM_LABEL: def.editFormLabel,
    LIST_COLUMN_LABEL: def.listColumnLabel,
    LIST_FILTER_LABEL: def.listFilterLabel,
    ERROR_MESSAGE: null,
    HELP_MESSAGE: null,
  };
  if (def.userTypeId === 'enumeration') {
    row['LIST'] = def.list.map((it) => ({
      ID: String(it.id),
      SORT: String(it.sort),
      VALUE: it.value,
      DEF: it.def ? 'Y' : 'N',
      XML_ID: it.xmlId,
    }));
  }
  return row;
}
