import examples from 'libphonenumber-js/mobile/examples';
import { getExampleNumber, type CountryCode } from 'libphonenumber-js/max';
import type { SheetData } from 'write-excel-file/node';
import { z } from 'zod';
import { validationFailed } from '../../core/errors.js';
import { isSupportedCountry } from '../../core/phone.js';
import { spreadsheetSafe } from '../../core/spreadsheetCell.js';
import { LOCALES, t, type Locale } from '../../i18n.js';
import { isExactPhoneHeader, normalizeHeader, variableGroupOf } from './headerAliases.js';
import { zodIssues } from './options.js';

/** What the "download template" link (T2) asks for. */
export const clientsTemplateInputSchema = z.object({
  format: z.enum(['csv', 'xlsx']),
  /** The scenario's variables, in the order the columns should have. */
  variables: z
    .array(
      z.object({
        name: z.string().trim().min(1).max(200),
        /** Shown under the header so whoever fills the file knows what goes there. */
        description: z.string().trim().max(1000).optional(),
      }),
    )
    .max(500)
    .default([]),
  locale: z.enum(LOCALES),
  /** The template's country: picks the example number. */
  country: z
    .string()
    .trim()
    .toUpperCase()
    .refine((c) => isSupportedCountry(c), { message: 'unsupported country' })
    .default('RU'),
  /** CSV column separator; by default `;` for Russian, `,` for English (see below). */
  delimiter: z.enum([',', ';', '\t']).optional(),
});

export type ClientsTemplateInput = z.input<typeof clientsTemplateInputSchema>;

/** A file ready to send: `Content-Disposition: attachment; filename=…` plus the body. */
export interface ClientsTemplateFile {
  filename: string;
  contentType: string;
  body: Buffer;
}

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * The clients-file template of a scenario (T2): a header row with the phone column and the
 * variables under their machine names (the importer maps them back exactly), then a row of
 * descriptions and a row of examples, both starting with "# " so the importer skips them —
 * an example left in the file must never be dialled.
 *
 * CSV is UTF-8 with a BOM (Excel otherwise reads UTF-8 as cp1251) and CRLF line ends. The
 * delimiter follows the locale: Russian Excel splits on `;` (its list separator, since the
 * decimal mark is a comma) and would put a comma-separated file in one column; English Excel
 * splits on `,`. A `sep=;` line would force it, but Excel then ignores the BOM and garbles
 * Cyrillic, so there is none. The importer sniffs any of `,` `;` tab, so either way round-trips.
 */
export async function buildClientsTemplate(input: ClientsTemplateInput): Promise<ClientsTemplateFile> {
  const parsed = clientsTemplateInputSchema.safeParse(input);
  if (!parsed.success) throw validationFailed(zodIssues(parsed.error));
  const { format, locale, country } = parsed.data;
  const variables = templateVariables(parsed.data.variables);

  const header = [t(locale, 'clientsFile.template.phoneHeader'), ...variables.map((v) => v.name)];
  const descriptions = [
    `# ${t(locale, 'clientsFile.template.phoneDescription')}`,
    ...variables.map((v) => v.description || t(locale, 'clientsFile.template.variableDescription', { name: v.name })),
  ];
  const example = [`# ${exampleNumber(country)}`, ...variables.map((v) => sampleValue(locale, v.name))];

  if (format === 'csv') {
    const delimiter = parsed.data.delimiter ?? (locale === 'ru' ? ';' : ',');
    const lines = [header, descriptions, example].map((row) => row.map((cell) => csvCell(spreadsheetSafe(cell), delimiter)).join(delimiter));
    return {
      filename: 'clients-template.csv',
      contentType: 'text/csv; charset=utf-8',
      body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.join('\r\n') + '\r\n', 'utf8')]),
    };
  }

  const hint = { fontStyle: 'italic', textColor: '#6B7280', wrap: true, alignVertical: 'top' } as const;
  const data: SheetData = [
    header.map((value) => ({ value, fontWeight: 'bold', backgroundColor: '#E5E7EB' }) as const),
    descriptions.map((value) => ({ value, ...hint })),
    example.map((value) => ({ value, ...hint, format: '@' })),
  ];
  const { default: writeXlsxFile } = await import('write-excel-file/node');
  const body = await writeXlsxFile(data, {
    sheet: t(locale, 'clientsFile.template.sheetName'),
    stickyRowsCount: 1,
    columns: header.map((h, i) => ({ width: Math.min(40, Math.max(16, h.length + 4, i === 0 ? 24 : 0)) })),
  }).toBuffer();
  return { filename: 'clients-template.xlsx', contentType: XLSX_TYPE, body };
}

/** Variables that get a column: not the phone itself, no name twice. */
function templateVariables(variables: ReadonlyArray<{ name: string; description?: string | undefined }>) {
  const seen = new Set<string>();
  return variables.filter((v) => {
    const n = normalizeHeader(v.name);
    if (isExactPhoneHeader(v.name) || seen.has(n)) return false;
    seen.add(n);
    return true;
  });
}

function exampleNumber(country: string): string {
  return getExampleNumber(country as CountryCode, examples)?.formatInternational() ?? '+7 912 345 67 89';
}

function sampleValue(locale: Locale, variable: string): string {
  const group = variableGroupOf(variable);
  return t(locale, `clientsFile.template.samples.${group ?? 'other'}`);
}

function csvCell(cell: string, delimiter: string): string {
  return cell.includes(delimiter) || /["\r\n]/.test(cell) || cell !== cell.trim() ? `"${cell.replace(/"/g, '""')}"` : cell;
}
