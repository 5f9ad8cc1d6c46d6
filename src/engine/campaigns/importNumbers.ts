import { notFound, conflict } from '../../core/errors.js';
import type { AppContext } from '../../context.js';
import type { ScenarioGraph } from '../../scenario/schema.js';
import { withTransaction } from '../../store/db.js';
import { newId } from '../../store/ids.js';
import { beginImport, endImport, touchImport } from '../../store/repositories/campaignImports.js';
import type { NewContact } from '../../store/repositories/numbers.js';
import { findCampaign } from '../../store/repositories/campaigns.js';
import { findVersioned, SCENARIOS } from '../../store/repositories/versioned.js';
import { openClientsFile, type ClientsFileReader, type ColumnMapping, type RowIssue, type ClientsFileInput } from '../clientsFile/index.js';
import { insertPlannedContacts, planContacts, type AddResult } from './addContacts.js';
import { analyzeCampaignTables } from './analyze.js';
import { loadRuntime, type CampaignRuntime } from './runtime.js';
import { discardImport, importsRunningHere } from './unfinishedImports.js';

/**
 * Imports a clients file (CSV / XLSX / TXT) into a campaign (V5): rows stream in batches; valid rows
 * are kept and every bad row is reported (row, value, reason); duplicates within the file and with
 * the campaign collapse. A file that turns out unreadable half-way leaves nothing.
 *
 * Each batch is stored in a transaction of its own: on PGlite a transaction holds the only database
 * session, and one for the whole file kept every other statement waiting until the import ended
 * (8–11 s for 100,000 rows). Until the last batch is stored, the import's row in campaign_imports
 * keeps the campaign from being dialled; if the import fails, what it stored is removed
 * (src/engine/campaigns/unfinishedImports.ts), and so is what a process that died half-way stored.
 */
export interface ImportReport {
  format: string;
  encoding: string | null;
  rows: number;
  contactsAdded: number;
  numbersAdded: number;
  duplicatesInFile: number;
  duplicatesInCampaign: number;
  errors: RowIssue[];
  warnings: RowIssue[];
  /** More issues were found than are listed. */
  issuesTruncated: boolean;
  unknownColumns: string[];
  missingVariables: string[];
}

const MAX_LISTED_ISSUES = 1000;
// Rows per insert statement. On PGlite a statement runs synchronously in this thread: 250 rows
// keep each pause of the event loop short (1,000 rows blocked it for 150–380 ms on a busy 2-core
// machine, 250 for a quarter of that) at a small cost in throughput. A server takes them in bulk.
const INSERT_ROWS = { pglite: 250, postgres: 2000 } as const;

export async function importNumbers(
  app: AppContext,
  tenantId: string,
  campaignId: string,
  file: { filename: string; mimeType: string; data: ClientsFileInput },
  /** The columns as mapped in the console's preview; absent = the automatic mapping. */
  mapping?: ColumnMapping[],
): Promise<ImportReport> {
  const campaign = await findCampaign(app.db, tenantId, campaignId);
  if (!campaign) throw notFound('campaign', campaignId);
  if (campaign.status === 'completed') throw conflict('errors.campaign_completed_add');
  const rt = await loadRuntime(app.db, campaign);
  const scenario = rt.template ? await findVersioned<ScenarioGraph>(app.db, SCENARIOS, tenantId, rt.template.body.scenarioId) : undefined;
  const reader = await openClientsFile(file.data, {
    country: rt.template?.body.country ?? 'RU',
    variables: scenario?.body.variables.map((v) => v.name) ?? [],
    filename: file.filename,
    contentType: file.mimeType,
    ...(mapping?.length ? { columns: mapping } : {}),
  });
  const report: ImportReport = {
    format: reader.meta.format,
    encoding: reader.meta.encoding ?? null,
    rows: 0,
    contactsAdded: 0,
    numbersAdded: 0,
    duplicatesInFile: 0,
    duplicatesInCampaign: 0,
    errors: [],
    warnings: [],
    issuesTruncated: false,
    unknownColumns: reader.meta.unknownColumns ?? [],
    missingVariables: reader.meta.missingVariables ?? [],
  };
  const keep = (list: RowIssue[], more: RowIssue[]) => {
    for (const i of more) {
      if (list.length < MAX_LISTED_ISSUES) list.push(i);
      else report.issuesTruncated = true;
    }
  };
  const importId = newId();
  // Known as running before its row exists: the sweep of dead imports must never take it for one.
  importsRunningHere.add(importId);
  let begun = false;
  try {
    try {
      begun = await beginImport(app.db, { id: importId, campaignId, tenantId, now: app.clock.now() });
      if (!begun) throw conflict('errors.import_in_progress');
      await storeBatches(app, importId, rt, reader, report, keep);
    } finally {
      await reader.close();
    }
    await endImport(app.db, importId);
  } catch (e) {
    // If this fails too (the database is gone), the sweep of dead imports removes it later.
    if (begun) {
      await discardImport(app, { id: importId, campaignId }).catch((d: unknown) =>
        app.log.error({ err: d, importId, campaignId }, 'clients-file import: removing a failed import failed; it is retried later'),
      );
    }
    throw e;
  } finally {
    importsRunningHere.delete(importId);
  }
  // Fresh statistics after a large load: PGlite has no autovacuum, and a server's may not have run
  // yet; stale ones make the dispatcher's joins scan the whole table.
  if (report.numbersAdded >= 5000) await analyzeCampaignTables(app.db);
  report.rows = reader.stats.dataRows;
  report.duplicatesInFile = reader.stats.duplicateRows;
  app.wake.dispatcher();
  return report;
}

/**
 * Plans and inserts the file's batches into the campaign. One batch is stored while the next is
 * planned (and, in its worker, the one after is parsed): on PostgreSQL the server inserts while
 * this thread works, where each side used to wait for the other.
 */
async function storeBatches(
  app: AppContext,
  importId: string,
  rt: CampaignRuntime,
  reader: ClientsFileReader,
  report: ImportReport,
  keep: (list: RowIssue[], more: RowIssue[]) => void,
): Promise<void> {
  let nextAnalyze = 5000;
  let storing: Promise<void> | undefined;
  try {
    for await (const batch of reader) {
      keep(report.errors, batch.errors);
      keep(report.warnings, batch.warnings);
      if (batch.rows.length === 0) continue;
      const items = batch.rows.map((row) => ({ phones: row.phones, variables: row.variables, externalId: row.externalId ?? null }));
      const planned = await planContacts(app, rt, items);
      await storing;
      // Statistics keep up with a growing campaign (at 5,000 rows, then at every doubling):
      // plans made while the tables looked empty would scan them on every insert.
      if (report.numbersAdded >= nextAnalyze) {
        await analyzeCampaignTables(app.db);
        while (nextAnalyze <= report.numbersAdded) nextAnalyze *= 2;
      }
      storing = storeBatch(app, importId, rt, planned).then((r) => {
        report.contactsAdded += r.contacts;
        report.numbersAdded += r.numbers;
        report.duplicatesInCampaign += r.duplicatePhones.length;
      });
      storing.catch(() => undefined); // awaited before the next batch or below; not unhandled meanwhile
    }
  } catch (e) {
    // A file refused half-way: the batch being stored ends before the transaction rolls back.
    await storing?.catch(() => undefined);
    throw e;
  }
  await storing;
}

/** One batch in one transaction, with the import's heartbeat. */
async function storeBatch(app: AppContext, importId: string, rt: CampaignRuntime, planned: NewContact[]): Promise<AddResult> {
  return withTransaction(app.db, async (tx) => {
    // Gone when the campaign was deleted meanwhile, or the import was taken for dead: stop here.
    if (!(await touchImport(tx, importId, app.clock.now()))) throw conflict('errors.import_interrupted');
    return insertPlannedContacts(tx, rt, planned, INSERT_ROWS[app.db.kind], importId);
  });
}
