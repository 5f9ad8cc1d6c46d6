import crypto from 'node:crypto';
import fs from 'node:fs';

// What the machine itself costs, printed before the figures (`npm run bench`): the same code is
// much slower in some hours of a shared virtual machine than in others, and some costs (memory
// touched for the first time) are the machine's rather than Dozvon's.

/**
 * What this machine charges for touching fresh memory, in µs per 4 KB page: 64 MB allocated and
 * written once (first touch: the kernel supplies and zeroes each page), less the same write again.
 * Median of three. 64 MB is above glibc's largest mmap threshold (32 MB), so each allocation is
 * fresh pages rather than memory the process already had. Bare-metal Linux is well under 1 µs; a virtual machine may be far more.
 */
export function firstTouchMicrosPerPage(): number {
  const bytes = 64 << 20;
  const runs = [0, 1, 2].map(() => {
    const b = Buffer.allocUnsafeSlow(bytes);
    let t = performance.now();
    b.fill(1);
    const first = performance.now() - t;
    t = performance.now();
    b.fill(2);
    return ((first - (performance.now() - t)) * 1000) / (bytes / 4096);
  });
  return runs.sort((a, b) => a - b)[1]!;
}

/** SHA-256 over 64 MB in 1 MB pieces, MB per second of one core: a yardstick of CPU speed. */
export function sha256MbPerSec(): number {
  const piece = Buffer.alloc(1 << 20, 7);
  const runs = [0, 1, 2].map(() => {
    const t = performance.now();
    const h = crypto.createHash('sha256');
    for (let i = 0; i < 64; i++) h.update(piece);
    h.digest();
    return 64 / ((performance.now() - t) / 1000);
  });
  return runs.sort((a, b) => a - b)[1]!;
}

/** The machine's CPU counters (all cores, /proc/stat's jiffies): busy and total since boot. */
export function machineCpu(): { busy: number; total: number } {
  const first = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = first.trim().split(/\s+/).slice(1).map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  return { busy, total: busy + idle! + iowait! };
}

/**
 * Share of all the machine's cores busy between two readings of `machineCpu` (0–1): near 1, the
 * machine itself is the limit, whatever the code running on it.
 */
export function machineBusyShare(before: { busy: number; total: number }, after = machineCpu()): number {
  return Math.round(((after.busy - before.busy) / Math.max(1, after.total - before.total)) * 1000) / 1000;
}
