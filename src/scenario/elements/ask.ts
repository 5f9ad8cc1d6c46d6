import { z } from 'zod';
import { BUILTIN_INTENTS, phrasesOf, recognise, type Branch } from '../recognition.js';
import { VARIABLE_NAME, variablesIn } from '../variables.js';
import { defineElement } from './contract.js';

const exitName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,39}$/, { message: 'validation.exit_name' });

const settingsSchema = z
  .object({
    question: z.string().trim().min(1).max(2000),
    /** Said instead of the question when the callee said nothing or nothing recognisable. */
    reprompt: z.string().trim().max(2000).default(''),
    branches: z
      .array(
        z
          .object({
            id: exitName,
            intent: z.enum(BUILTIN_INTENTS).optional(),
            keywords: z.array(z.string().trim().min(1).max(100)).max(50).default([]),
          })
          .strict(),
      )
      .min(1)
      .max(20),
    /** Seconds to wait for the callee to start speaking. */
    timeoutSec: z.number().min(1).max(30).default(5),
    /** How many times to ask again after silence or an unrecognised answer. */
    retries: z.number().int().min(0).max(3).default(1),
    /** Store the callee's words in this variable. */
    saveAs: z.string().regex(VARIABLE_NAME, { message: 'validation.variable_name' }).optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.branches.forEach((b, i) => {
      if (seen.has(b.id) || b.id === 'noMatch' || b.id === 'noInput') {
        ctx.addIssue({ code: 'custom', path: ['branches', i, 'id'], message: 'validation.duplicate_exit', params: { exit: b.id } });
      }
      seen.add(b.id);
      if (!b.intent && b.keywords.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['branches', i, 'keywords'], message: 'validation.branch_needs_keywords' });
      }
    });
  });

type AskSettings = z.output<typeof settingsSchema>;

const branchesOf = (s: AskSettings): Branch[] => s.branches.map((b) => ({ id: b.id, intent: b.intent, keywords: b.keywords }));

/** M10: asks a question and branches by what the callee answers (intents or keywords). */
export const ask = defineElement({
  type: 'ask',
  spec: 'M10',
  settingsSchema,
  needs: 'media',
  waitsForCallee: true,
  exits: (s) => [
    ...s.branches.map((b) => ({ name: b.id, required: true })),
    { name: 'noMatch', required: false },
    { name: 'noInput', required: false },
  ],
  variablesUsed: (s) => [...variablesIn(s.question), ...variablesIn(s.reprompt)],
  variablesSet: (s) => (s.saveAs ? [s.saveAs] : []),
  branches: branchesOf,
  async run(ctx) {
    const s = ctx.settings;
    const branches = branchesOf(s);
    const question = ctx.render(s.question);
    const hints = branches.flatMap(phrasesOf);
    let last: 'noInput' | 'noMatch' = 'noInput';
    let heardText = '';
    for (let round = 0; round <= s.retries; round++) {
      await ctx.media!.say(round === 0 || !s.reprompt ? question : ctx.render(s.reprompt));
      const heard = await ctx.media!.listen({ timeoutSec: s.timeoutSec, hints, expect: branches });
      heardText = heard.text.trim();
      if (!heardText) {
        last = 'noInput';
        continue;
      }
      const branch = recognise(heardText, branches);
      if (branch) {
        return {
          exit: branch.id,
          setVars: s.saveAs ? { [s.saveAs]: heardText } : undefined,
          answer: { question, text: heardText, branch: branch.id },
          detail: heardText,
        };
      }
      last = 'noMatch';
    }
    return {
      exit: last,
      setVars: s.saveAs ? { [s.saveAs]: heardText } : undefined,
      answer: { question, text: heardText, branch: last },
      detail: heardText || undefined,
    };
  },
});
