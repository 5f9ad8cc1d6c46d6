/**
 * Where a thread's time went, from a V8 CPU profile (`node --cpu-prof`, or the bench's
 * BENCH_SERVER_NODE_ARGS / BENCH_PROF): the busy time split between the embedded database (PGlite's
 * WebAssembly, its JavaScript, and the file I/O it asks Node for), Node itself, other libraries,
 * garbage collection and Dozvon's own code by folder. The question it answers is the one the
 * performance goals leave open: is a gap Dozvon's code, a library's, or the machine's?
 */
export interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

/** The source file a frame's code came from: bundles (dist/*.js) resolved through their source maps. */
export type SourceOf = (frame: CallFrame) => string;

export interface ProfileShares {
  totalMs: number;
  busyMs: number;
  /** Busy time by bucket, largest first. */
  buckets: { name: string; ms: number }[];
}

export const PGLITE_WASM = 'PGlite (WebAssembly)';
export const PGLITE_JS = 'PGlite (JavaScript)';
export const PGLITE_IO = 'PGlite (its file I/O, in Node)';
export const NODE = 'Node (HTTP, sockets, timers, other)';
export const LIBRARIES = 'other libraries';
export const GC = 'garbage collection';

/** The bucket of one frame's own time, before Node's frames are given to whoever called them. */
function bucketOf(frame: CallFrame, source: string): string {
  const name = frame.functionName;
  if (name === '(idle)') return 'idle';
  if (name === '(garbage collector)') return GC;
  if (name === '(program)') return '(program)';
  if (frame.url.startsWith('wasm://')) return PGLITE_WASM;
  if (/node_modules\/@electric-sql\//.test(source) || /node_modules\/@electric-sql\//.test(frame.url)) return PGLITE_JS;
  if (/node_modules\//.test(source) || /node_modules\//.test(frame.url)) return LIBRARIES;
  const ours = /(?:^|\/)src\/([^/]+)/.exec(source);
  if (ours) return `Dozvon: ${ours[1]!.replace(/\.ts$/, '')}`;
  if (source === '' || source.startsWith('node:')) return NODE;
  return LIBRARIES;
}

/**
 * Splits a profile's time into buckets. A Node frame (a `writeSync`, an `fstat`) called by PGlite
 * counts as PGlite's file I/O: the database asked for it, and on this kind of machine it is a
 * sizeable part of what the database costs.
 */
export function profileShares(profile: CpuProfile, sourceOf: SourceOf): ProfileShares {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const own = new Map<number, string>();
  const bucket = (id: number): string => {
    let b = own.get(id);
    if (b === undefined) {
      const frame = byId.get(id)!.callFrame;
      b = bucketOf(frame, sourceOf(frame));
      own.set(id, b);
    }
    return b;
  };
  const effective = (id: number): string => {
    const b = bucket(id);
    if (b !== NODE) return b;
    for (let up = parent.get(id); up !== undefined; up = parent.get(up)) {
      const above = bucket(up);
      if (above === NODE) continue;
      return above === PGLITE_JS || above === PGLITE_WASM ? PGLITE_IO : NODE;
    }
    return NODE;
  };
  const us = new Map<string, number>();
  let total = 0;
  // Each sample's time is the delta to the next one (the last sample's is unknown: not counted).
  for (let i = 0; i < profile.samples.length; i++) {
    const d = profile.timeDeltas[i + 1] ?? 0;
    total += d;
    const b = effective(profile.samples[i]!);
    us.set(b, (us.get(b) ?? 0) + d);
  }
  const idle = us.get('idle') ?? 0;
  us.delete('idle');
  return {
    totalMs: total / 1000,
    busyMs: (total - idle) / 1000,
    buckets: [...us].map(([name, t]) => ({ name, ms: t / 1000 })).sort((a, b) => b.ms - a.ms),
  };
}
