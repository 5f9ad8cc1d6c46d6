import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFinding, judge, requestArbitrary } from '../../support/fuzz/fuzzer.js';
import { buildFuzzWorld, type FuzzWorld } from '../../support/fuzz/world.js';

/**
 * The fuzz suite (R1, R3; issue 8 §4), bounded for `npm test`: generated malformed requests to
 * every mounted route — console and Calls API (JSON bodies, query strings, path parameters),
 * Bitrix24 install, events, robot and placements (form-encoded), voice callbacks, recordings,
 * uploads. No answer may be a 5xx, and a refused request (4xx) must leave every table as it was.
 * `npm run bench -- fuzz` runs 10,000 inputs. FUZZ_SEED replays a run; FUZZ_RUNS sizes it.
 */
let w: FuzzWorld;

beforeAll(async () => {
  w = await buildFuzzWorld();
}, 180_000);
afterAll(async () => w?.stop());

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

describe('fuzzing every route', () => {
  it(`${RUNS} malformed requests: no 5xx, no write by a refused request`, async () => {
    const routes = w.h.t.dozvon.routes;
    // Every audience of the route table is reached by the generators.
    for (const prefix of ['/api/v1/', '/bitrix24/', '/amocrm/', '/voice/sandbox/', '/recordings/']) expect(routes.some((r) => r.path.startsWith(prefix)), prefix).toBe(true);
    await fc.assert(
      fc.asyncProperty(requestArbitrary(routes, w.context), async (req) => {
        const finding = await judge(w.h.t, req);
        if (finding) throw new Error(describeFinding(finding));
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    // Deadline only against a hang: a few hundred requests with a database fingerprint each.
  }, 600_000);
});
