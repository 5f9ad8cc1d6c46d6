/**
 * Undo / redo of the scenario editor: snapshots of the whole graph (scenarios are small — at most
 * 500 nodes), the newest last. A burst of edits to one field within `mergeMs` is one step, so
 * typing a sentence is undone as one change, not letter by letter.
 */
export class History<T> {
  private past: T[] = [];
  private future: T[] = [];
  private lastKey: string | null = null;
  private lastAt = 0;

  constructor(
    private present: T,
    private readonly o: { limit?: number; mergeMs?: number; now?: () => number } = {},
  ) {}

  get current(): T {
    return this.present;
  }
  get canUndo(): boolean {
    return this.past.length > 0;
  }
  get canRedo(): boolean {
    return this.future.length > 0;
  }

  /** Records a new state; `key` names the field edited, so consecutive edits of it merge. */
  push(next: T, key: string | null = null): void {
    const now = (this.o.now ?? Date.now)();
    const merge = key !== null && key === this.lastKey && now - this.lastAt < (this.o.mergeMs ?? 1000);
    if (!merge) {
      this.past.push(this.present);
      if (this.past.length > (this.o.limit ?? 200)) this.past.shift();
    }
    this.present = next;
    this.future = [];
    this.lastKey = key;
    this.lastAt = now;
  }

  undo(): T {
    const prev = this.past.pop();
    if (prev === undefined) return this.present;
    this.future.push(this.present);
    this.present = prev;
    this.lastKey = null;
    return prev;
  }

  redo(): T {
    const next = this.future.pop();
    if (next === undefined) return this.present;
    this.past.push(this.present);
    this.present = next;
    this.lastKey = null;
    return next;
  }

  /** Starts over from a saved or loaded state (nothing to undo). */
  reset(state: T): void {
    this.past = [];
    this.future = [];
    this.present = state;
    this.lastKey = null;
  }
}
