import { describe, expect, it } from 'vitest';
import type { ColumnInfo } from '../../console/src/api/types';
import { choiceOf, choiceValue, initialMapping, mappingOk, mappingProblems, optionsFor, toRequest } from '../../console/src/views/campaigns/importMapping';

/** The rules of the import preview's column mapping, before anything is sent to the server. */
const columns: ColumnInfo[] = [
  { index: 0, header: 'Телефон', role: 'phone', known: true },
  { index: 1, header: 'Клиент', role: 'variable', variable: 'Клиент', known: false },
  { index: 2, header: 'ID', role: 'externalId', known: true },
  { index: 3, header: '', role: 'ignored', known: false },
];
const variables = [
  { name: 'name', required: false },
  { name: 'product', required: true },
];

describe('import mapping', () => {
  it('starts from what the server detected', () => {
    expect(initialMapping(columns)).toEqual([{ role: 'phone' }, { role: 'variable', variable: 'Клиент' }, { role: 'externalId' }, { role: 'ignored' }]);
  });

  it('offers the phone, every scenario variable, the column kept under its own name, the external id and ignore', () => {
    expect(optionsFor(columns[1]!, ['name', 'product']).map((o) => o.value)).toEqual(['phone', 'var:name', 'var:product', 'var:Клиент', 'externalId', 'ignored']);
    // A column named like a variable is not offered twice; a nameless one is kept as columnN.
    expect(optionsFor({ index: 1, header: 'name', role: 'variable', known: true }, ['name']).filter((o) => o.value === 'var:name')).toHaveLength(1);
    expect(optionsFor(columns[3]!, []).find((o) => o.kind === 'own')?.variable).toBe('column4');
  });

  it('select values round-trip to choices', () => {
    for (const c of initialMapping(columns)) expect(choiceOf(choiceValue(c))).toEqual(c);
    expect(choiceOf('var:city name')).toEqual({ role: 'variable', variable: 'city name' });
    expect(choiceOf('something else')).toEqual({ role: 'ignored' });
  });

  it('refuses a mapping without a phone column, with two columns into one variable, or two external ids', () => {
    const noPhone = mappingProblems([{ role: 'ignored' }, { role: 'variable', variable: 'name' }], variables);
    expect(noPhone).toContainEqual({ column: -1, level: 'error', key: 'console.import.problem_no_phone' });
    expect(mappingOk(noPhone)).toBe(false);

    const twice = mappingProblems([{ role: 'phone' }, { role: 'variable', variable: 'name' }, { role: 'variable', variable: 'name' }], variables);
    expect(twice).toContainEqual({ column: 2, level: 'error', key: 'console.import.problem_same_variable', params: { variable: 'name', other: 2 } });
    expect(mappingOk(twice)).toBe(false);

    const ids = mappingProblems([{ role: 'phone' }, { role: 'externalId' }, { role: 'externalId' }], variables);
    expect(ids).toContainEqual({ column: 2, level: 'error', key: 'console.import.problem_two_ids' });
  });

  it('warns about variables no column gives and columns the scenario does not use, but lets the import go', () => {
    const p = mappingProblems([{ role: 'phone' }, { role: 'variable', variable: 'Клиент' }], variables);
    expect(p).toContainEqual({ column: -1, level: 'warning', key: 'console.import.problem_missing', params: { variable: 'name' } });
    expect(p).toContainEqual({ column: -1, level: 'warning', key: 'console.import.problem_required_missing', params: { variable: 'product' } });
    expect(p).toContainEqual({ column: 1, level: 'warning', key: 'console.import.problem_unknown', params: { variable: 'Клиент' } });
    expect(mappingOk(p)).toBe(true);
  });

  it('sends every column with its role, by position', () => {
    expect(toRequest([{ role: 'phone' }, { role: 'variable', variable: 'name' }, { role: 'ignored' }])).toEqual([
      { index: 0, role: 'phone' },
      { index: 1, role: 'variable', variable: 'name' },
      { index: 2, role: 'ignored' },
    ]);
  });
});
