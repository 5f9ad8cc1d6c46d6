import type { AppContext } from '../../context.js';
import { endImport, removeImportedContacts, staleImports } from '../../store/repositories/campaignImports.js';

/**
 * What an import that did not finish leaves behind is removed: its contacts (their numbers with
 * them) a few thousand at a time, each step a short statement of its own so the rest of the server
 * keeps its turns, then the row that kept the campaign from dialling them.
 */
export async function discardImport(app: AppContext, i: { id: string; campaignId: string }): Promise<void> {
  while ((await removeImportedContacts(app.db, i, 2000)) > 0) {
    // The next step waits for the loop's next turn: requests are read in between.
    await new Promise((resolve) => setImmediate(resolve));
  }
  await endImport(app.db, i.id);
}

/** Imports this process is running now (on PGlite, the only ones that can be alive). */
export const importsRunningHere = new Set<string>();

// A running import writes its heartbeat with every batch (a thousand rows, about a second).
const STALE_AFTER_MS = 10 * 60_000;

/**
 * Imports whose process died half-way. On PostgreSQL another process may be importing: only an
 * import silent for ten minutes is taken for dead. PGlite has one process, so any import it is not
 * running itself is dead (a restart removes the leftovers at once).
 */
export async function discardStaleImports(app: AppContext): Promise<void> {
  const now = app.clock.now().getTime();
  const before = app.db.kind === 'pglite' ? new Date(8.64e15) : new Date(now - STALE_AFTER_MS);
  const stale = (await staleImports(app.db, before)).filter((i) => !importsRunningHere.has(i.id));
  for (const i of stale) {
    app.log.warn({ importId: i.id, campaignId: i.campaignId }, 'clients-file import: removing what an unfinished import stored');
    await discardImport(app, i);
  }
}
