import { z } from 'zod';
import { variablesIn } from '../variables.js';
import { defineElement } from './contract.js';

/**
 * Hands the call over using the template's default redirect (T6): hang up, a number through a dial
 * plan, a transfer direction, a custom target, or another bot scenario (which continues the call).
 */
export const transfer = defineElement({
  type: 'transfer',
  spec: 'T6',
  settingsSchema: z.object({ text: z.string().trim().max(2000).default('') }).strict(),
  needs: 'media',
  exits: () => [],
  variablesUsed: (s) => variablesIn(s.text),
  variablesSet: () => [],
  async run(ctx) {
    const text = ctx.render(ctx.settings.text);
    if (text) await ctx.media!.say(text);
    const r = ctx.redirect;
    if (r.kind === 'scenario') return { end: { kind: 'switch_scenario', scenarioId: r.scenarioId }, detail: r.scenarioId };
    if (r.kind === 'hangup') {
      await ctx.media!.hangup();
      return { end: { kind: 'hangup' }, detail: 'hangup' };
    }
    const res = await ctx.media!.transfer(r.target);
    return {
      end: { kind: 'transfer', target: r.target, connected: res.connected },
      detail: res.answeredBy ?? (r.target.kind === 'custom' ? r.target.target : r.target.kind === 'phone' ? r.target.number : r.target.directionId),
    };
  },
});
