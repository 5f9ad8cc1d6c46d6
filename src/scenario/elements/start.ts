import { z } from 'zod';
import { defineElement } from './contract.js';

/** M1: where every scenario begins. */
export const start = defineElement({
  type: 'start',
  spec: 'M1',
  settingsSchema: z.object({}).strict(),
  needs: 'none',
  exits: () => [{ name: 'next', required: true }],
  variablesUsed: () => [],
  variablesSet: () => [],
  run: async () => ({ exit: 'next' }),
});
