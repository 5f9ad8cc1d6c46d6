import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/**
 * How long work waited for this process's event loop, over the last full minute: every platform
 * webhook, robot call and API request waits this long before Dozvon even reads it. A voice
 * platform gives a webhook 10–15 s and a robot its `timeout_duration`; a p99 that climbs towards
 * those is the first sign the process needs a second one beside it (README "Scaling out").
 * `/health` shows it; the histogram costs a timer at 20 ms resolution.
 */
export interface EventLoopDelay {
  /** Delay percentiles in ms over the last full window (the current one until a window has passed). */
  snapshot(): { p50Ms: number; p99Ms: number; maxMs: number; windowSec: number };
  stop(): void;
}

const WINDOW_MS = 60_000;
// Node's histogram records the whole interval between its timer's runs: the resolution is taken off.
const RESOLUTION_MS = 20;

export function watchEventLoopDelay(windowMs = WINDOW_MS): EventLoopDelay {
  const current: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  current.enable();
  let last: { p50Ms: number; p99Ms: number; maxMs: number } | undefined;
  const ms = (ns: number) => Math.max(0, Math.round(ns / 1e4) / 100 - RESOLUTION_MS);
  const read = (h: IntervalHistogram) => (h.count === 0 ? { p50Ms: 0, p99Ms: 0, maxMs: 0 } : { p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max) });
  const rotate = setInterval(() => {
    last = read(current);
    current.reset();
  }, windowMs);
  rotate.unref();
  return {
    snapshot: () => ({ ...(last ?? read(current)), windowSec: windowMs / 1000 }),
    stop() {
      clearInterval(rotate);
      current.disable();
    },
  };
}

let shared: EventLoopDelay | undefined;

/** The process's one watcher (there is one event loop per process, however many apps a test builds). */
export function processEventLoopDelay(): EventLoopDelay {
  shared ??= watchEventLoopDelay();
  return shared;
}
