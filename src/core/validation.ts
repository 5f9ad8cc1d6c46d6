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

/**
 * Where a parsed input carries the NUL character (U+0000): in a string value or in an object key.
 * PostgreSQL cannot store it in text or jsonb, so such input is refused at the edge with the exact
 * path (`items.4711.variables.name`) instead of failing a whole write deep inside. Walks with an
 * explicit stack: deeply nested input must not exhaust the call stack. At most `limit` paths.
 */
export function nulIssues(input: unknown, pathPrefix = '', limit = 20): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const stack: { value: unknown; path: string }[] = [{ value: input, path: pathPrefix }];
  const join = (base: string, key: string) => (base ? `${base}.${key}` : key);
  while (stack.length > 0 && issues.length < limit) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) issues.push({ path, key: 'validation.nul_character' });
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: join(path, String(i)) });
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value as Record<string, unknown>);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, v] = entries[i]!;
        // A key with NUL is reported where it stands (as a value that has one), its value not walked.
        if (key.includes('\u0000')) stack.push({ value: '\u0000', path: join(path, key.replaceAll('\u0000', '\\u0000')) });
        else stack.push({ value: v, path: join(path, key) });
      }
    }
  }
  return issues;
}

/** Refuses input carrying NUL (see `nulIssues`) with `validation_failed` naming where. */
export function assertNoNul(input: unknown, pathPrefix = ''): void {
  const issues = nulIssues(input, pathPrefix);
  if (issues.length > 0) throw validationFailed(issues);
}
