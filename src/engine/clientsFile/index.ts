/**
 * Clients files (T2, V5): the template to download and the import of CSV, TXT and XLSX lists
 * of people to call (numbers typed by hand are a TXT list: one or several a line).
 */
export { buildClientsTemplate } from './buildTemplate.js';
export type { ClientsTemplateFile, ClientsTemplateInput } from './buildTemplate.js';
export type { ClientsFileInput } from './byteSource.js';
export { ROW_REASON } from './fileErrors.js';
export type { ClientsFileOptions, ColumnMapping } from './options.js';
export { columnMappingSchema } from './options.js';
export { openClientsFile, parseClientsFile, parseClientsFileAll } from './parseClientsFile.js';
export { configureClientsFiles } from './limits.js';
export type { ClientsFileReader, ClientsFileResult } from './parseClientsFile.js';
export { rowIssueToFieldIssue } from './rowIssue.js';
export type * from './types.js';
