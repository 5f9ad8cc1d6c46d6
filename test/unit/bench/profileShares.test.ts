import { describe, expect, it } from 'vitest';
import { GC, LIBRARIES, NODE, PGLITE_IO, PGLITE_JS, PGLITE_WASM, profileShares, type CallFrame, type CpuProfile } from '../../../bench/support/profileShares.js';

const frame = (functionName: string, url: string): CallFrame => ({ functionName, url, lineNumber: 0, columnNumber: 0 });

/** A profile of one thread: a root with the given children, each sampled `ms` milliseconds. */
function profile(children: { frame: CallFrame; ms: number; child?: CallFrame }[]): CpuProfile {
  const nodes: CpuProfile['nodes'] = [{ id: 1, callFrame: frame('(root)', ''), children: [] }];
  const samples: number[] = [];
  const timeDeltas: number[] = [0];
  for (const c of children) {
    const id = nodes.length + 1;
    nodes[0]!.children!.push(id);
    nodes.push({ id, callFrame: c.frame, children: c.child ? [id + 1] : [] });
    if (c.child) nodes.push({ id: id + 1, callFrame: c.child, children: [] });
    samples.push(c.child ? id + 1 : id);
    timeDeltas.push(c.ms * 1000);
  }
  // The last sample's own duration is unknown: a closing idle sample carries the time before it.
  samples.push(1);
  nodes.push({ id: nodes.length + 1, callFrame: frame('(idle)', ''), children: [] });
  samples[samples.length - 1] = nodes.length;
  return { nodes, samples, timeDeltas };
}

describe('profile shares', () => {
  it('splits busy time between PGlite, its file I/O, Node, libraries, GC and Dozvon by folder', () => {
    const p = profile([
      { frame: frame('wasm-function[42]', 'wasm://wasm/0123'), ms: 40 },
      { frame: frame('parse', 'file:///app/node_modules/@electric-sql/pglite/dist/index.js'), ms: 10, child: frame('writeSync', 'node:fs') },
      { frame: frame('execute', 'file:///app/node_modules/@electric-sql/pglite/dist/index.js'), ms: 5 },
      { frame: frame('writev', ''), ms: 15 },
      { frame: frame('parse', 'file:///app/node_modules/zod/index.js'), ms: 5 },
      { frame: frame('(garbage collector)', ''), ms: 5 },
      { frame: frame('claim', 'file:///app/src/engine/campaigns/dispatcher.ts'), ms: 20 },
      { frame: frame('(idle)', ''), ms: 100 },
    ]);
    const shares = profileShares(p, (f) => f.url);
    const ms = Object.fromEntries(shares.buckets.map((b) => [b.name, b.ms]));
    expect(shares.busyMs).toBe(100);
    expect(ms).toEqual({ [PGLITE_WASM]: 40, [PGLITE_IO]: 10, [PGLITE_JS]: 5, [NODE]: 15, [LIBRARIES]: 5, [GC]: 5, 'Dozvon: engine': 20 });
    expect(shares.buckets[0]!.name).toBe(PGLITE_WASM);
  });

  it('reads bundled code through the source it came from', () => {
    const p = profile([
      { frame: frame('route', 'file:///app/dist/main.js'), ms: 3 },
      { frame: frame('toJSON', 'file:///app/dist/main.js'), ms: 7 },
    ]);
    const shares = profileShares(p, (f) => (f.functionName === 'route' ? '../src/http/app.ts' : '../node_modules/koa/lib/response.js'));
    expect(Object.fromEntries(shares.buckets.map((b) => [b.name, b.ms]))).toEqual({ 'Dozvon: http': 3, [LIBRARIES]: 7 });
  });
});
