import { z } from 'zod';
import { variablesIn } from '../variables.js';
import { defineElement } from './contract.js';

const OPERATORS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'contains', 'not_contains', 'empty', 'not_empty'] as const;
type Operator = (typeof OPERATORS)[number];

function asNumber(v: string): number | undefined {
  const n = Number(v.replace(',', '.').replace(/\s/g, ''));
  return v.trim() !== '' && Number.isFinite(n) ? n : undefined;
}

/** Compares two values: as numbers when both are numbers, otherwise as case-insensitive text. */
export function compare(left: string, op: Operator, right: string): boolean {
  const l = left.trim();
  const r = right.trim();
  const ln = asNumber(l);
  const rn = asNumber(r);
  const numeric = ln !== undefined && rn !== undefined;
  const lt = l.toLowerCase();
  const rt = r.toLowerCase();
  switch (op) {
    case 'eq':
      return numeric ? ln === rn : lt === rt;
    case 'ne':
      return numeric ? ln !== rn : lt !== rt;
    case 'gt':
      return numeric ? ln > rn : lt > rt;
    case 'gte':
      return numeric ? ln >= rn : lt >= rt;
    case 'lt':
      return numeric ? ln < rn : lt < rt;
    case 'lte':
      return numeric ? ln <= rn : lt <= rt;
    case 'contains':
      return lt.includes(rt);
    case 'not_contains':
      return !lt.includes(rt);
    case 'empty':
      return l === '';
    case 'not_empty':
      return l !== '';
  }
}

/** M19: condition on two values, e.g. "{name} is not empty" → greet by name. */
export const condition = defineElement({
  type: 'condition',
  spec: 'M19',
  settingsSchema: z
    .object({
      left: z.string().max(500),
      operator: z.enum(OPERATORS),
      right: z.string().max(500).default(''),
    })
    .strict(),
  needs: 'none',
  exits: () => [
    { name: 'true', required: true },
    { name: 'false', required: true },
  ],
  variablesUsed: (s) => [...variablesIn(s.left), ...variablesIn(s.right)],
  variablesSet: () => [],
  async run(ctx) {
    const ok = compare(ctx.render(ctx.settings.left), ctx.settings.operator, ctx.render(ctx.settings.right));
    return { exit: ok ? 'true' : 'false' };
  },
});
