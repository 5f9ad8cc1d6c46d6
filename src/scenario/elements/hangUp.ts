import { z } from 'zod';
import { variablesIn } from '../variables.js';
import { defineElement } from './contract.js';

/** M14: says an optional goodbye and ends the call. */
export const hangUp = defineElement({
  type: 'hangUp',
  spec: 'M14',
  settingsSchema: z.object({ text: z.string().trim().max(2000).default('') }).strict(),
  needs: 'media',
  exits: () => [],
  variablesUsed: (s) => variablesIn(s.text),
  variablesSet: () => [],
  async run(ctx) {
    const text = ctx.render(ctx.settings.text);
    if (text) await ctx.media!.say(text);
    await ctx.media!.hangup();
    return { end: { kind: 'hangup' }, detail: text || undefined };
  },
});
