import { isoDate } from './clock.js';

/** The `time` object of every REST answer (RD:limits.md). The SDK refuses answers without it (§7.5). */
export interface RestTime {
  start: number;
  finish: number;
  duration: number;
  processing: number;
  date_start: string;
  date_finish: string;
  operating_reset_at: number;
  operating: number;
}

/**
 * Builds `time` for a call that started at `startMs` and "took" `costSeconds` of server time.
 * `operating` is the method's accumulated execution time in the window, including this call.
 */
export function buildTime(startMs: number, costSeconds: number, operating: number, operatingResetAt: number): RestTime {
  const finishMs = startMs + costSeconds * 1000;
  return {
    start: startMs / 1000,
    finish: finishMs / 1000,
    duration: (finishMs - startMs) / 1000,
    processing: costSeconds,
    date_start: isoDate(startMs),
    date_finish: isoDate(finishMs),
    operating_reset_at: operatingResetAt,
    operating: Number(operating.toFixed(6)),
  };
}

/**
 * PHP `json_encode` of an associative array: a list when keys are exactly 0..n-1 (and `[]` when
 * empty — batch answers carry `"result_error": []`), otherwise an object.
 */
export function phpArray(entries: ReadonlyArray<readonly [string, unknown]>): unknown[] | Record<string, unknown> {
  const isList = entries.every(([key], index) => key === String(index));
  if (isList) return entries.map(([, value]) => value);
  return Object.fromEntries(entries);
}
