import { IANAZone } from 'luxon';
import { DAY_MS, MINUTE_MS, localDayOf, type LocalDay } from './localDay.js';

/**
 * Turning wall-clock rules ("09:00–21:00 on weekdays") into spans of real time in a zone, DST-safe.
 *
 * The one definition everything follows: an instant t is inside a rule in zone Z iff Z's wall clock at
 * t — the local date and time a person there reads — falls inside the rule. So in a spring-forward gap a
 * window starting at 02:30 opens when the clock jumps to 03:00 (02:30 never shows), and in a fall-back
 * overlap a window 01:00–01:30 is open during both passes of that half hour. `isOpenAt` reads the
 * clock directly; `openIntervals` maps whole days through the zone's offset segments; both agree to
 * the millisecond because both read the same memoised offsets.
 */

/** A span of real time, [start, end) in epoch milliseconds. */
export interface Interval {
  /** First millisecond inside. */
  start: number;
  /** First millisecond after. */
  end: number;
}

/** Wall-clock minutes since the day's midnight, [start, end); end may pass 1440 (overnight, ≤ 2880). */
export interface DayRange {
  /** Minutes after the day's midnight at which the range opens. */
  start: number;
  /** Minutes after the day's midnight at which it closes (1440 = midnight; more = next day). */
  end: number;
}

/** The wall-clock ranges a rule opens on one local day. */
export type DayRule = (day: LocalDay) => readonly DayRange[];

/** A stretch of real time over which the zone's UTC offset is constant. */
interface Segment extends Interval {
  /** Wall clock minus UTC, in milliseconds. */
  offsetMs: number;
}

// Offsets come from luxon (Intl, ~11 µs a call). Each zone's transitions are found once per 30-day
// bucket — probing every 6 hours (current tzdata never changes offset twice within that) and bisecting
// to the millisecond — and memoised, so later offsets are a lookup and every function here agrees.
const BUCKET_MS = 30 * 86_400_000;
const PROBE_MS = 6 * 3_600_000;
const MAX_BUCKETS = 20_000;

interface Bucket {
  /** Offset at the bucket's first millisecond. */
  startOffset: number;
  /** Instants inside the bucket where the offset changes, with the new offset, in order. */
  changes: { at: number; offsetMs: number }[];
}

const buckets = new Map<string, Bucket>();

function luxonOffset(zone: IANAZone, t: number): number {
  return zone.offset(t) * MINUTE_MS;
}

function bucketOf(zone: IANAZone, k: number): Bucket {
  const key = `${zone.name}|${k}`;
  const hit = buckets.get(key);
  if (hit) return hit;
  const a = k * BUCKET_MS;
  const b = a + BUCKET_MS;
  const bucket: Bucket = { startOffset: luxonOffset(zone, a), changes: [] };
  let current = bucket.startOffset;
  for (let probe = a; probe < b - 1; ) {
    const next = Math.min(probe + PROBE_MS, b - 1);
    const nextOffset = luxonOffset(zone, next);
    if (nextOffset !== current) {
      let lo = probe;
      let hi = next;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (luxonOffset(zone, mid) === current) lo = mid;
        else hi = mid;
      }
      current = luxonOffset(zone, hi);
      bucket.changes.push({ at: hi, offsetMs: current });
    }
    probe = next;
  }
  if (buckets.size >= MAX_BUCKETS) buckets.clear();
  buckets.set(key, bucket);
  return bucket;
}

/** UTC offset of `zone` at `t`, in milliseconds. */
export function offsetMs(zone: IANAZone, t: number): number {
  const bucket = bucketOf(zone, Math.floor(t / BUCKET_MS));
  let offset = bucket.startOffset;
  for (const c of bucket.changes) {
    if (c.at > t) break;
    offset = c.offsetMs;
  }
  return offset;
}

/** Stretches of constant offset covering [a, b). */
function offsetSegments(zone: IANAZone, a: number, b: number): Segment[] {
  const segments: Segment[] = [];
  let segStart = a;
  let current = offsetMs(zone, a);
  for (let k = Math.floor(a / BUCKET_MS); k * BUCKET_MS < b; k++) {
    for (const c of bucketOf(zone, k).changes) {
      if (c.at <= a || c.at >= b) continue;
      segments.push({ start: segStart, end: c.at, offsetMs: current });
      segStart = c.at;
      current = c.offsetMs;
    }
  }
  segments.push({ start: segStart, end: b, offsetMs: current });
  return segments;
}

/** The real-time pieces (at most one per segment) during which the wall clock reads within [w1, w2). */
function preimage(segments: readonly Segment[], w1: number, w2: number, out: Interval[]): void {
  for (const s of segments) {
    const start = Math.max(s.start, w1 - s.offsetMs);
    const end = Math.min(s.end, w2 - s.offsetMs);
    if (start < end) out.push({ start, end });
  }
}

/** Whether the wall clock of `zone` at `t` is inside `rule` (today's ranges or yesterday's overnight tail). */
export function isOpenAt(zone: IANAZone, rule: DayRule, t: number): boolean {
  const wall = t + offsetMs(zone, t);
  const n = Math.floor(wall / DAY_MS);
  const minute = (wall - n * DAY_MS) / MINUTE_MS;
  return (
    rule(localDayOf(n)).some((r) => r.start <= minute && minute < r.end) ||
    rule(localDayOf(n - 1)).some((r) => r.start <= minute + 1440 && minute + 1440 < r.end)
  );
}

/** The spans within [a, b) during which `rule` holds on `zone`'s wall clock, sorted and merged. */
export function openIntervals(zone: IANAZone, rule: DayRule, a: number, b: number): Interval[] {
  if (a >= b) return [];
  const segments = offsetSegments(zone, a, b);
  const offsets = segments.map((s) => s.offsetMs);
  // A rule's day n spans wall time [n, n + 2 days) at most, so these days cover every wall time in range.
  const first = Math.floor((a + Math.min(...offsets)) / DAY_MS) - 1;
  const last = Math.floor((b - 1 + Math.max(...offsets)) / DAY_MS);
  const pieces: Interval[] = [];
  for (let n = first; n <= last; n++) {
    for (const r of rule(localDayOf(n))) {
      preimage(segments, n * DAY_MS + r.start * MINUTE_MS, n * DAY_MS + r.end * MINUTE_MS, pieces);
    }
  }
  return union(pieces);
}

/** The real-time pieces of the local days of `zone` that overlap [a, b), each day whole. */
export function localDays(zone: IANAZone, a: number, b: number): { day: LocalDay; pieces: Interval[] }[] {
  // Margins of two days catch the whole of the first and last local day whatever the offset.
  const lo = a - 2 * DAY_MS;
  const hi = b + 2 * DAY_MS;
  const segments = offsetSegments(zone, lo, hi);
  // Extreme offsets, not the ones at a and b: a fall-back across midnight (Asia/Beirut) shows a date twice.
  const offsets = segments.map((s) => s.offsetMs);
  const first = Math.floor((a + Math.min(...offsets)) / DAY_MS);
  const last = Math.floor((b - 1 + Math.max(...offsets)) / DAY_MS);
  const days: { day: LocalDay; pieces: Interval[] }[] = [];
  for (let n = first; n <= last; n++) {
    const pieces: Interval[] = [];
    preimage(segments, n * DAY_MS, (n + 1) * DAY_MS, pieces);
    const inRange = clip(union(pieces), lo, hi);
    if (inRange.some((p) => p.end > a && p.start < b)) days.push({ day: localDayOf(n), pieces: inRange });
  }
  return days;
}

/** Sorts and merges overlapping or touching spans. */
export function union(list: readonly Interval[]): Interval[] {
  const sorted = [...list].sort((x, y) => x.start - y.start);
  const out: Interval[] = [];
  for (const iv of sorted) {
    const prev = out[out.length - 1];
    if (prev && iv.start <= prev.end) prev.end = Math.max(prev.end, iv.end);
    else out.push({ ...iv });
  }
  return out;
}

/** Intersection of two sorted, merged lists. */
export function intersect(x: readonly Interval[], y: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const p = x[i] as Interval;
    const q = y[j] as Interval;
    const start = Math.max(p.start, q.start);
    const end = Math.min(p.end, q.end);
    if (start < end) out.push({ start, end });
    if (p.end < q.end) i++;
    else j++;
  }
  return out;
}

/** Cuts a sorted list to [a, b). */
export function clip(list: readonly Interval[], a: number, b: number): Interval[] {
  return intersect(list, [{ start: a, end: b }]);
}
