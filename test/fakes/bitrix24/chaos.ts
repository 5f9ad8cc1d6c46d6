import type { FaultSpec } from './types.js';

/**
 * A portal having a bad day, for chaos runs: a share of REST requests fail with a 5xx (a JSON
 * INTERNAL_SERVER_ERROR, an nginx 502 or 504 page) and, in bursts, every request is refused with
 * 503 QUERY_LIMIT_EXCEEDED or 429 OPERATION_TIME_LIMIT. Faults answer before the method runs —
 * a gateway or the limiter refusing — so a refused write did not happen. Deterministic for a seed.
 */
export interface ChaosSpec {
  /** Share of requests (0–1) that fail with a 5xx. */
  errorRate: number;
  /** Bursts of refusals: every `everyMs`, for `lengthMs`, every request gets 503 or 429. */
  bursts?: { everyMs: number; lengthMs: number };
  seed?: number;
}

export interface ChaosStats {
  /** Requests answered with an injected 5xx. */
  errors: number;
  /** Requests refused inside a burst. */
  refused: number;
}

export class Chaos {
  readonly stats: ChaosStats = { errors: 0, refused: 0 };
  private state: number;
  private readonly started = Date.now();

  constructor(private readonly spec: ChaosSpec) {
    this.state = (spec.seed ?? 1) >>> 0 || 1;
  }

  /** The fault for the next request, if this one is to fail. */
  next(): FaultSpec | undefined {
    const b = this.spec.bursts;
    if (b) {
      const phase = (Date.now() - this.started) % b.everyMs;
      if (phase >= b.everyMs - b.lengthMs) {
        this.stats.refused++;
        return this.random() < 0.5
          ? { status: 503, error: 'QUERY_LIMIT_EXCEEDED', description: 'Too many requests' }
          : { status: 429, error: 'OPERATION_TIME_LIMIT', description: 'Method is blocked due to operation time limit.' };
      }
    }
    if (this.random() >= this.spec.errorRate) return undefined;
    this.stats.errors++;
    const kind = this.random();
    if (kind < 0.4) return { status: 500, error: 'INTERNAL_SERVER_ERROR', description: 'Internal server error' };
    if (kind < 0.7) return { status: 502, body: '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>' };
    return { status: 504, body: '<html><head><title>504 Gateway Time-out</title></head><body><center><h1>504 Gateway Time-out</h1></center><hr><center>nginx</center></body></html>' };
  }

  /** xorshift32: reproducible without a dependency. */
  private random(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 2 ** 32;
  }
}
