import { ref } from 'vue';
import { API_BASE, getToken, headers } from './http';

/**
 * Live updates from `GET /api/v1/events` (Server-Sent Events), read with fetch streaming so the
 * session's Authorization header travels — EventSource cannot send it. One shared stream for the
 * whole console (attempt, campaign and numbers changes); a dedicated one per followed call for its
 * live dialogue. Reconnects by itself (1 s, doubling to 30 s); a `reconnected` event tells screens
 * to read their state again, since nothing missed meanwhile is replayed.
 */
export interface LiveEvent {
  type: 'ready' | 'attempt' | 'campaign' | 'numbers' | 'transcript' | 'reconnected';
  data: Record<string, unknown>;
}
type Listener = (e: LiveEvent) => void;

export const liveState = ref<'off' | 'connecting' | 'live' | 'retrying'>('off');

function parseBlock(block: string): LiveEvent | undefined {
  let type = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event: ')) type = line.slice(7).trim();
    else if (line.startsWith('data: ')) data.push(line.slice(6));
  }
  if (!data.length) return undefined;
  try {
    return { type: type as LiveEvent['type'], data: JSON.parse(data.join('\n')) as Record<string, unknown> };
  } catch {
    return undefined;
  }
}

/** One stream: read until it ends; false when the server refused it (no reconnecting then). */
async function readStream(query: string, signal: AbortSignal, emit: (e: LiveEvent) => void, onOpen: () => void): Promise<boolean> {
  const res = await fetch(`${API_BASE}/events${query}`, { headers: headers({ accept: 'text/event-stream' }), signal });
  if (res.status === 401 || res.status === 403) return false;
  if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
  onOpen();
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return true;
    buffer += value;
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const e = parseBlock(buffer.slice(0, cut));
      buffer = buffer.slice(cut + 2);
      if (e) emit(e);
    }
  }
}

export interface Stream {
  close(): void;
}

/** Opens a stream that keeps itself alive until closed. */
export function openStream(query: string, emit: (e: LiveEvent) => void, o: { trackState?: boolean } = {}): Stream {
  const abort = new AbortController();
  let delay = 1000;
  let first = true;
  const run = async () => {
    while (!abort.signal.aborted && getToken()) {
      if (o.trackState) liveState.value = first ? 'connecting' : 'retrying';
      try {
        const again = await readStream(query, abort.signal, emit, () => {
          if (o.trackState) liveState.value = 'live';
          if (!first) emit({ type: 'reconnected', data: {} });
          first = false;
          delay = 1000;
        });
        if (!again) break;
      } catch {
        if (abort.signal.aborted) break;
      }
      if (abort.signal.aborted) break;
      if (o.trackState) liveState.value = 'retrying';
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 30_000);
    }
    if (o.trackState) liveState.value = 'off';
  };
  void run();
  return { close: () => abort.abort() };
}

const listeners = new Set<Listener>();
let shared: Stream | null = null;

/** Starts the console's shared stream (after sign-in). */
export function startLive(): void {
  if (shared) return;
  shared = openStream('', (e) => listeners.forEach((fn) => fn(e)), { trackState: true });
}
export function stopLive(): void {
  shared?.close();
  shared = null;
}
/** Listens to the shared stream; returns the function that stops listening. */
export function onLive(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
/** Follows one call's live dialogue (and its state). */
export function followAttempt(attemptId: string, fn: Listener): Stream {
  return openStream(`?attempt=${encodeURIComponent(attemptId)}`, fn);
}
