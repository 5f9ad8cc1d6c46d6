import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { openClientsFile } from '../../../../src/engine/clientsFile/index.js';

const ROWS = 200_000;

/** A CSV generated while it is read, as an upload arrives: the whole file never exists in memory. */
function generatedCsv(rows: number): Readable {
  function* lines() {
    yield '\ufeffphone;name;company;amount\r\n';
    let chunk = '';
    for (let i = 1; i <= rows; i++) {
      let phone = `+7 9${String(i).padStart(9, '0').replace(/^(\d\d)(\d{3})(\d\d)(\d\d)$/, '$1 $2-$3-$4')}`;
      if (i % 1000 === 0) phone = '12345'; // invalid: a row error
      if (i % 500 === 250) phone = `+79${String(i - 1).padStart(9, '0')}`; // the previous row's number again
      chunk += `${phone};Клиент ${i};"ООО ""Компания ${i % 100}""";${i},50\r\n`;
      if (chunk.length > 60_000) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  }
  return Readable.from(lines(), { objectMode: false });
}

describe('streaming a large clients file', () => {
  it(`imports ${ROWS} rows batch by batch without collecting them`, async () => {
    const reader = await openClientsFile(generatedCsv(ROWS), { country: 'RU', variables: ['name', 'company', 'amount'] });
    expect(reader.meta).toMatchObject({ encoding: 'utf-8', delimiter: ';', headerRow: true, unknownColumns: [] });

    let batches = 0;
    let rows = 0;
    let errors = 0;
    let largest = 0;
    let lastRow = 0;
    let inOrder = true;
    let sample: unknown;
    for await (const batch of reader) {
      batches++;
      rows += batch.rows.length;
      errors += batch.errors.length;
      largest = Math.max(largest, batch.rows.length + batch.errors.length);
      for (const row of batch.rows) {
        // Rows come in file order and nothing is held back between batches.
        if (row.rowNumber <= lastRow) inOrder = false;
        lastRow = row.rowNumber;
      }
      if (batches === 1) sample = batch.rows[0];
    }

    expect(sample).toEqual({
      rowNumber: 2,
      phones: ['+79000000001'],
      variables: { name: 'Клиент 1', company: 'ООО "Компания 1"', amount: '1,50' },
    });
    const invalid = ROWS / 1000;
    const duplicates = ROWS / 500;
    expect(errors).toBe(invalid);
    expect(rows).toBe(ROWS - invalid - duplicates);
    expect(largest).toBeLessThanOrEqual(1000);
    expect(batches).toBe(ROWS / 1000);
    expect(reader.stats).toMatchObject({
      dataRows: ROWS,
      validRows: ROWS - invalid - duplicates,
      errorRows: invalid,
      duplicateRows: duplicates,
      duplicatePhones: duplicates,
    });
    expect(inOrder).toBe(true);
    expect(lastRow).toBe(ROWS); // row ROWS + 1 holds the invalid number of i = ROWS
    // 200,000 rows take seconds alone and much longer on a busy machine: the deadline only guards a hang.
  }, 180_000);
});
