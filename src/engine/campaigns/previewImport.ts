import { conflict, notFound } from '../../core/errors.js';
import type { AppContext } from '../../context.js';
import type { ScenarioGraph } from '../../scenario/schema.js';
import { findCampaign } from '../../store/repositories/campaigns.js';
import { findVersioned, SCENARIOS, TEMPLATES } from '../../store/repositories/versioned.js';
import type { TemplateSettings } from '../../core/template.js';
import { openClientsFile, type ClientsFileMeta, type ColumnMapping, type RowIssue, type ClientsFileInput } from '../clientsFile/index.js';

/**
 * The console's import preview (V5): what the file is (format, encoding, delimiter), its first rows
 * as written, how each column is read (phone, a scenario variable, the external id, ignored — as
 * detected or as the person mapped it), and a dry run over the whole file — rows that would be
 * imported, rejected (with row, value and reason), duplicates within the file and numbers the
 * campaign already has. Nothing is written; the import itself (`importNumbers`) takes the same
 * mapping, so what the preview says is what the import does.
 */
export interface ImportPreview {
  meta: ClientsFileMeta;
  /** The scenario's variables, the columns can be mapped to. */
  variables: { name: string; description: string; required: boolean }[];
  report: {
    rows: number;
    validRows: number;
    rejectedRows: number;
    duplicateRowsInFile: number;
    duplicatePhonesInFile: number;
    phones: number;
    /** Numbers of the file the campaign already has (they would be skipped). */
    alreadyInCampaign: number;
    /** Valid numbers that are new to the campaign. */
    newPhones: number;
    errors: RowIssue[];
    warnings: RowIssue[];
    issuesTruncated: boolean;
  };
}

const MAX_LISTED = 200;

export async function previewImport(
  app: AppContext,
  tenantId: string,
  campaignId: string,
  file: { filename: string; mimeType: string; data: ClientsFileInput },
  mapping?: ColumnMapping[],
): Promise<ImportPreview> {
  const campaign = await findCampaign(app.db, tenantId, campaignId);
  if (!campaign) throw notFound('campaign', campaignId);
  if (campaign.status === 'completed') throw conflict('errors.campaign_completed_add');
  const template = await findVersioned<TemplateSettings>(app.db, TEMPLATES, tenantId, campaign.templateId);
  const scenario = template ? await findVersioned<ScenarioGraph>(app.db, SCENARIOS, tenantId, template.body.scenarioId) : undefined;
  const variables = scenario?.body.variables ?? [];
  const reader = await openClientsFile(file.data, {
    country: template?.body.country ?? 'RU',
    variables: variables.map((v) => v.name),
    filename: file.filename,
    contentType: file.mimeType,
    ...(mapping?.length ? { columns: mapping } : {}),
  });
  const errors: RowIssue[] = [];
  const warnings: RowIssue[] = [];
  let issuesTruncated = false;
  const keep = (list: RowIssue[], more: RowIssue[]) => {
    for (const i of more) {
      if (list.length < MAX_LISTED) list.push(i);
      else issuesTruncated = true;
    }
  };
  let alreadyInCampaign = 0;
  try {
    for await (const batch of reader) {
      keep(errors, batch.errors);
      keep(warnings, batch.warnings);
      const phones = batch.rows.flatMap((r) => r.phones);
      if (phones.length === 0) continue;
      const r = await app.db.query<{ n: string }>('SELECT count(*) AS n FROM campaign_numbers WHERE campaign_id = $1 AND phone = ANY($2::text[])', [campaignId, phones]);
      alreadyInCampaign += Number(r.rows[0]?.n ?? 0);
    }
  } finally {
    await reader.close();
  }
  const st = reader.stats;
  return {
    meta: reader.meta,
    variables: variables.map((v) => ({ name: v.name, description: v.description, required: v.required })),
    report: {
      rows: st.dataRows,
      validRows: st.validRows,
      rejectedRows: st.errorRows,
      duplicateRowsInFile: st.duplicateRows,
      duplicatePhonesInFile: st.duplicatePhones,
      phones: st.phones,
      alreadyInCampaign,
      newPhones: st.phones - alreadyInCampaign,
      errors,
      warnings,
      issuesTruncated,
    },
  };
}
