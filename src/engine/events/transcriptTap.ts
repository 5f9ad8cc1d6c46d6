import type { Logger } from '../../log.js';
import type { CallMedia } from '../../scenario/media.js';
import type { Queryable } from '../../store/db.js';
import { announce } from './consoleEvents.js';

/**
 * Lets the console follow a call's dialogue as it happens ("Test call" in the template editor, the
 * attempts of a live campaign): what the bot says and what the callee is heard to say are announced
 * as `transcript` events. Only observes — the call's media is used exactly as before. Best effort:
 * the attempt's stored steps and answers stay the record; a line that could not be announced is
 * only missing from the live view.
 */
export function tapTranscript(media: CallMedia, o: { db: Queryable; tenantId: string; attemptId: string; log: Logger; elapsedMs(): number }): CallMedia {
  const line = (who: 'bot' | 'callee', text: string): void => {
    announce(o.db, { type: 'transcript', tenantId: o.tenantId, attemptId: o.attemptId, who, text, atMs: Math.round(o.elapsedMs()) }).catch((err: unknown) =>
      o.log.debug({ err, attemptId: o.attemptId }, 'live transcript line not announced'),
    );
  };
  return {
    async say(text) {
      line('bot', text);
      return media.say(text);
    },
    async listen(opts) {
      const heard = await media.listen(opts);
      line('callee', heard.text);
      return heard;
    },
    transfer: (target) => media.transfer(target),
    hangup: () => media.hangup(),
  };
}
