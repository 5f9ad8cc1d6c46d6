/**
 * A session's clock for the emulator: virtual milliseconds that advance only when the next timer
 * is due, one timer at a time in due order, each fired after its scaled real delay. Waiting on I/O
 * (Dozvon answering a callback) costs no virtual time, and a busy test process cannot make a later
 * timer overtake an earlier one — so "rings 4 s, then answers" still comes before a 30 s ring
 * timeout however slow the machine is, and a call's reported duration is what was simulated.
 */
export class VirtualTimers {
  private nowMs = 0;
  private seq = 0;
  private readonly queue: { id: number; due: number; fn: () => void }[] = [];
  private real: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly scale: number) {}

  now(): number {
    return this.nowMs;
  }

  get size(): number {
    return this.queue.length;
  }

  schedule(ms: number, fn: () => void): number {
    const t = { id: ++this.seq, due: this.nowMs + Math.max(0, ms), fn };
    const i = this.queue.findIndex((q) => q.due > t.due);
    if (i < 0) this.queue.push(t);
    else this.queue.splice(i, 0, t);
    this.rearm();
    return t.id;
  }

  cancel(id: number): void {
    const i = this.queue.findIndex((q) => q.id === id);
    if (i >= 0) this.queue.splice(i, 1);
    this.rearm();
  }

  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    if (this.real) clearTimeout(this.real);
  }

  private rearm(): void {
    if (this.real) clearTimeout(this.real);
    this.real = undefined;
    const head = this.queue[0];
    if (!head || this.stopped) return;
    this.real = setTimeout(() => {
      this.real = undefined;
      const next = this.queue.shift();
      if (next) {
        this.nowMs = Math.max(this.nowMs, next.due);
        next.fn();
      }
      this.rearm();
    }, (head.due - this.nowMs) * this.scale);
  }
}
