import type { AppContext } from '../../context.js';
import type { Locale } from '../../i18n.js';
import { callHistory as history, type HistoryEntry } from '../shared/history.js';
import { recordingLink } from '../shared/recordingLink.js';
import { outcomeText } from './writeback/callTexts.js';

/**
 * A deal's or lead's call history for its tab (C3): the shared history (src/crm/shared/history.ts)
 * of the campaign contacts whose external id is the document (`DEAL_123`), outcomes in the
 * portal's language.
 */
export type { HistoryEntry } from '../shared/history.js';

export function callHistory(app: AppContext, tenantId: string, document: string, lng: Locale, limit = 100): Promise<HistoryEntry[]> {
  return history(app.db, tenantId, document, { outcomeText: (o) => outcomeText(lng, o), recordingLink: (a) => recordingLink(app, a), limit });
}
