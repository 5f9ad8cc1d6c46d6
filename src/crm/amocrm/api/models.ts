import { z } from 'zod';

/**
 * What Dozvon reads from API v4, validated at the edge (brief §2). Ids arrive as numbers; custom
 * field values as `{field_id, field_code, values:[{value, enum_id, enum_code}]}`.
 */
const id = z.coerce.number().int().positive();

export const customFieldValueSchema = z.object({
  field_id: id,
  field_name: z.string().nullish(),
  field_code: z.string().nullish(),
  field_type: z.string().nullish(),
  values: z.array(z.object({ value: z.union([z.string(), z.number(), z.boolean()]).nullish(), enum_id: z.coerce.number().nullish(), enum_code: z.string().nullish() }).passthrough()).nullish(),
});
export type CustomFieldValue = z.infer<typeof customFieldValueSchema>;

export const leadSchema = z
  .object({
    id,
    name: z.string().nullish(),
    price: z.coerce.number().nullish(),
    responsible_user_id: z.coerce.number().nullish(),
    status_id: z.coerce.number(),
    pipeline_id: z.coerce.number(),
    custom_fields_values: z.array(customFieldValueSchema).nullish(),
    _embedded: z
      .object({
        contacts: z.array(z.object({ id, is_main: z.boolean().nullish() }).passthrough()).nullish(),
        tags: z.array(z.object({ id: z.coerce.number().nullish(), name: z.string() }).passthrough()).nullish(),
        companies: z.array(z.object({ id }).passthrough()).nullish(),
      })
      .passthrough()
      .nullish(),
  })
  .passthrough();
export type AmoLead = z.infer<typeof leadSchema>;

export const contactSchema = z
  .object({
    id,
    name: z.string().nullish(),
    first_name: z.string().nullish(),
    last_name: z.string().nullish(),
    custom_fields_values: z.array(customFieldValueSchema).nullish(),
  })
  .passthrough();
export type AmoContact = z.infer<typeof contactSchema>;

export const accountSchema = z.object({ id, name: z.string(), subdomain: z.string(), current_user_id: z.coerce.number().nullish(), country: z.string().nullish() }).passthrough();
export type AmoAccount = z.infer<typeof accountSchema>;

export const userSchema = z
  .object({
    id,
    name: z.string().nullish(),
    email: z.string().nullish(),
    lang: z.string().nullish(),
    rights: z.object({ is_admin: z.boolean().nullish(), is_active: z.boolean().nullish() }).passthrough().nullish(),
  })
  .passthrough();
export type AmoUser = z.infer<typeof userSchema>;

export const fieldDefSchema = z
  .object({
    id,
    name: z.string(),
    type: z.string(),
    code: z.string().nullish(),
    enums: z.array(z.object({ id, value: z.string() }).passthrough()).nullish(),
  })
  .passthrough();
export type AmoFieldDef = z.infer<typeof fieldDefSchema>;

export const pipelineSchema = z
  .object({
    id,
    name: z.string(),
    is_main: z.boolean().nullish(),
    _embedded: z.object({ statuses: z.array(z.object({ id, name: z.string(), sort: z.coerce.number().nullish() }).passthrough()) }).passthrough(),
  })
  .passthrough();
export type AmoPipeline = z.infer<typeof pipelineSchema>;

export const noteSchema = z.object({ id, entity_id: id.nullish(), note_type: z.string().nullish(), params: z.record(z.string(), z.unknown()).nullish() }).passthrough();
export type AmoNote = z.infer<typeof noteSchema>;

/** `_embedded[key]` of a list answer, each row validated; rows that do not parse are reported, not guessed. */
export function embedded<T>(body: unknown, key: string, schema: z.ZodType<T>): T[] {
  const list = ((body ?? {}) as { _embedded?: Record<string, unknown> })._embedded?.[key];
  if (!Array.isArray(list)) return [];
  return list.map((row) => schema.parse(row));
}

export function hasNext(body: unknown): boolean {
  const links = ((body ?? {}) as { _links?: { next?: { href?: unknown } } })._links;
  return typeof links?.next?.href === 'string';
}
