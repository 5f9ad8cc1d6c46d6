import type { HookRecord } from './types.js';

/**
 * What amoCRM sends to the integration: the one-shot install redirect and the disable hook (GET,
 * 3 s budget, never retried, answer ignored — brief §1), and Digital Pipeline widget hooks (POST,
 * JSON or form-encoded with string values — brief §4, gotcha 11; never retried).
 */
export async function sendHook(kind: HookRecord['kind'], url: string, init: RequestInit, timeoutMs: number): Promise<HookRecord & { body: string }> {
  const started = performance.now();
  try {
    const res = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    const body = await res.text();
    return { kind, url, status: res.status, ms: performance.now() - started, error: null, body };
  } catch (e) {
    return { kind, url, status: 0, ms: performance.now() - started, error: (e as Error).name === 'TimeoutError' ? 'timeout' : (e as Error).message, body: '' };
  }
}

/** `{a: {b: [1, 2]}}` → `a[b][0]=1&a[b][1]=2`, every value a string (how amoCRM posts forms). */
export function encodeForm(value: unknown): string {
  const out: string[] = [];
  const walk = (prefix: string, v: unknown) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(`${prefix}[${i}]`, x));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(prefix ? `${prefix}[${k}]` : k, x);
    else if (v !== undefined && v !== null) out.push(`${encodeURIComponent(prefix)}=${encodeURIComponent(String(v))}`);
  };
  walk('', value);
  return out.join('&');
}
