import Router from '@koa/router';
import coBody from 'co-body';
import { z } from 'zod';
import { DomainError } from '../../core/errors.js';
import { parseInput } from '../../core/validation.js';
import type { AppContext } from '../../context.js';
import { VoicePlatformError } from '../../voice/port.js';
import { scenarioEventSchema } from '../../voice/voximplant/protocol.js';
import type { VoximplantPlatform } from '../../voice/voximplant/voximplantPlatform.js';
import { ON_THE_LINE, withPriority } from '../../store/dbPriority.js';
import type { DozvonState } from '../state.js';

/**
 * Callbacks of Dozvon's VoxEngine scenario. The signature is keyed with the call's own token
 * (derived from the attempt id, src/voice/voximplant/callToken.ts), so the body is read for its
 * attempt id first and checked in constant time before anything else in it is used. The answer
 * is the scenario's next instruction, in milliseconds (its HTTP timeout is 30 s).
 */
const attemptOnly = z.object({ attemptId: z.uuid() }).loose();

export function voximplantRouter(app: AppContext, platform: VoximplantPlatform): Router<DozvonState> {
  const router = new Router<DozvonState>({ prefix: '/voice/voximplant' });
  router.post('/events', async (ctx) => {
    const raw = await coBody.text(ctx.req, { limit: '256kb' });
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new DomainError('unauthorized', 'errors.callback_signature');
    }
    const who = attemptOnly.safeParse(json);
    const ok = who.success && platform.verify(who.data.attemptId, raw, ctx.get('x-dozvon-timestamp') || undefined, ctx.get('x-dozvon-signature') || undefined, Math.floor(Date.now() / 1000));
    if (!ok) throw new DomainError('unauthorized', 'errors.callback_signature');
    const event = parseInput(scenarioEventSchema, json);
    try {
      // The scenario waits for its next instruction on every event, with the callee on the line.
      ctx.body = await withPriority(ON_THE_LINE, () => platform.handle(event));
    } catch (e) {
      if (e instanceof VoicePlatformError && !e.technical) throw new DomainError('not_found', 'errors.not_found', { entity: 'attempt', id: event.attemptId });
      throw e;
    }
  });
  return router;
}
