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
