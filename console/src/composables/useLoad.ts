import { onBeforeUnmount, ref, shallowRef, type Ref, type ShallowRef } from 'vue';

/**
 * Loads what a screen shows and keeps the state a screen needs to say it: loading, the data, the
 * error (an ApiError with the server's words, or a network failure). `reload()` reads again — on
 * a live update, after an action; overlapping reloads keep the last answer only.
 */
export interface Loaded<T> {
  data: ShallowRef<T | undefined>;
  error: Ref<unknown>;
  loading: Ref<boolean>;
  reload(): Promise<void>;
}

export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, o: { immediate?: boolean } = {}): Loaded<T> {
  const data = shallowRef<T>();
  const error = ref<unknown>(null);
  const loading = ref(false);
  let current: AbortController | null = null;
  const reload = async (): Promise<void> => {
    current?.abort();
    const mine = new AbortController();
    current = mine;
    loading.value = true;
    try {
      const v = await load(mine.signal);
      if (current !== mine) return;
      data.value = v;
      error.value = null;
    } catch (e) {
      if (current !== mine || (e as Error).name === 'AbortError') return;
      error.value = e;
    } finally {
      if (current === mine) loading.value = false;
    }
  };
  onBeforeUnmount(() => current?.abort());
  if (o.immediate !== false) void reload();
  return { data, error, loading, reload };
}

/** Runs a burst of calls at most once per `ms` (live updates of a busy campaign). */
export function throttled(fn: () => void, ms = 700): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let pending = false;
  return () => {
    if (timer) {
      pending = true;
      return;
    }
    fn();
    timer = setTimeout(function tick() {
      timer = null;
      if (pending) {
        pending = false;
        fn();
        timer = setTimeout(tick, ms);
      }
    }, ms);
  };
}
