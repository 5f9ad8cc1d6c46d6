/**
 * Header names people actually use for the columns of a clients file, in English and Russian.
 * Headers are compared after {@link normalizeHeader}, so "Phone_2", "phone 2" and "PHONE-2" are
 * the same header, and so are "E-mail", "email" and "Email".
 */

/** Lower case, ё → е, letters and digits only. */
export function normalizeHeader(header: string): string {
  return header.toLowerCase().replace(/ё/g, 'е').replace(/[^\p{L}\p{N}]+/gu, '');
}

// Exact names of the phone column (after normalisation and without a trailing number, so
// "phone2" and "телефон 3" are extra phone columns).
const PHONE_EXACT = new Set(
  [
    'phone', 'phones', 'phone number', 'phonenumber', 'tel', 'tel.', 'telephone', 'mobile', 'mobile phone', 'cell',
    'cell phone', 'number', 'msisdn', 'телефон', 'телефоны', 'тел', 'номер', 'номер телефона', 'мобильный',
    'моб', 'сотовый', 'контактный телефон',
  ].map(normalizeHeader),
);
// Looser: any header containing these is a phone column unless it names a scenario variable.
const PHONE_STEMS = ['phone', 'телефон', 'мобильн', 'сотов'];

// The template's own phone headers: a phone column even if a scenario has a variable so named.
const PHONE_RESERVED = new Set(['phone', 'phones', 'телефон', 'телефоны']);

/** True for the headers the template writes ("phone", "телефон") and their numbered copies. */
export function isReservedPhoneHeader(header: string): boolean {
  return PHONE_RESERVED.has(normalizeHeader(header).replace(/\d+$/, ''));
}

/** True for "phone", "Телефон", "phone2", "Номер 3", "Mobile": names that mean a phone column. */
export function isExactPhoneHeader(header: string): boolean {
  const n = normalizeHeader(header);
  return PHONE_EXACT.has(n) || PHONE_EXACT.has(n.replace(/\d+$/, ''));
}

/** True also for "Рабочий телефон", "Mobile phone (2)", "Телефон доп.". */
export function isPhoneHeader(header: string): boolean {
  const n = normalizeHeader(header);
  return isExactPhoneHeader(header) || PHONE_STEMS.some((stem) => n.includes(stem));
}

const EXTERNAL_ID = new Set(
  [
    'id', 'external id', 'externalid', 'crm id', 'lead id', 'deal id', 'contact id', 'client id', 'ид', 'идентификатор',
    'внешний id', 'внешний ид', 'внешний идентификатор', 'код клиента',
  ].map(normalizeHeader),
);

/** True for the column holding the customer's own id of the client ("id", "external_id", "ID клиента"). */
export function isExternalIdHeader(header: string): boolean {
  return EXTERNAL_ID.has(normalizeHeader(header));
}

/**
 * Groups of equivalent names for common scenario variables. When the scenario declares any
 * name of a group, a column headed with another name of the group fills it: a scenario with
 * `name` takes the column "ФИО". Earlier groups win a shared alias ("имя" → `name` before
 * `first_name`). The group id also picks the sample value in the template.
 */
export const VARIABLE_GROUPS: ReadonlyArray<{ id: string; names: readonly string[] }> = [
  {
    id: 'name',
    names: ['name', 'full name', 'fio', 'фио', 'имя', 'имя клиента', 'клиент', 'client', 'client name', 'contact', 'contact name', 'контакт', 'customer'],
  },
  { id: 'firstName', names: ['first name', 'given name', 'имя'] },
  { id: 'lastName', names: ['last name', 'surname', 'family name', 'фамилия'] },
  { id: 'middleName', names: ['middle name', 'patronymic', 'отчество'] },
  {
    id: 'company',
    names: ['company', 'company name', 'organization', 'organisation', 'org', 'компания', 'организация', 'фирма', 'название компании'],
  },
  { id: 'amount', names: ['amount', 'sum', 'total', 'debt', 'balance', 'сумма', 'долг', 'задолженность', 'баланс'] },
  { id: 'email', names: ['email', 'e-mail', 'mail', 'почта', 'эл. почта', 'электронная почта', 'емейл'] },
  { id: 'city', names: ['city', 'town', 'город'] },
  { id: 'address', names: ['address', 'адрес'] },
  { id: 'date', names: ['date', 'дата'] },
  { id: 'comment', names: ['comment', 'comments', 'note', 'notes', 'комментарий', 'примечание'] },
  { id: 'gender', names: ['gender', 'sex', 'пол'] },
];

const GROUP_NORMS = VARIABLE_GROUPS.map((g) => ({ id: g.id, norms: new Set(g.names.map(normalizeHeader)) }));

/** The alias group a variable name belongs to (`customer_name` → none, `Name` → `name`). */
export function variableGroupOf(variable: string): string | undefined {
  const n = normalizeHeader(variable);
  return GROUP_NORMS.find((g) => g.norms.has(n))?.id;
}

/**
 * Normalised header → scenario variable, for the scenario's own names and their aliases.
 * A scenario's exact name always beats an alias of another variable.
 */
export function variableLookup(variables: readonly string[]): {
  exact: Map<string, string>;
  alias: Map<string, string>;
} {
  const exact = new Map<string, string>();
  for (const v of variables) if (!exact.has(normalizeHeader(v))) exact.set(normalizeHeader(v), v);
  const alias = new Map<string, string>();
  for (const group of GROUP_NORMS) {
    const target = variables.find((v) => group.norms.has(normalizeHeader(v)));
    if (!target) continue;
    for (const n of group.norms) if (!exact.has(n) && !alias.has(n)) alias.set(n, target);
  }
  return { exact, alias };
}
