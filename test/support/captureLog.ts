import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log.js';

/** A logger that keeps its lines in memory, for tests that assert what was (not) logged. */
export interface CapturedLog {
  log: Logger;
  lines(): Record<string, unknown>[];
}

export function captureLog(level = 'warn'): CapturedLog {
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      raw.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  return { log: createLogger(level, { destination }), lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>) };
}
