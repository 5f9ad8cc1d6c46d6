import { GENDERS } from '../../../core/outcome.js';
import { inEveryLocale, LOCALES, t, type Locale } from '../../../i18n.js';

/**
 * What the app declares on a portal at install (brief §6, §5.5): placements, event handlers and
 * the user fields Dozvon writes. Kept as data so install, re-install and docs agree.
 */
export type PlacementPage = 'deal_tab' | 'lead_tab' | 'deal_list' | 'lead_list';

export const PLACEMENTS: readonly { code: string; page: PlacementPage; titleKey: string }[] = [
  { code: 'CRM_DEAL_DETAIL_TAB', page: 'deal_tab', titleKey: 'bitrix24.placement.tab_title' },
  { code: 'CRM_LEAD_DETAIL_TAB', page: 'lead_tab', titleKey: 'bitrix24.placement.tab_title' },
  { code: 'CRM_DEAL_LIST_MENU', page: 'deal_list', titleKey: 'bitrix24.placement.menu_title' },
  { code: 'CRM_LEAD_LIST_MENU', page: 'lead_list', titleKey: 'bitrix24.placement.menu_title' },
];

export const PLACEMENT_PAGES: readonly PlacementPage[] = PLACEMENTS.map((p) => p.page);

/** Events bound to `/bitrix24/events`. ONAPPUNINSTALL is the one that matters (brief §1.5). */
export const BOUND_EVENTS = ['ONAPPINSTALL', 'ONAPPUNINSTALL'] as const;

export const UF_RESULT = 'UF_CRM_DOZVON_RESULT';
export const UF_GENDER = 'UF_CRM_DOZVON_GENDER';
export const UF_LAST_CALL = 'UF_CRM_DOZVON_LAST_CALL';

export interface UserFieldSpec {
  /** Without the `UF_CRM_` prefix, as `crm.*.userfield.add` takes it. */
  name: string;
  fieldName: string;
  type: 'string' | 'enumeration' | 'datetime';
  labelKey: string;
  /** Enumeration items, by XML_ID. */
  items?: readonly string[];
}

export const USER_FIELDS: readonly UserFieldSpec[] = [
  { name: 'DOZVON_RESULT', fieldName: UF_RESULT, type: 'string', labelKey: 'bitrix24.uf.result' },
  { name: 'DOZVON_GENDER', fieldName: UF_GENDER, type: 'enumeration', labelKey: 'bitrix24.uf.gender', items: GENDERS },
  { name: 'DOZVON_LAST_CALL', fieldName: UF_LAST_CALL, type: 'datetime', labelKey: 'bitrix24.uf.last_call' },
];

export function userFieldAddFields(f: UserFieldSpec, lng: Locale): Record<string, unknown> {
  const label = inEveryLocale(f.labelKey);
  return {
    FIELD_NAME: f.name,
    USER_TYPE_ID: f.type,
    XML_ID: f.fieldName,
    SORT: 500,
    MULTIPLE: 'N',
    MANDATORY: 'N',
    SHOW_FILTER: 'Y',
    SHOW_IN_LIST: 'Y',
    EDIT_IN_LIST: 'N',
    LABEL: label,
    EDIT_FORM_LABEL: label,
    LIST_COLUMN_LABEL: label,
    LIST_FILTER_LABEL: label,
    ...(f.items ? { LIST: f.items.map((x, i) => ({ VALUE: t(lng, `bitrix24.gender.${x}`), XML_ID: x, SORT: (i + 1) * 10, DEF: 'N' })) } : {}),
  };
}

export function placementBindParams(p: (typeof PLACEMENTS)[number], handler: string, lng: Locale): Record<string, unknown> {
  return {
    PLACEMENT: p.code,
    HANDLER: handler,
    TITLE: t(lng, p.titleKey),
    LANG_ALL: Object.fromEntries(LOCALES.map((l) => [l, { TITLE: t(l, p.titleKey) }])),
  };
}
