import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeText, detectEncoding } from '../../../../src/engine/clientsFile/decodeText.js';
import type { TextEncoding } from '../../../../src/engine/clientsFile/types.js';

async function decodeAll(bytes: Buffer, chunk: number): Promise<{ text: string; encoding: TextEncoding | undefined }> {
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
  }
  let encoding: TextEncoding | undefined;
  let text = '';
  for await (const part of decodeText(chunks(), (e) => (encoding = e))) text += part;
  return { text, encoding };
}

const russian = 'Телефон;Имя\r\n8 (495) 989-85-33;Ёлкина Мария «Ромашка» №5\r\n';

describe('detectEncoding', () => {
  it('takes valid UTF-8 for UTF-8 and anything else for Windows-1251', () => {
    expect(detectEncoding(Buffer.from(russian, 'utf8'))).toBe('utf-8');
    expect(detectEncoding(iconv.encode(russian, 'win1251'))).toBe('windows-1251');
    expect(detectEncoding(Buffer.from('84959898533\n'))).toBe('utf-8');
  });

  it('believes a BOM', () => {
    expect(detectEncoding(Buffer.from('\ufeffa', 'utf8'))).toBe('utf-8');
    expect(detectEncoding(Buffer.from('\ufeffa', 'utf16le'))).toBe('utf-16le');
    expect(detectEncoding(Buffer.from([0xfe, 0xff, 0, 0x61]))).toBe('utf-16be');
  });

  it('does not mistake a UTF-8 character cut at the end of a window for cp1251', () => {
    const bytes = Buffer.from('Иван'.repeat(2000), 'utf8').subarray(0, 5001);
    expect(detectEncoding(bytes, false)).toBe('utf-8');
  });
});

describe('decodeText', () => {
  it.each([1, 2, 3, 7, 4096])('decodes Windows-1251 Cyrillic fed in %i-byte chunks', async (chunk) => {
    const { text, encoding } = await decodeAll(iconv.encode(russian, 'win1251'), chunk);
    expect(encoding).toBe('windows-1251');
    expect(text).toBe(russian);
  });

  it.each([1, 2, 5, 4096])('decodes UTF-8 with a BOM in %i-byte chunks and drops the BOM', async (chunk) => {
    const { text, encoding } = await decodeAll(Buffer.from('\ufeff' + russian, 'utf8'), chunk);
    expect(encoding).toBe('utf-8');
    expect(text).toBe(russian);
  });

  it('decodes UTF-8 without a BOM', async () => {
    expect((await decodeAll(Buffer.from(russian, 'utf8'), 10)).text).toBe(russian);
  });

  it('decodes UTF-16 LE with a BOM (Excel "Unicode text")', async () => {
    const { text, encoding } = await decodeAll(Buffer.from('\ufeff' + russian.replace(/;/g, '\t'), 'utf16le'), 3);
    expect(encoding).toBe('utf-16le');
    expect(text).toBe(russian.replace(/;/g, '\t'));
  });

  it('decides at the first non-ASCII byte even far into the file', async () => {
    const head = '79000000001;\r\n'.repeat(20_000); // 280 KB of digits before any letter
    const bytes = Buffer.concat([Buffer.from(head), iconv.encode('79000000002;Пётр Иванов\r\n', 'win1251')]);
    const { text, encoding } = await decodeAll(bytes, 65536);
    expect(encoding).toBe('windows-1251');
    expect(text.endsWith('79000000002;Пётр Иванов\r\n')).toBe(true);
    expect(text.length).toBe(head.length + '79000000002;Пётр Иванов\r\n'.length);
  });

  it('reports UTF-8 for pure ASCII and for a tiny file', async () => {
    expect((await decodeAll(Buffer.from('1'), 1)).encoding).toBe('utf-8');
    expect((await decodeAll(Buffer.from('Ё', 'utf8'), 1)).text).toBe('Ё');
  });
});
