import type { AppContext } from '../context.js';
import { findAttemptById, setPlatformData } from '../store/repositories/attempts.js';
import type { CallEngine } from '../voice/port.js';
import { advanceDialogue } from './dialogue/advance.js';
import { handleCallEvent } from './handleCallEvent.js';

/** The engine as voice-platform adapters see it (src/voice/port.ts `CallEngine`). */
export function createCallEngine(ctx: AppContext): CallEngine {
  return {
    advance: (attemptId, step, input, o) => advanceDialogue(ctx, attemptId, step, input, o),
    repeat: (attemptId, step) => advanceDialogue(ctx, attemptId, step, undefined),
    event: (e) => handleCallEvent(ctx, e),
    remember: (attemptId, data) => setPlatformData(ctx.db, attemptId, data),
    async callState(attemptId) {
      const a = await findAttemptById(ctx.db, attemptId);
      if (!a) return undefined;
      return { attemptId: a.id, completed: a.status === 'completed', providerCallId: a.providerCallId, amdVerdict: a.amdVerdict, platformData: a.platformData };
    },
  };
}
