import { z } from 'zod';
import { defineElement } from './contract.js';

const code = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, { message: 'validation.result_code' });

/** Sets the call's result and tags: what the CRM sees and automation branches on. */
export const setResult = defineElement({
  type: 'setResult',
  spec: 'M-result',
  settingsSchema: z
    .object({
      result: code,
      tags: z.array(code).max(10).default([]),
      /** Ask the campaign to call this number again after so many minutes (capped by its attempts). */
      redialAfterMinutes: z.number().int().min(1).max(60 * 24 * 30).optional(),
    })
    .strict(),
  needs: 'none',
  exits: () => [{ name: 'next', required: true }],
  variablesUsed: () => [],
  variablesSet: () => [],
  run: async (ctx) => ({
    exit: 'next',
    result: { code: ctx.settings.result, tags: [...new Set(ctx.settings.tags)], redialAfterMinutes: ctx.settings.redialAfterMinutes },
    detail: ctx.settings.result,
  }),
});
