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
    })
    .strict(),
  needs: 'none',
  exits: () => [{ name: 'next', required: true }],
  variablesUsed: () => [],
  variablesSet: () => [],
  run: async (ctx) => ({
    exit: 'next',
    result: { code: ctx.settings.result, tags: [...new Set(ctx.settings.tags)] },
    detail: ctx.settings.result,
  }),
});
