import type { FieldIssue } from '../../core/errors.js';
import type { RowIssue } from './types.js';

/**
 * A row issue as a `FieldIssue` (path `rows.<rowNumber>[.<column>]`), for answering with
 * `validationFailed` when a caller wants the import all-or-nothing.
 */
export function rowIssueToFieldIssue(issue: RowIssue): FieldIssue {
  return {
    path: issue.column ? `rows.${issue.rowNumber}.${issue.column}` : `rows.${issue.rowNumber}`,
    key: issue.reason.key,
    params: { ...issue.reason.params, row: issue.rowNumber, value: issue.value },
  };
}
