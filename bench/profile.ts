import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { profileShares, type CallFrame, type CpuProfile } from './support/profileShares.js';

/**
 * `npm run bench:profile -- <file.cpuprofile> …`: where each profiled thread's busy time went —
 * PGlite (WebAssembly, JavaScript, its file I/O), Node, other libraries, garbage collection, and
 * Dozvon's own code by folder of src/ (bundled code is traced back through dist's source maps).
 * Profiles come from any bench: `BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"`.
 */
const maps = new Map<string, TraceMap | null>();

function mapOf(url: string): TraceMap | null {
  let m = maps.get(url);
  if (m === undefined) {
    const file = url.startsWith('file://') ? fileURLToPath(url) : url;
    m = fs.existsSync(`${file}.map`) ? new TraceMap(fs.readFileSync(`${file}.map`, 'utf8')) : null;
    maps.set(url, m);
  }
  return m;
}

function sourceOf(frame: CallFrame): string {
  // Dozvon's own bundles only: a library's source map points into the library's src/, not ours.
  if (frame.url.includes('/node_modules/') || !/\/dist\/.*\.c?js$/.test(frame.url)) return frame.url;
  const map = mapOf(frame.url);
  if (!map) return frame.url;
  return originalPositionFor(map, { line: frame.lineNumber + 1, column: Math.max(0, frame.columnNumber) }).source ?? frame.url;
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: npm run bench:profile -- <file.cpuprofile> …');
  process.exit(2);
}
for (const file of files) {
  const shares = profileShares(JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile, sourceOf);
  console.log(`# ${file}: ${(shares.totalMs / 1000).toFixed(1)} s profiled, busy ${(shares.busyMs / 1000).toFixed(1)} s (${((shares.busyMs / shares.totalMs) * 100).toFixed(1)} %)`);
  for (const b of shares.buckets) console.log(`${((b.ms / shares.busyMs) * 100).toFixed(1).padStart(5)} %  ${Math.round(b.ms).toString().padStart(7)} ms  ${b.name}`);
}
