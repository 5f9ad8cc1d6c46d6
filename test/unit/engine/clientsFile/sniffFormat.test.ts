import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../../src/core/errors.js';
import { sniffFormat } from '../../../../src/engine/clientsFile/sniffFormat.js';

const fails = (head: Buffer, key: string) => {
  try {
    sniffFormat(head);
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    expect((e as DomainError).key).toBe(key);
    return e as DomainError;
  }
  throw new Error('expected a DomainError');
};

describe('sniffFormat', () => {
  it('takes any zip for an XLSX whatever the name says', () => {
    expect(sniffFormat(Buffer.from('PK\x03\x04rest', 'latin1'), { filename: 'list.csv' })).toEqual({ kind: 'xlsx' });
  });

  it('reads text as CSV unless the name or type says TXT', () => {
    const text = Buffer.from('84959898533\n');
    expect(sniffFormat(text)).toEqual({ kind: 'text', format: 'csv' });
    expect(sniffFormat(text, { filename: 'NUMBERS.TXT' })).toEqual({ kind: 'text', format: 'txt' });
    expect(sniffFormat(text, { contentType: 'text/plain; charset=utf-8' })).toEqual({ kind: 'text', format: 'txt' });
    expect(sniffFormat(text, { filename: 'a.csv', contentType: 'text/plain' })).toEqual({ kind: 'text', format: 'csv' });
  });

  it('accepts cp1251 and UTF-16 text', () => {
    expect(sniffFormat(Buffer.from([0xd2, 0xe5, 0xeb, 0xe5, 0xf4, 0xee, 0xed, 0x0d, 0x0a])).kind).toBe('text');
    expect(sniffFormat(Buffer.from('\ufeffphone\n', 'utf16le')).kind).toBe('text');
  });

  it('refuses an empty file', () => {
    fails(Buffer.alloc(0), 'clientsFile.errors.empty_file');
  });

  it('names images, PDFs and archives instead of parsing them', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    expect(fails(png, 'clientsFile.errors.unsupported_format').params).toEqual({ detected: 'png' });
    expect(fails(Buffer.from('%PDF-1.7\n'), 'clientsFile.errors.unsupported_format').params).toEqual({ detected: 'pdf' });
    expect(fails(Buffer.from([0x1f, 0x8b, 8, 0]), 'clientsFile.errors.unsupported_format').code).toBe('unsupported_media_type');
  });

  it('tells the old binary .xls apart with advice to re-save', () => {
    fails(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), 'clientsFile.errors.xls_not_supported');
  });

  it('a stray NUL in a cell does not make a text file binary; text full of NULs is binary', () => {
    expect(sniffFormat(Buffer.from('phone,name\r\n+79001112233,An\u0000na\r\n'), { filename: 'a.csv' })).toEqual({ kind: 'text', format: 'csv' });
    expect(fails(Buffer.from('phone,name\r\n+79001112233,Anna\r\n', 'utf16le'), 'clientsFile.errors.unsupported_format').params).toEqual({ detected: 'binary' });
  });

  it('refuses random bytes and HTML disguised as a spreadsheet', () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
    expect(fails(garbage, 'clientsFile.errors.unsupported_format').params).toEqual({ detected: 'binary' });
    fails(Buffer.from('\ufeff  <html><table><tr><td>1</td></tr></table></html>'), 'clientsFile.errors.unsupported_format');
  });
});
