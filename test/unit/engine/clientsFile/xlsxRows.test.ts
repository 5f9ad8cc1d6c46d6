import writeXlsxFile from 'write-excel-file/node';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../../src/core/errors.js';
import { parseClientsFileAll } from '../../../../src/engine/clientsFile/index.js';
import { cellText } from '../../../../src/engine/clientsFile/xlsxRows.js';
import { chunkedStream, handmadeXlsx } from './helpers.js';

const RU = { country: 'RU', variables: ['name', 'amount', 'visit'] };

describe('XLSX import', () => {
  it('reads numeric phone cells exactly, dates and booleans as text, from the first sheet', async () => {
    const body = await writeXlsxFile(
      [
        { sheet: 'Клиенты', data: [
          ['Телефон', 'Имя', 'Сумма', 'Визит', 'VIP'],
          [79001234567, 'Иван', 1500.5, new Date(Date.UTC(2024, 0, 15)), true],
          [{ value: 84959898533, type: Number }, 'Пётр', 0, new Date(Date.UTC(2024, 0, 15, 13, 30)), false],
          ['+380 50 123 4567', 'Тарас', null, null, null],
        ], dateFormat: 'dd.mm.yyyy' },
        { sheet: 'Другой', data: [['phone'], [79990000000]] },
      ],
    ).toBuffer();
    const r = await parseClientsFileAll(body, { ...RU, filename: 'clients.xlsx' });
    expect(r.meta).toMatchObject({ format: 'xlsx', headerRow: true, unknownColumns: ['Визит', 'VIP'] });
    expect(r.meta.encoding).toBeUndefined();
    expect(r.rows).toEqual([
      { rowNumber: 2, phones: ['+79001234567'], variables: { name: 'Иван', amount: '1500.5', Визит: '2024-01-15', VIP: 'true' } },
      { rowNumber: 3, phones: ['+74959898533'], variables: { name: 'Пётр', amount: '0', Визит: '2024-01-15 13:30', VIP: 'false' } },
      { rowNumber: 4, phones: ['+380501234567'], variables: { name: 'Тарас' } },
    ]);
  });

  it('is recognised by content even when named .csv and sent as a stream', async () => {
    const body = await writeXlsxFile([['phone'], [79001234567]]).toBuffer();
    const r = await parseClientsFileAll(chunkedStream(body, 100), { ...RU, filename: 'clients.csv', contentType: 'text/csv' });
    expect(r.meta.format).toBe('xlsx');
    expect(r.rows[0]?.phones).toEqual(['+79001234567']);
  });

  it('reads numbers stored in exponent form and reports the ones Excel rounded', async () => {
    const body = handmadeXlsx(
      '<row r="1"><c r="A1" t="inlineStr"><is><t>phone</t></is></c></row>' +
        '<row r="2"><c r="A2"><v>7.9001234567E10</v></c></row>' +
        '<row r="3"><c r="A3"><v>7.90012E+10</v></c></row>' +
        '<row r="5"><c r="A5"><v>79001234568</v></c></row>',
    );
    const r = await parseClientsFileAll(body, RU);
    expect(r.rows).toEqual([
      { rowNumber: 2, phones: ['+79001234567'], variables: {} },
      { rowNumber: 5, phones: ['+79001234568'], variables: {} },
    ]);
    expect(r.errors).toEqual([
      { rowNumber: 3, column: 'phone', value: '7.90012E+10', reason: { key: 'clientsFile.rowErrors.phone_exponent', params: { value: '7.90012E+10' } } },
    ]);
    expect(r.stats.skippedRows).toBe(1); // the empty row 4
  });

  it('explains a workbook without sheets and an empty sheet', async () => {
    const noSheets = await parseClientsFileAll(handmadeXlsx(null), RU).catch((e: unknown) => e);
    expect(noSheets).toBeInstanceOf(DomainError);
    expect((noSheets as DomainError).key).toBe('clientsFile.errors.no_sheets');
    const empty = await parseClientsFileAll(await writeXlsxFile([]).toBuffer(), RU).catch((e: unknown) => e);
    expect((empty as DomainError).key).toBe('clientsFile.errors.empty_file');
  });

  it('refuses a workbook above the size limit before parsing it', async () => {
    const body = await writeXlsxFile([['phone'], [79001234567]]).toBuffer();
    const err = await parseClientsFileAll(body, { ...RU, maxXlsxBytes: 100 }).catch((e: unknown) => e);
    expect((err as DomainError).key).toBe('clientsFile.errors.xlsx_too_large');
  });

  it('turns cells into text', () => {
    expect(cellText(null)).toBe('');
    expect(cellText(new Date(Date.UTC(2024, 1, 29, 8, 5, 9)))).toBe('2024-02-29 08:05:09');
    expect(cellText(false)).toBe('false');
  });
});
