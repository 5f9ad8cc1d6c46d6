import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/core/errors.js';
import { nulIssues, parseInput, toFieldIssues } from '../../../src/core/validation.js';
import { hasKey, LOCALES } from '../../../src/i18n.js';

const issuesFor = (schema: z.ZodType, input: unknown) => {
  const r = schema.safeParse(input);
  if (r.success) throw new Error('expected a failure');
  return toFieldIssues(r.error);
};

describe('toFieldIssues', () => {
  it.each([
    ['a missing field', z.object({ a: z.string() }), {}, { path: 'a', key: 'validation.required' }],
    ['a wrong type', z.object({ a: z.string() }), { a: 1 }, { path: 'a', key: 'validation.invalid_type', params: { expected: 'string' } }],
    ['a short string', z.string().min(3), 'ab', { path: '', key: 'validation.too_small_string', params: { minimum: 3 } }],
    ['a long string', z.string().max(3), 'abcd', { path: '', key: 'validation.too_big_string', params: { maximum: 3 } }],
    ['a small number', z.number().min(1), 0, { path: '', key: 'validation.too_small_number', params: { minimum: 1 } }],
    ['a big number', z.number().max(9), 10, { path: '', key: 'validation.too_big_number', params: { maximum: 9 } }],
    ['a short array', z.array(z.number()).min(1), [], { path: '', key: 'validation.too_small_array', params: { minimum: 1 } }],
    ['a long array', z.array(z.number()).max(1), [1, 2], { path: '', key: 'validation.too_big_array', params: { maximum: 1 } }],
    ['a small set', z.set(z.number()).min(1), new Set(), { path: '', key: 'validation.too_small_other', params: { minimum: 1 } }],
    ['a uuid', z.uuid(), 'x', { path: '', key: 'validation.invalid_format_uuid', params: { format: 'uuid' } }],
    ['an e-mail', z.email(), 'x', { path: '', key: 'validation.invalid_format_email', params: { format: 'email' } }],
    ['a url', z.url(), 'x', { path: '', key: 'validation.invalid_format_url', params: { format: 'url' } }],
    ['a pattern without a key', z.string().regex(/^a$/), 'b', { path: '', key: 'validation.invalid_format_regex', params: { format: 'regex' } }],
    ['another format', z.ipv4(), 'x', { path: '', key: 'validation.invalid_format', params: { format: 'ipv4' } }],
    ['an enum', z.enum(['a', 'b']), 'c', { path: '', key: 'validation.invalid_value', params: { values: 'a, b' } }],
    ['a literal', z.literal(5), 4, { path: '', key: 'validation.invalid_value', params: { values: '5' } }],
    ['an unknown key', z.object({}).strict(), { x: 1, y: 2 }, { path: '', key: 'validation.unrecognized_keys', params: { keys: 'x, y' } }],
    ['a multiple', z.number().multipleOf(5), 7, { path: '', key: 'validation.not_multiple_of', params: { divisor: 5 } }],
    ['a plain union', z.union([z.string(), z.number()]), true, { path: '', key: 'validation.invalid_union' }],
  ])('maps %s to its validation key', (_what, schema, input, expected) => {
    expect(issuesFor(schema, input)).toEqual([expected]);
  });

  it('a discriminated union names the allowed modes at the discriminator', () => {
    const s = z.object({ r: z.discriminatedUnion('mode', [z.object({ mode: z.literal('a') }), z.object({ mode: z.literal('b') })]) });
    expect(issuesFor(s, { r: { mode: 'c' } })).toEqual([{ path: 'r.mode', key: 'validation.invalid_value', params: { values: 'a, b' } }]);
  });

  it('a pattern with its own key keeps that key, so the user learns the expected format', () => {
    const s = z.object({ at: z.string().regex(/^\d\d:\d\d$/, { message: 'validation.time_hhmm' }) });
    expect(issuesFor(s, { at: '9:00' })).toEqual([{ path: 'at', key: 'validation.time_hhmm', params: { format: 'regex' } }]);
  });

  it('a refinement’s key and parameters pass through', () => {
    const s = z.object({ n: z.string().refine(() => false, { message: 'validation.phone_invalid', params: { value: 'n' } }) });
    expect(issuesFor(s, { n: 'x' })).toEqual([{ path: 'n', key: 'validation.phone_invalid', params: { value: 'n' } }]);
  });

  it('a refinement without a key becomes the generic "invalid"', () => {
    expect(issuesFor(z.string().refine(() => false), 'x')).toEqual([{ path: '', key: 'validation.invalid', params: {} }]);
  });

  it('nested paths are dotted, array indexes included', () => {
    const s = z.object({ rules: z.array(z.object({ n: z.number() })) });
    expect(issuesFor(s, { rules: [{ n: 1 }, { n: 'x' }] })).toEqual([
      { path: 'rules.1.n', key: 'validation.invalid_type', params: { expected: 'number' } },
    ]);
  });

  it('every key it can produce exists in both languages', () => {
    const generic = [
      'required',
      'invalid_type',
      'too_small_string',
      'too_small_number',
      'too_small_array',
      'too_small_other',
      'too_big_string',
      'too_big_number',
      'too_big_array',
      'too_big_other',
      'invalid_format',
      'invalid_format_uuid',
      'invalid_format_email',
      'invalid_format_url',
      'invalid_format_regex',
      'invalid_value',
      'unrecognized_keys',
      'invalid_union',
      'not_multiple_of',
      'invalid',
    ];
    for (const lng of LOCALES) for (const k of generic) expect(hasKey(lng, `validation.${k}`), `${lng}: validation.${k}`).toBe(true);
  });
});

describe('parseInput', () => {
  const schema = z.object({ name: z.string().min(1), count: z.number().int().default(1) }).strict();

  it('returns the parsed value with defaults', () => {
    expect(parseInput(schema, { name: 'x' })).toEqual({ name: 'x', count: 1 });
  });

  it('throws validation_failed with every issue', () => {
    try {
      parseInput(schema, { name: '', count: 'two', extra: 1 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      const err = e as DomainError;
      expect(err.code).toBe('validation_failed');
      expect(err.key).toBe('errors.validation_failed');
      expect(err.params).toEqual({ count: 3 });
      expect(err.issues.map((i) => i.path)).toEqual(['name', 'count', '']);
    }
  });

  it('prefixes paths, and a whole-input issue gets the prefix itself', () => {
    try {
      parseInput(schema, { name: '', extra: 1 }, 'template');
      expect.unreachable();
    } catch (e) {
      expect((e as DomainError).issues.map((i) => `${i.path} ${i.key}`)).toEqual([
        'template.name validation.too_small_string',
        'template validation.unrecognized_keys',
      ]);
    }
  });
});

describe('nulIssues', () => {
  it('names every place a NUL hides — values, keys, array items — up to the limit, without recursion', () => {
    expect(nulIssues({ a: 'ok', b: ['x', 'y\u0000'], 'k\u0000': 1, c: { d: '\u0000' } })).toEqual([
      { path: 'b.1', key: 'validation.nul_character' },
      { path: 'k\\u0000', key: 'validation.nul_character' },
      { path: 'c.d', key: 'validation.nul_character' },
    ]);
    expect(nulIssues({ q: 'a\u0000' }, 'query')).toEqual([{ path: 'query.q', key: 'validation.nul_character' }]);
    expect(nulIssues(Array.from({ length: 100 }, () => '\u0000'))).toHaveLength(20);
    let deep: unknown = '\u0000';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(nulIssues(deep)[0]!.path.split('.')).toHaveLength(200_000);
    expect(nulIssues({ fine: ['text', 1, null, true, { x: 'y' }] })).toEqual([]);
  });
});
