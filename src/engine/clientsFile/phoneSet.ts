/**
 * A set of E.164 numbers for spotting duplicates in big files. E.164 has at most 15 digits, so
 * the digits fit a double exactly; an open-addressing table over a Float64Array costs 16–32
 * bytes per number. Measured on a 1,000,000-row CSV (Node 20): peak RSS 224 MB without
 * duplicate detection, 367 MB with a `Set<number>` (every large integer is a boxed heap number
 * plus a hash entry), 240 MB with this table.
 */
export class PhoneSet {
  // 0 marks an empty slot: no E.164 number is all zeros.
  private table = new Float64Array(1 << 12);
  private mask = (1 << 12) - 1;
  size = 0;

  /** Adds the number; false if it was already there. */
  add(e164: string): boolean {
    const key = Number(e164.slice(1));
    let i = slot(key) & this.mask;
    for (;;) {
      const at = this.table[i];
      if (at === key) return false;
      if (at === 0) break;
      i = (i + 1) & this.mask;
    }
    this.table[i] = key;
    if (++this.size * 2 > this.table.length) this.grow();
    return true;
  }

  has(e164: string): boolean {
    const key = Number(e164.slice(1));
    for (let i = slot(key) & this.mask; ; i = (i + 1) & this.mask) {
      const at = this.table[i];
      if (at === key) return true;
      if (at === 0) return false;
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Float64Array(old.length * 2);
    this.mask = this.table.length - 1;
    for (const key of old) {
      if (key === 0) continue;
      let i = slot(key) & this.mask;
      while (this.table[i] !== 0) i = (i + 1) & this.mask;
      this.table[i] = key;
    }
  }
}

/** Mixes both halves of the number so consecutive numbers spread over the table. */
function slot(key: number): number {
  const lo = key >>> 0;
  const hi = Math.floor(key / 4294967296) >>> 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
