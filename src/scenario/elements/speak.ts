import { z } from 'zod';
import { variablesIn } from '../variables.js';
import { defineElement } from './contract.js';

/** M11: speech synthesis with {variables}; does not wait for an answer. */
export const speak = defineElement({
  type: 'speak',
  spec: 'M11',
  settingsSchema: z.object({ text: z.string().trim().min(1).max(2000) }).strict(),
  needs: 'media',
  exits: () => [{ name: 'next', required: true }],
  variablesUsed: (s) => variablesIn(s.text),
  variablesSet: () => [],
  async run(ctx) {
    const text = ctx.render(ctx.settings.text);
    await ctx.media!.say(text);
    return { exit: 'next', detail: text };
  },
});
