import type { Logger } from './log.js';

/**
 * A serving process is never ended by one stray failure: an unhandled promise rejection or an
 * uncaught exception (an 'error' event nobody listened to) is logged with its stack and the
 * process keeps serving. Requests, calls and workers each handle their own errors; this is the
 * net under them, so the next one that slips through costs a log line instead of every live call.
 * Node's default for both is to exit, which for a dialler means dropping every call in progress.
 */
export interface ProcessGuards {
  /** Failures caught by the guards since they were installed. */
  caught(): number;
  remove(): void;
}

export function installProcessGuards(log: Logger, proc: NodeJS.Process = process): ProcessGuards {
  let caught = 0;
  const onRejection = (reason: unknown) => {
    caught++;
    log.error({ err: reason }, 'unhandled promise rejection; the process keeps serving');
  };
  const onException = (err: Error, origin: string) => {
    caught++;
    log.error({ err, origin }, 'uncaught exception; the process keeps serving');
  };
  proc.on('unhandledRejection', onRejection);
  proc.on('uncaughtException', onException);
  return {
    caught: () => caught,
    remove() {
      proc.off('unhandledRejection', onRejection);
      proc.off('uncaughtException', onException);
    },
  };
}
