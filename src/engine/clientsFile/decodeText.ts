import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import type { TextEncoding } from './types.js';

// Bytes after the first non-ASCII byte to judge by: a few Cyrillic words are plenty, since
// cp1251 letters (0xC0–0xFF) followed by more letters are never valid UTF-8 sequences.
const JUDGE_BYTES = 4096;
const MIN_JUDGE_BYTES = 1024;

const ICONV_NAME: Record<TextEncoding, string> = {
  'utf-8': 'utf8',
  'windows-1251': 'win1251',
  'utf-16le': 'utf16le',
  'utf-16be': 'utf16be',
};

function bomEncoding(b: Buffer): TextEncoding | undefined {
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return 'utf-8';
  if (b[0] === 0xff && b[1] === 0xfe) return 'utf-16le';
  if (b[0] === 0xfe && b[1] === 0xff) return 'utf-16be';
  return undefined;
}

/**
 * Which encoding bytes without a BOM are in, judged from the first non-ASCII byte on: valid
 * UTF-8 is UTF-8, anything else is Windows-1251 (what Russian Excel and 1C save). `complete`
 * says the bytes end where the file ends, so a multi-byte character cut at the end is an error.
 */
export function detectEncoding(bytes: Buffer, complete = true): TextEncoding {
  const bom = bomEncoding(bytes);
  if (bom) return bom;
  let first = 0;
  while (first < bytes.length && (bytes[first] as number) < 0x80) first++;
  if (first === bytes.length) return 'utf-8';
  const window = bytes.subarray(first, first + JUDGE_BYTES);
  if (isUtf8(window)) return 'utf-8';
  const cut = !complete || first + JUDGE_BYTES < bytes.length;
  if (cut) {
    // The window may end inside a character: accept if dropping up to 3 trailing bytes helps.
    for (let drop = 1; drop <= 3 && drop < window.length; drop++) {
      if (isUtf8(window.subarray(0, window.length - drop))) return 'utf-8';
    }
  }
  return 'windows-1251';
}

/**
 * Decodes a byte stream into text chunks. ASCII passes through before any decision, so the
 * encoding is decided at the first non-ASCII byte wherever it is in the file, not from a fixed
 * head that might hold only digits. `onEncoding` is told the decision (`utf-8` for pure ASCII).
 */
export async function* decodeText(
  source: AsyncIterable<Buffer>,
  onEncoding: (encoding: TextEncoding) => void = () => {},
): AsyncGenerator<string> {
  let decoder: iconv.DecoderStream | undefined;
  let pending: Buffer = Buffer.alloc(0);
  let atStart = true;

  const decide = (encoding: TextEncoding): iconv.DecoderStream => {
    onEncoding(encoding);
    // iconv strips a BOM for the Unicode encodings; a BOM-less file has none to strip.
    return iconv.getDecoder(ICONV_NAME[encoding]);
  };

  for await (const chunk of source) {
    if (decoder) {
      const text = decoder.write(chunk);
      if (text) yield text;
      continue;
    }
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    if (atStart) {
      if (pending.length < 3) continue;
      atStart = false;
      const bom = bomEncoding(pending);
      if (bom) {
        decoder = decide(bom);
        const text = decoder.write(pending);
        pending = Buffer.alloc(0);
        if (text) yield text;
        continue;
      }
    }
    let first = 0;
    while (first < pending.length && (pending[first] as number) < 0x80) first++;
    if (first > 0) {
      yield pending.toString('latin1', 0, first);
      pending = pending.subarray(first);
    }
    if (pending.length < MIN_JUDGE_BYTES) continue;
    decoder = decide(detectEncoding(pending, false));
    const text = decoder.write(pending);
    pending = Buffer.alloc(0);
    if (text) yield text;
  }

  const d = decoder ?? decide(detectEncoding(pending, true));
  const text = (pending.length ? d.write(pending) : '') + (d.end() ?? '');
  if (text) yield text;
}
