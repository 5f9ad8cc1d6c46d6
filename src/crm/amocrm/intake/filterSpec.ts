import { z } from 'zod';

/**
 * "Every lead of this stage / pipeline / manager" (admin only), as amoCRM's list filter (brief §2):
 * `filter[statuses][i][pipeline_id|status_id]`, `filter[pipeline_id][]`,
 * `filter[responsible_user_id][]`, `query`.
 */
export const filterSpecSchema = z
  .object({
    pipeline_id: z.number().int().positive().optional(),
    /** Stages of that pipeline (needs `pipeline_id`). */
    status_ids: z.array(z.number().int().positive()).min(1).max(100).optional(),
    responsible_user_ids: z.array(z.number().int().positive()).min(1).max(100).optional(),
    /** amoCRM's full-text search over the lead. */
    query: z.string().trim().min(1).max(200).optional(),
  })
  .strict()
  .refine((v) => !v.status_ids || v.pipeline_id, { message: 'validation.required', path: ['pipeline_id'] });
export type FilterSpec = z.infer<typeof filterSpecSchema>;

export function filterQuery(f: FilterSpec): string {
  const parts: string[] = [];
  if (f.pipeline_id && f.status_ids) {
    f.status_ids.forEach((s, i) => parts.push(`filter[statuses][${i}][pipeline_id]=${f.pipeline_id}`, `filter[statuses][${i}][status_id]=${s}`));
  } else if (f.pipeline_id) {
    parts.push(`filter[pipeline_id][]=${f.pipeline_id}`);
  }
  for (const u of f.responsible_user_ids ?? []) parts.push(`filter[responsible_user_id][]=${u}`);
  if (f.query) parts.push(`query=${encodeURIComponent(f.query)}`);
  return parts.join('&');
}
