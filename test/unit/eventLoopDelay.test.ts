import { describe, expect, it } from 'vitest';
import { watchEventLoopDelay } from '../../src/eventLoopDelay.js';

describe('the event-loop delay /health reports', () => {
  it('shows a loop blocked by synchronous work, net of the sampling interval', async () => {
    const watch = watchEventLoopDelay(60_000);
    try {
      await new Promise((r) => setTimeout(r, 100));
      const until = Date.now() + 300;
      while (Date.now() < until) {
        // a synchronous stretch, as a backlog of embedded-database statements was
      }
      await new Promise((r) => setTimeout(r, 100));
      const s = watch.snapshot();
      expect(s.maxMs).toBeGreaterThanOrEqual(250);
      expect(s.p50Ms).toBeLessThanOrEqual(s.p99Ms);
      expect(s.windowSec).toBe(60);
    } finally {
      watch.stop();
    }
  });
});
