/// <reference lib="dom" />
/**
 * Refreshing something until it is done: the first look soon, then less and less often (×1.5 up
 * to `maxMs`), nothing while the page is hidden (another tab, a closed slider), at once when it is
 * shown again. Gives up after `giveUpMs` of visible polling or `maxErrors` failures in a row.
 */
export interface PollOptions {
  /** Returns true when there is nothing more to wait for. */
  tick: () => Promise<boolean>;
  firstMs?: number;
  maxMs?: number;
  giveUpMs?: number;
  maxErrors?: number;
  /** Called once when polling stops: `done`, or why it gave up. */
  onStop?: (why: 'done' | 'gave_up' | 'errors', error?: unknown) => void;
}

export interface Poller {
  /** Look again now and poll quickly again (after an action). */
  kick(): void;
  stop(): void;
  readonly running: boolean;
}

export function poll(o: PollOptions): Poller {
  const firstMs = o.firstMs ?? 800;
  const maxMs = o.maxMs ?? 15_000;
  const giveUpMs = o.giveUpMs ?? 20 * 60_000;
  const maxErrors = o.maxErrors ?? 5;
  let delay = firstMs;
  let timer: number | undefined;
  let busy = false;
  let stopped = false;
  let errors = 0;
  let visibleFor = 0;
  let lastAt = Date.now();

  const finish = (why: 'done' | 'gave_up' | 'errors', error?: unknown): void => {
    if (stopped) return;
    stopped = true;
    window.clearTimeout(timer);
    document.removeEventListener('visibilitychange', onVisibility);
    o.onStop?.(why, error);
  };
  const schedule = (ms: number): void => {
    window.clearTimeout(timer);
    if (!stopped && !document.hidden) timer = window.setTimeout(run, ms);
  };
  async function run(): Promise<void> {
    if (stopped || busy) return;
    if (document.hidden) return; // resumes on visibilitychange
    busy = true;
    const now = Date.now();
    visibleFor += Math.min(now - lastAt, maxMs * 2);
    lastAt = now;
    try {
      const done = await o.tick();
      errors = 0;
      if (done) return finish('done');
    } catch (e) {
      errors += 1;
      if (errors >= maxErrors) return finish('errors', e);
    } finally {
      busy = false;
    }
    if (visibleFor >= giveUpMs) return finish('gave_up');
    delay = Math.min(maxMs, Math.round(delay * 1.5));
    schedule(delay);
  }
  function onVisibility(): void {
    if (document.hidden) window.clearTimeout(timer);
    else {
      lastAt = Date.now();
      void run();
    }
  }
  document.addEventListener('visibilitychange', onVisibility);
  schedule(firstMs);
  return {
    kick() {
      delay = firstMs;
      schedule(0);
    },
    stop() {
      stopped = true;
      window.clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    },
    get running() {
      return !stopped;
    },
  };
}
