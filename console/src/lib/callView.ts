import { callView, type CallEntry, type CallTexts, type CallView } from '../../../widgets/shared/callView';
import type { Attempt } from '../api/types';
import { currentLang, exists, t } from '../i18n';

/**
 * The console's side of the shared call view (widgets/shared/callView.ts — the same module the
 * Bitrix24 tab and the amoCRM panel draw their call cards from): the console's texts and language,
 * and its attempts in the shape the CRM panels receive.
 */
export function consoleCallTexts(): CallTexts {
  // Reading `currentLang` here makes a computed view follow a language switch.
  return { t, has: exists, lang: currentLang.value };
}

/** Outcomes after which a recording is expected (the others never had a conversation to record). */
const RECORDED = new Set(['human', 'machine', 'short']);

export function attemptEntry(a: Attempt, templateName?: string | null): CallEntry {
  return {
    status: a.status,
    outcome: a.outcome,
    phone: a.phone,
    templateName: templateName ?? null,
    attemptNo: a.attemptNo,
    startedAt: a.dialedAt ?? a.createdAt,
    durationSec: a.durationSec,
    talkSec: a.talkSec,
    result: a.result,
    tags: a.tags,
    gender: a.gender,
    answers: Object.values(a.answers),
    recordingUrl: a.recordingUrl,
    // The console's attempt has no "being saved" flag: a finished call that should have a recording and has none yet is being saved.
    recordingPending: a.status === 'completed' && !a.recordingUrl && a.outcome !== null && RECORDED.has(a.outcome),
    amdVerdict: a.amdVerdict,
    error: a.error,
    ineffective: a.ineffective,
  };
}

export function attemptView(a: Attempt, templateName?: string | null): CallView {
  return callView(attemptEntry(a, templateName), consoleCallTexts());
}
