import fc from 'fast-check';
import { describeFinding, judge, requestArbitrary, type FuzzFinding } from '../test/support/fuzz/fuzzer.js';
import { buildFuzzWorld } from '../test/support/fuzz/world.js';
import { print } from './support/server.js';

/**
 * The fuzz suite at full size (issue 8 §4): 10,000 generated malformed requests (FUZZ_RUNS) to
 * every mounted route, against one Dozvon with the Bitrix24 adapter and an installed emulator
 * portal. Counts instead of stopping at the first finding; prints each finding to stderr.
 * FUZZ_SEED replays a run; FUZZ_ROUTES (comma-separated prefixes of `METHOD /path` keys, e.g.
 * `POST /bitrix24/app,GET /bitrix24/static`) sends only those routes' share of the same inputs.
 *   fuzz_inputs, fuzz_5xx, fuzz_partial_writes, fuzz_routes
 */
export async function benchFuzz(): Promise<void> {
  const runs = Number(process.env.FUZZ_RUNS ?? 10_000);
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
  const world = await buildFuzzWorld();
  try {
    const routes = world.h.t.dozvon.routes;
    const only = (process.env.FUZZ_ROUTES ?? '').split(',').map((r) => r.trim()).filter(Boolean);
    const inputs = fc.sample(requestArbitrary(routes, world.context), { numRuns: runs, seed }).filter((r) => !only.length || only.some((o) => r.route.startsWith(o)));
    let fiveXx = 0;
    let partial = 0;
    let unanswered = 0;
    const byRoute = new Map<string, number>();
    for (const req of inputs) {
      byRoute.set(req.route, (byRoute.get(req.route) ?? 0) + 1);
      const f: FuzzFinding | undefined = await judge(world.h.t, req);
      if (!f) continue;
      if (f.status === 0) unanswered++;
      else if (f.status >= 500) fiveXx++;
      else partial++;
      process.stderr.write(`${describeFinding(f)}\n\n`);
    }
    process.stderr.write(`fuzz seed ${seed}; requests per route: min ${Math.min(...byRoute.values())}, routes ${byRoute.size}/${routes.length}\n`);
    print('fuzz_inputs', inputs.length, 'requests');
    print('fuzz_routes', byRoute.size, 'routes');
    print('fuzz_5xx', fiveXx, 'responses');
    print('fuzz_partial_writes', partial, 'requests');
    print('fuzz_unanswered', unanswered, 'requests');
  } finally {
    await world.stop();
  }
}
