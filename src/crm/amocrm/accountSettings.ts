import { z } from 'zod';
import { validationFailed, type FieldIssue } from '../../core/errors.js';
import { parseInput } from '../../core/validation.js';
import type { Queryable } from '../../store/db.js';
import type { AmoContext } from './amoContext.js';
import type { AmoFieldDef } from './api/models.js';
import { findAccount, setAccountSettings } from './store/accounts.js';

/**
 * What an account's administrator sets in the widget's settings (`amo_accounts.settings`):
 *
 * - `fields`: lead custom fields the write-back fills — the call's result (text), the callee's
 *   gender (text, or a select / radio field with the items meaning female and male) and the
 *   collected answers (text or textarea). Checked against `GET /leads/custom_fields` when saved:
 *   a field of the wrong type or an unknown item would be dropped by amoCRM with 200 and nothing
 *   changed (gotcha 9), so it is refused here with a clear message instead;
 * - `notifyEmails`: who gets the e-mails when the account's campaigns pause (a ban, a revoked
 *   connection) or complete;
 * - `maxConcurrent`, `intensity`: the pace of the campaigns started from amoCRM (the template's
 *   calling window and the callee's zone decide when calls happen).
 */
const fieldRef = z.object({ fieldId: z.number().int().positive() }).strict();

export const accountSettingsSchema = z
  .object({
    fields: z
      .object({
        result: fieldRef.nullable().default(null),
        gender: z.object({ fieldId: z.number().int().positive(), female: z.number().int().positive().nullable().default(null), male: z.number().int().positive().nullable().default(null) }).strict().nullable().default(null),
        answers: fieldRef.nullable().default(null),
      })
      .strict()
      .default({ result: null, gender: null, answers: null }),
    notifyEmails: z.array(z.email()).max(20).default([]),
    maxConcurrent: z.number().int().min(1).max(1000).default(10),
    intensity: z.number().min(0.1).max(50).nullable().default(null),
  })
  .strict();
export type AccountSettings = z.output<typeof accountSettingsSchema>;

export function settingsOf(stored: unknown): AccountSettings {
  const parsed = accountSettingsSchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : accountSettingsSchema.parse({});
}

export async function accountSettings(db: Queryable, tenantId: string): Promise<AccountSettings> {
  const r = await db.query<{ settings: unknown }>('SELECT settings FROM amo_accounts WHERE tenant_id = $1', [tenantId]);
  return settingsOf(r.rows[0]?.settings);
}

const TEXT = ['text', 'textarea'];
const CHOICE = ['select', 'radiobutton'];

/** Field problems against the account's lead fields as they are now. */
export function checkFields(f: AccountSettings['fields'], defs: AmoFieldDef[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const byId = new Map(defs.map((d) => [d.id, d]));
  const need = (path: string, id: number, types: string[]): AmoFieldDef | undefined => {
    const d = byId.get(id);
    if (!d) issues.push({ path, key: 'amocrm.errors.field_unknown', params: { id } });
    else if (!types.includes(d.type)) issues.push({ path, key: 'amocrm.errors.field_type', params: { name: d.name, type: d.type, types: types.join(', ') } });
    return d && types.includes(d.type) ? d : undefined;
  };
  if (f.result) need('fields.result.fieldId', f.result.fieldId, TEXT);
  if (f.answers) need('fields.answers.fieldId', f.answers.fieldId, TEXT);
  if (f.gender) {
    const d = need('fields.gender.fieldId', f.gender.fieldId, [...TEXT, ...CHOICE]);
    if (d && CHOICE.includes(d.type)) {
      const items = new Set((d.enums ?? []).map((e) => e.id));
      for (const g of ['female', 'male'] as const) {
        const item = f.gender[g];
        if (item === null) issues.push({ path: `fields.gender.${g}`, key: 'validation.required' });
        else if (!items.has(item)) issues.push({ path: `fields.gender.${g}`, key: 'amocrm.errors.field_item_unknown', params: { id: item, name: d.name } });
      }
    }
  }
  return issues;
}

/** Saves what the administrator set (a partial update), after checking the fields with the account. */
export async function updateAccountSettings(ctx: AmoContext, tenantId: string, input: unknown): Promise<AccountSettings> {
  const patch = parseInput(accountSettingsSchema.partial(), input);
  const account = await findAccount(ctx.db, tenantId);
  const next = accountSettingsSchema.parse({ ...settingsOf(account?.settings), ...patch });
  if (patch.fields) {
    const issues = checkFields(next.fields, await ctx.api.leadFields(tenantId));
    if (issues.length) throw validationFailed(issues);
  }
  await setAccountSettings(ctx.db, tenantId, next);
  return next;
}

