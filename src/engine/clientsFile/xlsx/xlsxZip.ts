import { StringDecoder } from 'node:string_decoder';
import yauzl from 'yauzl';
import { fileErrors } from '../fileErrors.js';

/**
 * The zip inside an XLSX, read with yauzl and never trusted: sizes are counted while inflating
 * (a declared size is only a first, cheap check), every part read counts against one budget of
 * unzipped bytes, and a part that inflates to more than MAX_RATIO times its packed size is a zip
 * bomb, refused the moment it crosses the line — a 54 KB file once unpacked to a 50 MB sheet.
 */
export interface XlsxZipLimits {
  /** Unzipped bytes of all the parts read together. */
  maxUnzippedBytes: number;
}

/** A workbook's XML packs 5–20×; far beyond that is a bomb (checked once a part passes 1 MiB). */
export const MAX_RATIO = 100;
const RATIO_CHECKED_FROM = 1024 * 1024;
// A workbook has dozens of parts; a zip with more is not one we read.
const MAX_ENTRIES = 10_000;

export class XlsxZip {
  private used = 0;

  private constructor(
    private readonly zip: yauzl.ZipFile,
    private readonly entries: Map<string, yauzl.Entry>,
    private readonly limits: XlsxZipLimits,
  ) {}

  static async open(data: Buffer, limits: XlsxZipLimits): Promise<XlsxZip> {
    const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.fromBuffer(data, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false, decodeStrings: true }, (err, z) => (err ? reject(fileErrors.invalidXlsx()) : resolve(z))),
    );
    const entries = new Map<string, yauzl.Entry>();
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entries.size >= MAX_ENTRIES) {
          zip.close();
          return reject(fileErrors.invalidXlsx());
        }
        // Part names in a package are case-insensitive (OPC); a leading slash is the same part.
        entries.set(partName(entry.fileName), entry);
        zip.readEntry();
      });
      zip.on('end', () => resolve());
      zip.on('error', () => reject(fileErrors.invalidXlsx()));
      zip.readEntry();
    });
    return new XlsxZip(zip, entries, limits);
  }

  has(name: string): boolean {
    return this.entries.has(partName(name));
  }

  /** A whole part as text (small parts: workbook, relationships, styles, shared strings). */
  async text(name: string): Promise<string | undefined> {
    if (!this.has(name)) return undefined;
    const parts: string[] = [];
    for await (const chunk of this.chunks(name)) parts.push(chunk);
    return parts.join('');
  }

  /** A part as UTF-8 text chunks, counted against the limits while it inflates. */
  async *chunks(name: string): AsyncGenerator<string> {
    const entry = this.entries.get(partName(name));
    if (!entry) return;
    const budget = this.limits.maxUnzippedBytes - this.used;
    if (entry.uncompressedSize > budget) throw fileErrors.xlsxUnzipsTooLarge(this.limits.maxUnzippedBytes);
    const stream = await new Promise<NodeJS.ReadableStream & { destroy(): void }>((resolve, reject) =>
      this.zip.openReadStream(entry, (err, s) => (err ? reject(fileErrors.invalidXlsx()) : resolve(s as NodeJS.ReadableStream & { destroy(): void }))),
    );
    const decoder = new StringDecoder('utf8');
    let inflated = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        inflated += chunk.length;
        this.used += chunk.length;
        if (this.used > this.limits.maxUnzippedBytes) throw fileErrors.xlsxUnzipsTooLarge(this.limits.maxUnzippedBytes);
        if (inflated > RATIO_CHECKED_FROM && inflated > MAX_RATIO * Math.max(1, entry.compressedSize)) throw fileErrors.xlsxZipBomb(MAX_RATIO);
        const text = decoder.write(chunk);
        if (text) yield text;
      }
    } catch (e) {
      // Ours (a limit) as it is; anything from the inflater or yauzl's size check is a broken file.
      throw e instanceof Error && e.name === 'DomainError' ? e : fileErrors.invalidXlsx();
    } finally {
      stream.destroy();
    }
    const rest = decoder.end();
    if (rest) yield rest;
  }

  close(): void {
    this.zip.close();
  }
}

function partName(name: string): string {
  return name.replace(/\\/g, '/').replace(/^\/+/, '').toLowerCase();
}

/** Resolves a relationship target against the folder of the part that names it (`xl/` for the workbook). */
export function resolvePart(base: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts = base.split('/').slice(0, -1);
  for (const seg of target.split('/')) {
    if (seg === '..') parts.pop();
    else if (seg !== '.' && seg !== '') parts.push(seg);
  }
  return parts.join('/');
}
