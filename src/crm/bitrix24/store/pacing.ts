import type { Queryable } from '../../../store/db.js';
import { markBucketFull as markFull, reserveSlot as reserve, type BucketSettings } from '../../shared/gcra.js';

/**
 * The portal's leaky bucket as seen by every Dozvon process: GCRA on one row
 * (`b24_portal_pacing`), shared with the amoCRM adapter's pacing (src/crm/shared/gcra.ts).
 */
export type { BucketSettings } from '../../shared/gcra.js';

export const reserveSlot = (db: Queryable, tenantId: string, now: Date, b: BucketSettings): Promise<Date> => reserve(db, 'b24_portal_pacing', tenantId, now, b);

/**
 * The portal answered 503 QUERY_LIMIT_EXCEEDED: its bucket is full (other apps on our IP share
 * it, or a clock drifted). Mark ours full as well, so every process slows to the drain rate.
 */
export const markBucketFull = (db: Queryable, tenantId: string, now: Date, b: BucketSettings): Promise<void> => markFull(db, 'b24_portal_pacing', tenantId, now, b);
