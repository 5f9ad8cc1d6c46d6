import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../../src/core/errors.js';
import {
  openClientsFile,
  parseClientsFile,
  parseClientsFileAll,
  rowIssueToFieldIssue,
  type ClientsFileOptions,
} from '../../../../src/engine/clientsFile/index.js';
import { chunkedStream } from './helpers.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/clientsFile');
const fixture = (name: string) => fs.readFileSync(path.join(fixtures, name));
const RU: ClientsFileOptions = { country: 'RU', variables: ['name', 'company', 'amount'] };

async function failure(p: Promise<unknown>): Promise<DomainError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DomainError);
  return e as DomainError;
}

describe('parseClientsFile: the seed\'s TXT format', () => {
  it('reads one number per line with blank lines between, in every spelling of the seed', async () => {
    const r = await parseClientsFileAll(fixture('voxlink-numbers.txt'), { ...RU, filename: 'numbers.txt' });
    expect(r.meta).toMatchObject({ format: 'txt', headerRow: false, delimiter: null, encoding: 'utf-8' });
    expect(r.rows).toEqual([
      { rowNumber: 1, phones: ['+74959898533'], variables: {} },
      { rowNumber: 3, phones: ['+78003337533'], variables: {} },
      { rowNumber: 6, phones: ['+79000000004'], variables: {} },
    ]);
    // "8 (495) 989-85-33" on row 5 is the number of row 1 again.
    expect(r.stats).toMatchObject({ dataRows: 4, validRows: 3, duplicateRows: 1, duplicatePhones: 1, skippedRows: 2 });
    expect(r.warnings).toEqual([{ rowNumber: 5, value: '+74959898533', reason: { key: 'clientsFile.rowWarnings.duplicate_phone', params: { value: '+74959898533' } } }]);
    expect(r.meta.missingVariables).toEqual(['name', 'company', 'amount']);
  });

  it('accepts an optional header line in a TXT file', async () => {
    const r = await parseClientsFileAll(Buffer.from('Телефон\n84959898533\n'), { ...RU, filename: 'n.txt' });
    expect(r.meta.headerRow).toBe(true);
    expect(r.rows.map((x) => x.phones)).toEqual([['+74959898533']]);
  });
});

describe('parseClientsFile: encodings and delimiters', () => {
  it('reads a Windows-1251 CSV saved by Russian Excel', async () => {
    const bytes = fixture('clients-cp1251.csv');
    expect(bytes.includes(Buffer.from([0xd2, 0xe5, 0xeb, 0xe5, 0xf4, 0xee, 0xed]))).toBe(true); // "Телефон" in cp1251
    const r = await parseClientsFileAll(bytes, RU);
    expect(r.meta).toMatchObject({ format: 'csv', encoding: 'windows-1251', delimiter: ';', headerRow: true });
    expect(r.meta.unknownColumns).toEqual(['Город']);
    expect(r.rows).toEqual([
      {
        rowNumber: 2,
        phones: ['+74959898533'],
        variables: { name: 'Иван Петров', company: 'ООО «Ромашка»', amount: '1500,50', Город: 'Москва' },
      },
      {
        rowNumber: 3,
        phones: ['+79000000004'],
        variables: { name: 'Ёлкина Мария', company: 'ИП Ёлкина', amount: '2 000', Город: 'Санкт-Петербург' },
      },
    ]);
    expect(r.errors).toEqual([{ rowNumber: 5, column: 'Телефон', value: 'нет номера', reason: { key: 'phone.not_a_number', params: { value: 'нет номера' } } }]);
    expect(r.stats).toMatchObject({ dataRows: 4, validRows: 2, errorRows: 1, duplicateRows: 1 });
  });

  it('reads UTF-8 with a BOM and a comma delimiter', async () => {
    const r = await parseClientsFileAll(Buffer.from('\ufeffphone,name\n+7 900 000-00-04,Мария\n', 'utf8'), RU);
    expect(r.meta).toMatchObject({ encoding: 'utf-8', delimiter: ',' });
    expect(r.rows).toEqual([{ rowNumber: 2, phones: ['+79000000004'], variables: { name: 'Мария' } }]);
  });

  it('reads a tab-separated UTF-16 file (Excel "Unicode text")', async () => {
    const text = '\ufeffТелефон\tИмя\r\n8 (495) 989-85-33\tИван\r\n';
    const r = await parseClientsFileAll(Buffer.from(text, 'utf16le'), RU);
    expect(r.meta).toMatchObject({ encoding: 'utf-16le', delimiter: '\t' });
    expect(r.rows).toEqual([{ rowNumber: 2, phones: ['+74959898533'], variables: { name: 'Иван' } }]);
  });

  it('reads quoted cells holding delimiters, quotes and line breaks', async () => {
    const csv = 'phone;name;company\n"8 (495) 989-85-33";"Петров; Иван";"ООО ""Ромашка""\nфилиал №2"\n79000000004;Анна;\n';
    const r = await parseClientsFileAll(Buffer.from(csv), RU);
    expect(r.rows).toEqual([
      { rowNumber: 2, phones: ['+74959898533'], variables: { name: 'Петров; Иван', company: 'ООО "Ромашка"\nфилиал №2' } },
      { rowNumber: 3, phones: ['+79000000004'], variables: { name: 'Анна' } },
    ]);
  });

  it('gives the same result whatever the stream\'s chunk size', async () => {
    const bytes = fixture('clients-cp1251.csv');
    const whole = await parseClientsFileAll(bytes, RU);
    for (const size of [1, 3, 17]) {
      expect(await parseClientsFileAll(chunkedStream(bytes, size), RU)).toEqual(whole);
    }
  });
});

describe('parseClientsFile: phones', () => {
  it('collects several phone columns and several numbers per cell, in order, without repeats', async () => {
    const csv = [
      'phone;phone2;Телефон 3;name',
      '8 (495) 989-85-33, +7 900 000-00-01;+7 900 000-00-02 +7 900 000-00-03;84959898533;Иван',
    ].join('\n');
    const r = await parseClientsFileAll(Buffer.from(csv), RU);
    expect(r.rows[0]?.phones).toEqual(['+74959898533', '+79000000001', '+79000000002', '+79000000003']);
    expect(r.stats.duplicatePhones).toBe(1);
    expect(r.warnings).toEqual([]);
  });

  it('keeps the valid numbers of a row and warns about the invalid ones', async () => {
    const r = await parseClientsFileAll(Buffer.from('phone;phone2\n79000000004, 12345;abc\n'), RU);
    expect(r.rows).toEqual([{ rowNumber: 2, phones: ['+79000000004'], variables: {} }]);
    expect(r.warnings).toEqual([
      { rowNumber: 2, column: 'phone', value: '12345', reason: { key: 'phone.too_short', params: { value: '12345' } } },
      { rowNumber: 2, column: 'phone2', value: 'abc', reason: { key: 'phone.not_a_number', params: { value: 'abc' } } },
    ]);
    expect(r.stats).toMatchObject({ validRows: 1, errorRows: 0, invalidPhonesInValidRows: 2 });
  });

  it('rejects rows without a valid number, with row number, value and reason, and keeps the rest', async () => {
    const csv = 'phone;name\n123;Короткий\n;Пустой\n79000000004;Хороший\n+7 900 000 00 04 5678 9;Длинный\n7,90012E+10;Excel\n';
    const r = await parseClientsFileAll(Buffer.from(csv), RU);
    expect(r.rows.map((x) => x.variables['name'])).toEqual(['Хороший']);
    expect(r.errors).toEqual([
      { rowNumber: 2, column: 'phone', value: '123', reason: { key: 'phone.too_short', params: { value: '123' } } },
      { rowNumber: 3, column: 'phone', value: '', reason: { key: 'clientsFile.rowErrors.no_phone' } },
      { rowNumber: 5, column: 'phone', value: '+7 900 000 00 04 5678 9', reason: { key: expect.stringMatching(/^phone\./), params: { value: '+7 900 000 00 04 5678 9' } } },
      { rowNumber: 6, column: 'phone', value: '7,90012E+10', reason: { key: 'clientsFile.rowErrors.phone_exponent', params: { value: '7,90012E+10' } } },
    ]);
    expect(r.stats).toMatchObject({ dataRows: 5, validRows: 1, errorRows: 4 });
  });

  it('normalises with the template\'s country', async () => {
    const r = await parseClientsFileAll(Buffer.from('phone\n(201) 555-0123\n'), { country: 'us', variables: [] });
    expect(r.rows[0]?.phones).toEqual(['+12015550123']);
  });

  it('collapses duplicates across rows, first occurrence wins, and keeps new numbers of a partly repeated row', async () => {
    const csv = 'phone;name\n79000000001;Первый\n8 (900) 000-00-01;Второй\n79000000001, 79000000002;Третий\n';
    const r = await parseClientsFileAll(Buffer.from(csv), RU);
    expect(r.rows).toEqual([
      { rowNumber: 2, phones: ['+79000000001'], variables: { name: 'Первый' } },
      { rowNumber: 4, phones: ['+79000000002'], variables: { name: 'Третий' } },
    ]);
    expect(r.stats).toMatchObject({ duplicateRows: 1, duplicatePhones: 2, phones: 2 });
    expect(r.warnings.map((w) => w.rowNumber)).toEqual([3, 4]);
  });

  it('keeps duplicates when asked to', async () => {
    const r = await parseClientsFileAll(Buffer.from('79000000001\n79000000001\n'), { ...RU, dedupe: false });
    expect(r.rows).toHaveLength(2);
  });

  it('reads the external id column', async () => {
    const r = await parseClientsFileAll(Buffer.from('id;phone\nlead-42;79000000001\n'), RU);
    expect(r.rows).toEqual([{ rowNumber: 2, phones: ['+79000000001'], variables: {}, externalId: 'lead-42' }]);
  });
});

describe('parseClientsFile: structure and limits', () => {
  it('skips "# " comment rows and blank rows but keeps their row numbers', async () => {
    const csv = 'phone;name\n# a note;x\n\n79000000001;Иван\n';
    const r = await parseClientsFileAll(Buffer.from(csv), RU);
    expect(r.rows).toEqual([{ rowNumber: 4, phones: ['+79000000001'], variables: { name: 'Иван' } }]);
    expect(r.stats.skippedRows).toBe(2);
  });

  it('rejects a row with more filled cells than the header has columns, ignoring trailing empty ones', async () => {
    const csv = 'phone,name\n79000000001,Petrov, Ivan\n79000000002,Anna,,,\n';
    const r = await parseClientsFileAll(Buffer.from(csv), RU);
    expect(r.rows.map((x) => x.rowNumber)).toEqual([3]);
    expect(r.errors).toEqual([
      { rowNumber: 2, value: 'Ivan', reason: { key: 'clientsFile.rowErrors.too_many_cells', params: { cells: 3, columns: 2 } } },
    ]);
  });

  it('stops at maxRows with a clear error', async () => {
    const csv = 'phone\n' + Array.from({ length: 11 }, (_, i) => `7900000${String(i).padStart(4, '0')}`).join('\n');
    const err = await failure(parseClientsFileAll(Buffer.from(csv), { ...RU, maxRows: 10 }));
    expect(err.key).toBe('clientsFile.errors.too_many_rows');
    expect(err.code).toBe('payload_too_large');
    expect(err.params).toEqual({ max: 10 });
    expect((await parseClientsFileAll(Buffer.from(csv), { ...RU, maxRows: 11 })).rows).toHaveLength(11);
  });

  it('refuses a header wider than maxColumns', async () => {
    const err = await failure(parseClientsFileAll(Buffer.from('phone;a;b;c\n79000000001;1;2;3\n'), { ...RU, maxColumns: 3 }));
    expect(err.key).toBe('clientsFile.errors.too_many_columns');
  });

  it.each([
    ['an empty file', Buffer.alloc(0), 'clientsFile.errors.empty_file'],
    ['only blank lines and a BOM', Buffer.from('\ufeff\r\n\r\n  \n', 'utf8'), 'clientsFile.errors.empty_file'],
    ['a PNG', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]), 'clientsFile.errors.unsupported_format'],
    ['binary garbage', Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 31 + 7) % 256)), 'clientsFile.errors.unsupported_format'],
    ['a zip that is not a workbook', Buffer.from('PK\x03\x04 this is not really a zip', 'latin1'), 'clientsFile.errors.invalid_xlsx'],
    ['a header without phones', Buffer.from('name;city\nИван;Москва\n'), 'clientsFile.errors.no_phone_column'],
  ])('turns %s into a DomainError with an i18n key', async (_what, bytes, key) => {
    expect((await failure(parseClientsFileAll(bytes, RU))).key).toBe(key);
  });

  it('validates its options at the boundary', async () => {
    const err = await failure(parseClientsFileAll(Buffer.from('79000000001'), { country: 'XX', variables: [] }));
    expect(err.code).toBe('validation_failed');
    expect(err.issues[0]).toMatchObject({ path: 'country', key: 'clientsFile.errors.invalid_option' });
  });
});

describe('openClientsFile / parseClientsFile', () => {
  it('gives no rows and no error for a header alone', async () => {
    const r = await parseClientsFileAll(Buffer.from('\ufeffphone;name\r\n'), RU);
    expect(r.meta.headerRow).toBe(true);
    expect(r.rows).toEqual([]);
    expect(r.stats.dataRows).toBe(0);
  });

  it('passes on the error of an upload that breaks off mid-file', async () => {
    async function* upload() {
      yield Buffer.from('phone\n' + '79000000001\n'.repeat(10_000));
      throw new Error('client disconnected');
    }
    await expect(parseClientsFileAll(upload(), RU)).rejects.toThrow('client disconnected');
  });

  it('turns row issues into FieldIssues for an all-or-nothing answer', async () => {
    const r = await parseClientsFileAll(Buffer.from('phone\n123\n'), RU);
    expect(r.errors.map(rowIssueToFieldIssue)).toEqual([
      { path: 'rows.2.phone', key: 'phone.too_short', params: { row: 2, value: '123' } },
    ]);
  });

  it('tells the columns before the first row and the totals after the last', async () => {
    const reader = await openClientsFile(Buffer.from('phone;name;Отдел\n79000000001;Иван;Продажи\n79000000002;Пётр;\n'), {
      ...RU,
      batchSize: 1,
    });
    expect(reader.meta.unknownColumns).toEqual(['Отдел']);
    expect(reader.meta.missingVariables).toEqual(['company', 'amount']);
    const sizes: number[] = [];
    for await (const batch of reader) sizes.push(batch.rows.length);
    expect(sizes).toEqual([1, 1]);
    expect(reader.stats).toMatchObject({ dataRows: 2, validRows: 2 });
  });

  it('is iterable once', async () => {
    const reader = await openClientsFile(Buffer.from('79000000001\n'), RU);
    for await (const _ of reader) void _;
    expect(() => reader[Symbol.asyncIterator]()).toThrow();
  });

  it('yields batches from the generator form and returns the stats', async () => {
    const gen = parseClientsFile(Buffer.from('79000000001\n79000000002\n79000000003\n'), { ...RU, batchSize: 2 });
    const batches = [];
    let next = await gen.next();
    while (!next.done) {
      batches.push(next.value);
      next = await gen.next();
    }
    expect(batches.map((b) => b.rows.length)).toEqual([2, 1]);
    expect(next.value.validRows).toBe(3);
  });

  it('releases a stream that is closed after looking at the columns only', async () => {
    const stream = chunkedStream(Buffer.from('phone\n' + '79000000001\n'.repeat(50_000)), 1024);
    const reader = await openClientsFile(stream, RU);
    expect(reader.meta.headerRow).toBe(true);
    await reader.close();
    expect(stream.destroyed).toBe(true);
  });
});
