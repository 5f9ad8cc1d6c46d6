import { z } from 'zod';
import type { Versioned } from '../../../store/repositories/versioned.js';

/** What the API returns: stable JSON shapes, separate from rows and domain objects. */
export const versionedDto = <S extends z.ZodType>(body: S, bodyKey: 'settings' | 'graph') =>
  z.object({
    id: z.uuid(),
    name: z.string(),
    version: z.number().int(),
    versionId: z.uuid(),
    [bodyKey]: body,
    createdAt: z.string(),
    updatedAt: z.string(),
  });

export function toVersionedDto<B>(v: Versioned<B>, bodyKey: 'settings' | 'graph'): Record<string, unknown> {
  return {
    id: v.id,
    name: v.name,
    version: v.version,
    versionId: v.versionId,
    [bodyKey]: v.body,
    createdAt: v.createdAt.toISOString(),
    updatedAt: v.updatedAt.toISOString(),
  };
}

export { attemptDto, isoOrNull, toAttemptDto } from '../../../engine/attemptDto.js';
