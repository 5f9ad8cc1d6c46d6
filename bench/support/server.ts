import fs from 'node:fs';
import { onPostgres } from './database.js';

import { startDozvonProcess as startProcess, type DozvonProcess } from '../../test/support/dozvonProcess.js';

export { apiClient, freePort, setupAdmin, tempDir, type DozvonProcess } from '../../test/support/dozvonProcess.js';

/**
 * A Dozvon process for a bench: as the tests start one, with time to start on a loaded machine.
 * BENCH_SERVER_NODE_ARGS adds Node flags to every server a bench starts, e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof` for a profile of each.
 */
export function startDozvonProcess(o: Parameters<typeof startProcess>[0]): Promise<DozvonProcess> {
  const extra = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return startProcess({ timeoutMs: 300_000, ...o, nodeArgs: [...(o.nodeArgs ?? []), ...extra] });
}

/**
 * Prints one figure per line: `name value unit`. On PostgreSQL (DATABASE_URL set) every name gets
 * `_pg`, so the two runs of a bench are told apart in one log.
 */
export function print(name: string, value: number, unit: string): void {
  const n = onPostgres && !name.endsWith('_pg') ? `${name}_pg` : name;
  process.stdout.write(`${n} ${Number.isInteger(value) ? value : value.toFixed(value < 10 ? 3 : 1)} ${unit}\n`);
}

/** Flags after `npm run bench --`: `--quick` shortens the long runs. */
export const quick = process.argv.includes('--quick');

/**
 * The fields of a /proc stat file (a process's or one of its threads') after "(comm) ": state is
 * the 1st, minflt the 8th, utime the 12th, stime the 13th.
 */
function procStat(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
}

/** User + system CPU time from stat fields, in ms (clock ticks of 10 ms). */
const cpuMsOf = (fields: string[]): number => (Number(fields[11]) + Number(fields[12])) * 10;

/** CPU time (user + system) a process has used so far, in ms (Linux /proc). */
export function processCpuMs(pid: number): number {
  return cpuMsOf(procStat(`/proc/${pid}/stat`));
}

/**
 * CPU time per kind of thread of a process so far, in ms: its main thread (the event loop, and
 * PGlite's statements), V8's helpers (garbage collection, compilation), libuv's pool (file I/O,
 * crypto, zlib), and the rest (worker threads such as the MP3 encoder's).
 */
export function threadCpuMs(pid: number): Record<'main' | 'v8' | 'libuv' | 'other', number> {
  const out = { main: 0, v8: 0, libuv: 0, other: 0 };
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    let ms: number;
    let name: string;
    try {
      ms = cpuMsOf(procStat(`/proc/${pid}/task/${tid}/stat`));
      name = fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
    } catch {
      continue; // the thread ended meanwhile
    }
    const kind = Number(tid) === pid ? 'main' : name.startsWith('V8 ') ? 'v8' : name.startsWith('libuv') ? 'libuv' : 'other';
    out[kind] += ms;
  }
  return out;
}

/** Minor page faults of a process so far: each is a page of memory touched for the first time. */
export function minorPageFaults(pid: number): number {
  return Number(procStat(`/proc/${pid}/stat`)[7]);
}

/** The highest resident set size a process has had, in MB (Linux VmHWM). */
export function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

/** A process's resident set size now, in MB (Linux VmRSS). */
export function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

/** Percentile (0–100) of a list of numbers, nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
