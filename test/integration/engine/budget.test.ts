import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetLeft, chargeCall, monthUsage } from '../../../src/engine/campaigns/budget.js';
import { withTransaction } from '../../../src/store/db.js';
import { startTestApp, type TestApp } from '../../support/app.js';

/**
 * The month's usage against the tenant's budget (J6), counted by calls completing at the same
 * time in their own transactions (it is kept in several rows so they do not wait on each other).
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ WORKERS: 'false' });
});
afterAll(async () => {
  await t?.stop();
});

describe('the month’s usage', () => {
  it('counts every call completing at once, and the seconds and money left are the whole month’s', async () => {
    const app = t.dozvon.app;
    await app.db.query(`UPDATE tenants SET settings = jsonb_set(settings, '{limits}', $2::jsonb) WHERE id = $1`, [
      t.tenantId,
      JSON.stringify({ minuteBudget: 100, maxConcurrentCalls: 100, costBudget: { amount: 10, currency: 'USD' } }),
    ]);
    const now = new Date('2026-12-04T10:00:00Z');
    const left = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        withTransaction(app.db, (tx) => chargeCall(tx, t.tenantId, 59.2 + (i % 2), now, { amount: 0.05, currency: 'USD' })),
      ),
    );
    // 20 calls of 59.2 s and 20 of 60.2 s, billed in whole seconds: 20 × 60 + 20 × 61.
    const usage = await monthUsage(app.db, t.tenantId, '2026-12');
    expect(usage).toEqual({ secondsUsed: 2420, callsPlaced: 40, costs: { USD: 2 } });
    // Each call saw at least its own seconds; calls still completing beside it may be missing, as
    // they are from the dispatcher's check before each round of claims.
    for (const l of left) expect(l).toBeGreaterThanOrEqual(6000 - 2420);
    for (const l of left) expect(l).toBeLessThanOrEqual(6000 - 60);
    expect(await budgetLeft(app.db, t.tenantId, now)).toBe(6000 - 2420);
    // Another month starts from nothing.
    expect((await monthUsage(app.db, t.tenantId, '2027-01')).callsPlaced).toBe(0);
    // Money: 8 USD more reach the 10 USD budget, and nothing is left.
    expect(await withTransaction(app.db, (tx) => chargeCall(tx, t.tenantId, 1, now, { amount: 8, currency: 'USD' }))).toBe(0);
    expect(await budgetLeft(app.db, t.tenantId, now)).toBe(0);
  });
});
