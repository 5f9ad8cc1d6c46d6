import type { AppContext } from '../../context.js';
import type { Locale } from '../../i18n.js';
import { callHistory as history, type HistoryEntry } from '../shared/history.js';
import { recordingLink } from '../shared/recordingLink.js';
import { outcomeText } from './writeback/callTexts.js';

export type { HistoryEntry } from '../shared/history.js';

/**
 * A deal's or lead's call history for its tab (C3): the shared history (src/crm/shared/history.ts)
 * of the campaign contacts whose external id is the document (`DEAL_123`), outcomes in the
 * portal's language, and a recording link that expires (`recordingTtlMs`: a page plays it now;
 * only the CRM timeline gets a lasting one). Whether the user may see this document is the
 * caller's check.
 */
export function callHistory(app: AppContext, tenantId: string, document: string, lng: Locale, o: { recordingTtlMs: number; limit?: number }): Promise<HistoryEntry[]> {
  return history(app.db, tenantId, document, { outcomeText: (x) => outcomeText(lng, x), recordingLink: (a) => recordingLink(app, a, o.recordingTtlMs), limit: o.limit });
}
