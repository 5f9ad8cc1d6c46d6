import { z } from 'zod';
import { badRequest } from '../../../core/errors.js';
import { parseInput } from '../../../core/validation.js';
import { columnMappingSchema, type ColumnMapping } from '../../../engine/clientsFile/index.js';

/** The `mapping` field of an import upload (preview and import): JSON `[{index, role, variable?}]`. */
export function mappingOf(fields: Record<string, string>): ColumnMapping[] | undefined {
  if (fields.mapping === undefined || fields.mapping === '') return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(fields.mapping);
  } catch {
    throw badRequest('errors.mapping_not_json');
  }
  return parseInput(z.array(columnMappingSchema).max(10_000), raw, 'mapping');
}
