/** What a rejected upload most likely is, so the message can say "this is an MP3, not a WAV". */
export type SniffedFileType =
  | 'mp3'
  | 'ogg'
  | 'flac'
  | 'mp4'
  | 'webm'
  | 'aiff'
  | 'png'
  | 'jpeg'
  | 'gif'
  | 'pdf'
  | 'zip'
  | 'text';

function startsWith(buf: Uint8Array, bytes: readonly number[], at = 0): boolean {
  if (buf.length < at + bytes.length) return false;
  return bytes.every((b, i) => buf[at + i] === b);
}

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

/** Guesses a common file type from its first bytes; undefined when nothing matches. */
export function sniffFileType(buf: Uint8Array): SniffedFileType | undefined {
  if (startsWith(buf, ascii('ID3'))) return 'mp3';
  // MPEG audio frame sync: 11 set bits.
  if (buf.length >= 2 && buf[0] === 0xff && ((buf[1] ?? 0) & 0xe0) === 0xe0) return 'mp3';
  if (startsWith(buf, ascii('OggS'))) return 'ogg';
  if (startsWith(buf, ascii('fLaC'))) return 'flac';
  if (startsWith(buf, ascii('ftyp'), 4)) return 'mp4';
  if (startsWith(buf, [0x1a, 0x45, 0xdf, 0xa3])) return 'webm';
  if (startsWith(buf, ascii('FORM')) && startsWith(buf, ascii('AIF'), 8)) return 'aiff';
  if (startsWith(buf, [0x89, 0x50, 0x4e, 0x47])) return 'png';
  if (startsWith(buf, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(buf, ascii('GIF8'))) return 'gif';
  if (startsWith(buf, ascii('%PDF'))) return 'pdf';
  if (startsWith(buf, [0x50, 0x4b, 0x03, 0x04])) return 'zip';
  if (looksLikeText(buf)) return 'text';
  return undefined;
}

function looksLikeText(buf: Uint8Array): boolean {
  const n = Math.min(buf.length, 512);
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const b = buf[i] ?? 0;
    // Control bytes other than tab/newline/carriage return mean binary; bytes ≥ 0x80 may be UTF-8.
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return false;
    if (b === 0x7f) return false;
  }
  return true;
}
