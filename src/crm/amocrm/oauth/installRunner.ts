import type { AmoContext } from '../amoContext.js';
import { processInstallCode } from './install.js';

/**
 * Runs an install's exchange right after the redirect was answered, in this process; the pending
 * codes sweep (src/crm/amocrm/maintenance.ts) retries whatever this could not finish (a crash, a
 * slow account). Tracked, so shutdown waits for exchanges in progress — a code is single-use and
 * must not be dropped halfway.
 */
export class InstallRunner {
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly ctx: AmoContext) {}

  start(id: string): void {
    const p = processInstallCode(this.ctx, id).catch((e: unknown) => this.ctx.log.error({ err: e, installCode: id }, 'amocrm: install exchange failed; the sweep retries'));
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
  }

  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }
}
