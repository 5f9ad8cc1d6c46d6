/**
 * Clients files (T2, V5): the template to download and the import of CSV, TXT and XLSX lists
 * of people to call, plus numbers typed by hand.
 */
export { buildClientsTemplate, clientsTemplateInputSchema } from './buildTemplate.js';
export type { ClientsTemplateFile, ClientsTemplateInput } from './buildTemplate.js';
export type { ClientsFileInput } from './byteSource.js';
export { ROW_REASON } from './fileErrors.js';
export { parseManualNumbers } from './manualNumbers.js';
export type { ManualNumbers } from './manualNumbers.js';
export { CLIENTS_FILE_DEFAULTS, clientsFileOptionsSchema } from './options.js';
export type { ClientsFileOptions } from './options.js';
export { isCommentRow, openClientsFile, parseClientsFile, parseClientsFileAll } from './parseClientsFile.js';
export type { ClientsFileReader, ClientsFileResult } from './parseClientsFile.js';
export { rowIssueToFieldIssue } from './rowIssue.js';
export type * from './types.js';
