import crypto from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../../../src/core/errors.js';
import { configureClientsFiles, parseClientsFileAll } from '../../../../src/engine/clientsFile/index.js';
import { CLIENTS_FILE_DEFAULTS } from '../../../../src/engine/clientsFile/options.js';
import { t } from '../../../../src/i18n.js';
import { clientsWorkbook, lyingWorkbook, workbook, zipBomb } from '../../../support/hostileFiles.js';

/**
 * Files built to hurt (issue 8 §1): each is refused with its own reason and the limit in the
 * message, in both languages, and the parse stops early instead of working through the damage.
 */
const RU = { country: 'RU' };

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DomainError);
  return e as DomainError;
}

afterEach(() => configureClientsFiles({ maxRows: CLIENTS_FILE_DEFAULTS.maxRows, maxUnzippedBytes: CLIENTS_FILE_DEFAULTS.maxUnzippedBytes, workerMemoryMb: 512 }));

describe('hostile workbooks', () => {
  it('a 50 KB workbook whose sheet inflates to 50 MB is a zip bomb: 413, the ratio in the message', async () => {
    const bomb = await zipBomb(50);
    expect(bomb.length).toBeLessThan(100 * 1024);
    const e = await refusal(parseClientsFileAll(bomb, RU));
    expect([e.code, e.key]).toEqual(['payload_too_large', 'clientsFile.errors.xlsx_zip_bomb']);
    expect(t('en', e.key, e.params)).toContain('100 times');
    expect(t('ru', e.key, e.params)).toContain('в 100 с лишним раз');
  });

  it('an honest workbook unpacking beyond the server limit is refused with the limit in MB', async () => {
    configureClientsFiles({ maxUnzippedBytes: 1024 * 1024 });
    const e = await refusal(parseClientsFileAll(await clientsWorkbook(20_000), RU));
    expect([e.code, e.key, e.params]).toEqual(['payload_too_large', 'clientsFile.errors.xlsx_unzips_too_large', { maxMb: 1 }]);
    expect(t('en', e.key, e.params)).toContain('1 MB');
  });

  it('a part that lies about its size (1 KB declared, 3 MB inside) is not trusted', async () => {
    const e = await refusal(parseClientsFileAll(await lyingWorkbook(3 * 1024 * 1024), RU));
    expect(e.key).toBe('clientsFile.errors.invalid_xlsx');
  });

  it('a cell longer than Excel allows (32,767 characters) is refused', async () => {
    const e = await refusal(parseClientsFileAll(await workbook({ sheet: `<row r="1"><c r="A1" t="inlineStr"><is><t>${'7'.repeat(40_000)}</t></is></c></row>` }), RU));
    expect([e.code, e.key, e.params]).toEqual(['payload_too_large', 'clientsFile.errors.cell_too_long', { max: 32767 }]);
  });

  it('a shared string longer than a cell can hold is refused too', async () => {
    const sst = `<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>${'x'.repeat(40_000)}</t></si></sst>`;
    const e = await refusal(parseClientsFileAll(await workbook({ sheet: '<row r="1"><c r="A1" t="s"><v>0</v></c></row>', sharedStrings: sst }), RU));
    expect(e.key).toBe('clientsFile.errors.cell_too_long');
  });

  it('rows and columns beyond Excel’s grid are not a spreadsheet', async () => {
    for (const sheet of ['<row r="1"><c r="A1"><v>79001234567</v></c></row><row r="99999999"><c r="A99999999"><v>1</v></c></row>', '<row r="1"><c r="ZZZZ1"><v>1</v></c></row>']) {
      const e = await refusal(parseClientsFileAll(await workbook({ sheet }), RU));
      expect(e.key).toBe('clientsFile.errors.invalid_xlsx');
    }
  });

  it('more rows than allowed: refused as soon as the limit is passed, with the limit in the message', async () => {
    configureClientsFiles({ maxRows: 1000 });
    for (const file of [await clientsWorkbook(1001), Buffer.from(`phone\n${Array.from({ length: 1001 }, (_, i) => `+7916${1_000_000 + i}`).join('\n')}\n`)]) {
      const e = await refusal(parseClientsFileAll(file, RU));
      expect([e.code, e.key, e.params]).toEqual(['payload_too_large', 'clientsFile.errors.too_many_rows', { max: 1000 }]);
    }
    // A caller cannot raise the server's limit.
    const e = await refusal(parseClientsFileAll(await clientsWorkbook(1001), { ...RU, maxRows: 5000 }));
    expect(e.params).toEqual({ max: 1000 });
    // Exactly at the limit is fine.
    expect((await parseClientsFileAll(await clientsWorkbook(1000), RU)).rows).toHaveLength(1000);
  });

  it('a file that needs more memory than a parsing worker has is refused (413); the next file is read as usual', async () => {
    configureClientsFiles({ workerMemoryMb: 64 });
    // 150,000 distinct shared strings of 400 characters: ~120 MB of strings once read.
    const si = Array.from({ length: 150_000 }, () => `<si><t>${crypto.randomBytes(200).toString('hex')}</t></si>`).join('');
    const sst = `<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${si}</sst>`;
    const e = await refusal(parseClientsFileAll(await workbook({ sheet: '<row r="1"><c r="A1" t="s"><v>0</v></c></row>', sharedStrings: sst }), RU));
    expect([e.code, e.key, e.params]).toEqual(['payload_too_large', 'clientsFile.errors.too_complex', { maxMb: 64 }]);
    expect((await parseClientsFileAll(await clientsWorkbook(3), RU)).rows).toHaveLength(3);
    // A heavy file by design (tens of MB to generate, pack and parse): the deadline only guards a hang.
  }, 180_000);
});

describe('workbooks written by other programs', () => {
  it('rows and cells without references are read in order; rows the file leaves out are blank rows', async () => {
    const r = await parseClientsFileAll(
      await workbook({
        sheet:
          '<row><c t="inlineStr"><is><t>phone</t></is></c><c t="inlineStr"><is><t>name</t></is></c></row>' +
          '<row><c><v>79001234567</v></c><c t="inlineStr"><is><r><t>Ан</t></r><r><t>на</t></r></is></c></row>' +
          '<row r="5"><c r="B5" t="inlineStr"><is><t>Борис</t></is></c><c r="A5"><v>79001234568</v></c></row>',
      }),
      { country: 'RU', variables: ['name'] },
    );
    expect(r.rows).toEqual([
      { rowNumber: 2, phones: ['+79001234567'], variables: { name: 'Анна' } },
      { rowNumber: 5, phones: ['+79001234568'], variables: { name: 'Борис' } },
    ]);
    expect(r.stats.skippedRows).toBe(2);
  });
});
