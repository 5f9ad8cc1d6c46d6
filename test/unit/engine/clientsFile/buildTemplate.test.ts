import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { readSheet } from 'read-excel-file/node';
import { DomainError } from '../../../../src/core/errors.js';
import { buildClientsTemplate, parseClientsFileAll } from '../../../../src/engine/clientsFile/index.js';

const variables = [
  { name: 'name', description: 'Как обращаться к клиенту' },
  { name: 'company' },
  { name: 'amount', description: '=HYPERLINK("x")' },
  { name: 'phone' }, // the phone column is already there
];
const names = ['name', 'company', 'amount'];

describe('buildClientsTemplate', () => {
  it('writes a Russian CSV: BOM, semicolons, CRLF, machine names, commented hints', async () => {
    const file = await buildClientsTemplate({ format: 'csv', variables, locale: 'ru' });
    expect(file.filename).toBe('clients-template.csv');
    expect(file.contentType).toBe('text/csv; charset=utf-8');
    expect([...file.body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = file.body.subarray(3).toString('utf8').split('\r\n');
    expect(lines[0]).toBe('телефон;name;company;amount');
    expect(lines[1]).toMatch(/^"# Номер телефона/);
    expect(lines[1]).toContain('Как обращаться к клиенту');
    expect(lines[1]).toContain(`"'=HYPERLINK(""x"")"`); // an admin's text never becomes a formula
    expect(lines[2]).toBe('# +7 912 345 67 89;Иван Петров;ООО «Ромашка»;1500');
    expect(lines[3]).toBe('');
  });

  it('no cell of the CSV can run as a formula, whatever an admin wrote in a description', async () => {
    const hostile = ['=1+2', "+cmd|' /C calc'!A0", '-2+3', '@SUM(1,2)', '\t=1', '\r=1'];
    const file = await buildClientsTemplate({ format: 'csv', locale: 'en', variables: hostile.map((d, i) => ({ name: `v${i}`, description: d })) });
    const rows = parse(file.body.subarray(3).toString('utf8'), { relax_column_count: true }) as string[][];
    // (Descriptions are trimmed first, so a leading tab or CR is gone before the check.)
    expect(rows[1]!.slice(1)).toEqual(hostile.map((d) => `'${d.trim()}`));
    for (const cell of rows.flat()) expect(cell, JSON.stringify(cell)).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('writes an English CSV with commas and an example number of the country', async () => {
    const file = await buildClientsTemplate({ format: 'csv', variables, locale: 'en', country: 'US' });
    const lines = file.body.subarray(3).toString('utf8').split('\r\n');
    expect(lines[0]).toBe('phone,name,company,amount');
    expect(lines[2]).toBe('# +1 201 555 0123,John Smith,Acme Inc.,1500');
  });

  it('writes an XLSX whose first sheet has the same rows', async () => {
    const file = await buildClientsTemplate({ format: 'xlsx', variables, locale: 'ru' });
    expect(file.filename).toBe('clients-template.xlsx');
    expect(file.contentType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const rows = await readSheet(file.body);
    expect(rows[0]).toEqual(['телефон', 'name', 'company', 'amount']);
    expect(String(rows[1]?.[0])).toMatch(/^# Номер телефона/);
    expect(rows[2]?.[0]).toBe('# +7 912 345 67 89');
  });

  it.each(['csv', 'xlsx'] as const)('round-trips: the %s template re-imports cleanly, filled or not', async (format) => {
    for (const locale of ['ru', 'en'] as const) {
      const file = await buildClientsTemplate({ format, variables, locale });
      const empty = await parseClientsFileAll(file.body, { country: 'RU', variables: names });
      expect(empty.meta.headerRow).toBe(true);
      expect(empty.meta.unknownColumns).toEqual([]);
      expect(empty.meta.missingVariables).toEqual([]);
      expect(empty.meta.columns.map((c) => c.variable ?? c.role)).toEqual(['phone', ...names]);
      // The example row is a comment: nobody gets called because it was left in the file.
      expect(empty.rows).toEqual([]);
      expect(empty.errors).toEqual([]);
      expect(empty.stats.skippedRows).toBe(2);
    }
    if (format === 'csv') {
      const file = await buildClientsTemplate({ format, variables, locale: 'ru' });
      const filled = Buffer.concat([file.body, Buffer.from('8 (495) 989-85-33;Иван;ООО;100\r\n')]);
      const r = await parseClientsFileAll(filled, { country: 'RU', variables: names });
      expect(r.rows).toEqual([
        { rowNumber: 4, phones: ['+74959898533'], variables: { name: 'Иван', company: 'ООО', amount: '100' } },
      ]);
    }
  });

  it('rejects bad input with a validation error', async () => {
    const err = await buildClientsTemplate({ format: 'pdf' as 'csv', variables: [], locale: 'ru' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('validation_failed');
  });
});
