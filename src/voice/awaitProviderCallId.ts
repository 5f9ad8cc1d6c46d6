import type { CallEngine } from './port.js';

/**
 * After a "place the call" request whose answer was lost (it may have landed): waits up to
 * `withinMs` for the platform's first callback to name the call, so the adapter adopts that call
 * instead of placing a second one. Undefined when no callback came in time.
 */
export async function awaitProviderCallId(engine: Pick<CallEngine, 'callState'>, attemptId: string, withinMs: number): Promise<string | undefined> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    const s = await engine.callState(attemptId);
    if (s?.providerCallId) return s.providerCallId;
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}
