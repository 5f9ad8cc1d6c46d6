/**
 * Pacing by GCRA (virtual scheduling): call starts are spaced at least 1/rate apart, across every
 * worker process, because the "theoretical arrival time" (tat) lives in one database row updated
 * inside the claim. Unlike a token bucket with a burst, this never lets more than ⌊rate·t⌋+1 calls
 * start in any window of t seconds.
 */
export interface SlotGrant {
  /** When each granted call may start (ascending). */
  slots: Date[];
  /** The new tat to store. */
  tat: Date;
}

/**
 * Grants up to `wanted` start slots that fall before `now + horizonMs`. Slots never go back in
 * time: an idle campaign does not accumulate credit (no burst after a quiet period).
 */
export function grantSlots(now: Date, tat: Date, ratePerSec: number, wanted: number, horizonMs: number): SlotGrant {
  const spacing = 1000 / ratePerSec;
  let next = Math.max(now.getTime(), Number.isFinite(tat.getTime()) ? tat.getTime() : now.getTime());
  const limit = now.getTime() + horizonMs;
  const slots: Date[] = [];
  while (slots.length < wanted && next < limit) {
    slots.push(new Date(next));
    next += spacing;
  }
  return { slots, tat: slots.length ? new Date(next) : tat };
}

/**
 * Slots that keep two paces at once — the campaign's intensity and the voice platform's calls per
 * second, shared by every campaign on that platform: starts are spaced by the slower of the two,
 * from the later of the two tats. Each limit's new tat follows the last slot by its own spacing.
 */
export function grantJointSlots(
  now: Date,
  limits: { tat: Date; ratePerSec: number }[],
  wanted: number,
  horizonMs: number,
): { slots: Date[]; tats: Date[] } {
  const valid = (d: Date) => (Number.isFinite(d.getTime()) ? d.getTime() : now.getTime());
  const spacing = Math.max(...limits.map((l) => 1000 / l.ratePerSec));
  const start = Math.max(now.getTime(), ...limits.map((l) => valid(l.tat)));
  const limit = now.getTime() + horizonMs;
  const slots: Date[] = [];
  for (let next = start; slots.length < wanted && next < limit; next += spacing) slots.push(new Date(next));
  return { slots, tats: limits.map((l) => (slots.length ? new Date(slots[slots.length - 1]!.getTime() + 1000 / l.ratePerSec) : l.tat)) };
}
