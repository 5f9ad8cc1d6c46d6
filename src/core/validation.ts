import type { z } from 'zod';
import { validationFailed, type FieldIssue } from './errors.js';

/**
 * Turns zod's issues into FieldIssues whose reason is an i18next key (`validation.*`), so every
 * message reaches the user in their language and names the field. Custom refinements put the key in
 * `message` and its parameters in `params`.
 */
export function toFieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    switch (issue.code) {
      case 'invalid_type': {
        const missing = /received undefined$/.test(issue.message);
        return missing
          ? { path, key: 'validation.required' }
          : { path, key: 'validation.invalid_type', params: { expected: issue.expected } };
      }
      case 'too_small':
        return {
          path,
          key: `validation.too_small_${originOf(issue.origin)}`,
          params: { minimum: Number(issue.minimum) },
        };
      case 'too_big':
        return {
          path,
          key: `validation.too_big_${originOf(issue.origin)}`,
          params: { maximum: Number(issue.maximum) },
        };
      case 'invalid_format':
        return {
          path,
          // A pattern's own key (`regex(re, { message: 'validation.time_hhmm' })`) says what is expected.
          key: issue.message.startsWith('validation.')
            ? issue.message
            : ['uuid', 'email', 'url', 'regex'].includes(issue.format)
              ? `validation.invalid_format_${issue.format}`
              : 'validation.invalid_format',
          params: { format: issue.format },
        };
      case 'invalid_value':
        // A choice with its own key (`z.enum(values, { message: 'validation.…' })`) says what each value means.
        return {
          path,
          key: issue.message.startsWith('validation.') ? issue.message : 'validation.invalid_value',
          params: { values: issue.values.map(String).join(', ') },
        };
      case 'unrecognized_keys':
        return { path, key: 'validation.unrecognized_keys', params: { keys: issue.keys.join(', ') } };
      case 'invalid_union': {
        const options = (issue as { options?: unknown[] }).options;
        return options
          ? { path, key: 'validation.invalid_value', params: { values: options.map(String).join(', ') } }
          : { path, key: 'validation.invalid_union' };
      }
      case 'not_multiple_of':
        return { path, key: 'validation.not_multiple_of', params: { divisor: Number(issue.divisor) } };
      case 'custom':
        return {
          path,
          key: issue.message.startsWith('validation.') || issue.message.includes('.') ? issue.message : 'validation.invalid',
          params: (issue.params ?? {}) as Record<string, unknown>,
        };
      default:
        return { path, key: 'validation.invalid' };
    }
  });
}

function originOf(origin: string): 'string' | 'number' | 'array' | 'other' {
  if (origin === 'string' || origin === 'array') return origin;
  if (origin === 'number' || origin === 'int' || origin === 'bigint') return 'number';
  return 'other';
}

/** Parses input with a schema or throws `validation_failed` with every problem found. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, pathPrefix = ''): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issues = toFieldIssues(r.error);
  throw validationFailed(
    pathPrefix ? issues.map((i) => ({ ...i, path: i.path ? `${pathPrefix}.${i.path}` : pathPrefix })) : issues,
  );
}
