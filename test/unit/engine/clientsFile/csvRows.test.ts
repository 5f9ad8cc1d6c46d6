import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../../src/core/errors.js';
import { csvRecords, sniffDelimiter, type RawRecord } from '../../../../src/engine/clientsFile/csvRows.js';
import type { Delimiter } from '../../../../src/engine/clientsFile/types.js';

async function records(text: string | string[], delimiter: Delimiter): Promise<RawRecord[]> {
  async function* source() {
    yield* Array.isArray(text) ? text : [text];
  }
  const out: RawRecord[] = [];
  for await (const r of csvRecords(source(), delimiter)) out.push(r);
  return out;
}

describe('sniffDelimiter', () => {
  it('finds ; , and tab from the header and the rows', () => {
    expect(sniffDelimiter('phone;name\n79000000001;Ivan\n')).toBe(';');
    expect(sniffDelimiter('phone,name\n79000000001,Ivan\n')).toBe(',');
    expect(sniffDelimiter('phone\tname\n79000000001\tIvan\n')).toBe('\t');
  });

  it('says null for one number per line', () => {
    expect(sniffDelimiter('84959898533\n\n88003337533\n')).toBeNull();
  });

  it('prefers ; when Russian decimal commas give , the same count', () => {
    expect(sniffDelimiter('phone;amount\n79000000001;1500,50\n79000000002;20,00\n')).toBe(';');
  });

  it('ignores delimiters inside quotes, also across lines', () => {
    expect(sniffDelimiter('phone,name\n79000000001,"Petrov; Ivan"\n79000000002,"a\nb; c; d"\n')).toBe(',');
  });

  it('picks the header\'s delimiter when rows disagree', () => {
    expect(sniffDelimiter('phone;name;city\n7900;Ivan, Petrov;Moscow\n7901;Anna;Kazan\n')).toBe(';');
  });
});

describe('csvRecords', () => {
  it('numbers rows like a spreadsheet: blank lines count, a multi-line cell is one row', async () => {
    const out = await records('a;b\r\n\r\n"x\ny";"1;2"\n"q ""w""";e\n', ';');
    expect(out).toEqual([
      { rowNumber: 1, cells: ['a', 'b'] },
      { rowNumber: 2, cells: [''] },
      { rowNumber: 3, cells: ['x\ny', '1;2'] },
      { rowNumber: 4, cells: ['q "w"', 'e'] },
    ]);
  });

  it('reads mixed line ends and rows of different length', async () => {
    const out = await records('a,b,c\rd\r\ne,f\n', ',');
    expect(out.map((r) => r.cells)).toEqual([['a', 'b', 'c'], ['d'], ['e', 'f']]);
  });

  it('keeps stray quotes inside unquoted cells', async () => {
    expect((await records('ООО "Ромашка";1\n', ';'))[0]?.cells).toEqual(['ООО "Ромашка"', '1']);
  });

  it('handles records split across chunks', async () => {
    const out = await records(['ph', 'one;na', 'me\n"a', '\nb";c', '\n'], ';');
    expect(out.map((r) => r.cells)).toEqual([['phone', 'name'], ['a\nb', 'c']]);
  });

  it('without a delimiter gives one cell per line', async () => {
    const out = await records('84959898533\n8 (495) 989-85-33, 88003337533\n', null);
    expect(out.map((r) => r.cells)).toEqual([['84959898533'], ['8 (495) 989-85-33, 88003337533']]);
  });

  it('names the row of a quote that is never closed', async () => {
    const err = await records('a;b\nc;d\n"open;x\ny;z\n', ';').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).key).toBe('clientsFile.errors.unclosed_quote');
    expect((err as DomainError).params).toEqual({ row: 3 });
  });

  it('stops a runaway quote at the record size limit', async () => {
    const err = await records(['a;b\n"', 'x'.repeat(200_000), '\n'], ';').catch((e: unknown) => e);
    expect((err as DomainError).key).toBe('clientsFile.errors.record_too_large');
    expect((err as DomainError).params).toEqual({ row: 2 });
  });
});
