import type { ColumnInfo } from '../../api/types';

/**
 * The column mapping of an import, as the person sets it in the preview: each column of the file
 * is the phone, a scenario variable, the external id (the CRM's or your own id of the client),
 * kept under its own name, or ignored. Pure functions, so the rules are tested without a browser
 * (test/console/importMapping.test.ts) and the request sent is exactly what was chosen.
 */
export type Choice = { role: 'phone' } | { role: 'externalId' } | { role: 'ignored' } | { role: 'variable'; variable: string };

export interface MappingProblem {
  /** Column index, or -1 for the mapping as a whole. */
  column: number;
  level: 'error' | 'warning';
  key: string;
  params?: Record<string, unknown>;
}

/** The mapping the server detected, as choices. */
export function initialMapping(columns: readonly ColumnInfo[]): Choice[] {
  return columns.map((c) => (c.role === 'variable' ? { role: 'variable', variable: c.variable ?? c.header } : { role: c.role }));
}

/** A choice as the value of the column's select: 'phone', 'externalId', 'ignored' or 'var:<name>'. */
export const choiceValue = (c: Choice): string => (c.role === 'variable' ? `var:${c.variable}` : c.role);
export function choiceOf(value: string): Choice {
  if (value.startsWith('var:')) return { role: 'variable', variable: value.slice(4) };
  if (value === 'phone' || value === 'externalId' || value === 'ignored') return { role: value };
  return { role: 'ignored' };
}

/** What a column can be: the phone, each scenario variable, its own header as a variable, the external id, nothing. */
export function optionsFor(column: ColumnInfo, variables: readonly string[]): { value: string; kind: 'phone' | 'variable' | 'own' | 'externalId' | 'ignored'; variable?: string }[] {
  const own = column.header.trim() || `column${column.index + 1}`;
  return [
    { value: 'phone', kind: 'phone' },
    ...variables.map((v) => ({ value: `var:${v}`, kind: 'variable' as const, variable: v })),
    ...(variables.includes(own) ? [] : [{ value: `var:${own}`, kind: 'own' as const, variable: own }]),
    { value: 'externalId', kind: 'externalId' },
    { value: 'ignored', kind: 'ignored' },
  ];
}

/**
 * Problems of a mapping before anything is sent: no phone column (nothing to call), two columns
 * into one variable (one would overwrite the other), two id columns; and warnings — a required
 * variable no column provides (the bot would speak the fallback), a column not used by the scenario.
 */
export function mappingProblems(mapping: readonly Choice[], variables: readonly { name: string; required: boolean }[]): MappingProblem[] {
  const out: MappingProblem[] = [];
  if (!mapping.some((m) => m.role === 'phone')) out.push({ column: -1, level: 'error', key: 'console.import.problem_no_phone' });
  const seen = new Map<string, number>();
  mapping.forEach((m, i) => {
    if (m.role !== 'variable') return;
    const first = seen.get(m.variable);
    if (first !== undefined) out.push({ column: i, level: 'error', key: 'console.import.problem_same_variable', params: { variable: m.variable, other: first + 1 } });
    else seen.set(m.variable, i);
  });
  const ids = mapping.map((m, i) => (m.role === 'externalId' ? i : -1)).filter((i) => i >= 0);
  for (const i of ids.slice(1)) out.push({ column: i, level: 'error', key: 'console.import.problem_two_ids' });
  for (const v of variables) {
    if (!seen.has(v.name)) out.push({ column: -1, level: 'warning', key: v.required ? 'console.import.problem_required_missing' : 'console.import.problem_missing', params: { variable: v.name } });
  }
  const declared = new Set(variables.map((v) => v.name));
  mapping.forEach((m, i) => {
    if (m.role === 'variable' && !declared.has(m.variable)) out.push({ column: i, level: 'warning', key: 'console.import.problem_unknown', params: { variable: m.variable } });
  });
  return out;
}

/** Whether the mapping can be sent (no errors). */
export const mappingOk = (problems: readonly MappingProblem[]): boolean => !problems.some((p) => p.level === 'error');

/** The request's `mapping` field: every column with its role, so the server reads the file as shown. */
export function toRequest(mapping: readonly Choice[]): { index: number; role: string; variable?: string }[] {
  return mapping.map((m, index) => (m.role === 'variable' ? { index, role: 'variable', variable: m.variable } : { index, role: m.role }));
}
