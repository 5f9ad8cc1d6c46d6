import { describe, expect, it } from 'vitest';
import { refreshMarginMs } from '../../../../src/crm/bitrix24/rest/portalGateway.js';

describe('the proactive refresh margin', () => {
  it('is a minute for hour-long tokens and a fifth of the lifetime for short ones', () => {
    expect(refreshMarginMs(3600)).toBe(60_000);
    expect(refreshMarginMs(300)).toBe(60_000);
    expect(refreshMarginMs(120)).toBe(24_000);
    expect(refreshMarginMs(30)).toBe(6_000);
    expect(refreshMarginMs(5)).toBe(1_000);
  });

  it('assumes Bitrix24\'s documented hour when the lifetime is unknown (rows stored before it was kept)', () => {
    expect(refreshMarginMs(null)).toBe(60_000);
  });
});
