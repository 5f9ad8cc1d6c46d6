/**
 * A minimal FLAC encoder for the Voximplant emulator's recordings (Voximplant records
 * `lossless: true` as FLAC). Every subframe is VERBATIM: no compression, but a stream any FLAC
 * decoder must accept — STREAMINFO, frames with their CRC-8 headers and CRC-16 footers — so Dozvon's
 * real decoder (libFLAC in WebAssembly) is exercised on it. Test code: the product only decodes.
 */
const BLOCK = 4096;
/** Frame-header sample-rate codes (the header names the rate itself; parsers that find frames need it). */
const RATE_CODE: Record<number, number> = { 8000: 0x4, 16000: 0x5, 22050: 0x6, 24000: 0x7, 32000: 0x8, 44100: 0x9, 48000: 0xa, 96000: 0xb };

function crc8(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x8005) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** FLAC's UTF-8-like coding of the frame number. */
function codedNumber(n: number): number[] {
  if (n < 0x80) return [n];
  if (n < 0x800) return [0xc0 | (n >> 6), 0x80 | (n & 0x3f)];
  if (n < 0x10000) return [0xe0 | (n >> 12), 0x80 | ((n >> 6) & 0x3f), 0x80 | (n & 0x3f)];
  return [0xf0 | (n >> 18), 0x80 | ((n >> 12) & 0x3f), 0x80 | ((n >> 6) & 0x3f), 0x80 | (n & 0x3f)];
}

export function encodeFlac(channels: Int16Array[], sampleRate: number): Buffer {
  const nch = channels.length;
  const total = channels[0]?.length ?? 0;
  const parts: Buffer[] = [Buffer.from('fLaC', 'ascii')];
  const info = Buffer.alloc(4 + 34);
  info[0] = 0x80; // last metadata block, type 0 (STREAMINFO)
  info.writeUIntBE(34, 1, 3);
  info.writeUInt16BE(Math.min(BLOCK, Math.max(16, total)), 4);
  info.writeUInt16BE(BLOCK, 6);
  // min/max frame size unknown (0); then 20 bits rate, 3 bits channels-1, 5 bits bps-1, 36 bits total samples.
  const packed = (BigInt(sampleRate) << 44n) | (BigInt(nch - 1) << 41n) | (15n << 36n) | BigInt(total);
  info.writeBigUInt64BE(packed, 14);
  parts.push(info); // the MD5 (16 bytes) stays zero: "not computed"
  for (let start = 0, frame = 0; start < total; start += BLOCK, frame++) {
    const size = Math.min(BLOCK, total - start);
    const header = Buffer.from([0xff, 0xf8, 0x70 | (RATE_CODE[sampleRate] ?? 0), ((nch - 1) << 4) | 0x08, ...codedNumber(frame), (size - 1) >> 8, (size - 1) & 0xff]);
    const body = Buffer.alloc(nch * (1 + size * 2));
    let o = 0;
    for (let c = 0; c < nch; c++) {
      body[o++] = 0x02; // subframe: VERBATIM, no wasted bits
      const ch = channels[c]!;
      for (let i = 0; i < size; i++, o += 2) body.writeInt16BE(ch[start + i] ?? 0, o);
    }
    const frameBytes = Buffer.concat([header, Buffer.from([crc8(header)]), body]);
    const footer = Buffer.alloc(2);
    footer.writeUInt16BE(crc16(frameBytes), 0);
    parts.push(frameBytes, footer);
  }
  return Buffer.concat(parts);
}
