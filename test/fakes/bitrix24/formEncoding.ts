import qs from 'qs';
import type { Params } from './params.js';

/**
 * PHP-compatible parsing of `a[b][0]=x` keys. qs defaults are tighter than PHP's: arrays over 20
 * items become objects and nesting stops at depth 5, which would corrupt `filter[@ID][0..49]`
 * from a batch or deep `PLACEMENT_OPTIONS`, so the limits are raised to PHP-like values.
 */
const PARSE_OPTIONS = {
  depth: 20,
  arrayLimit: 10_000,
  parameterLimit: 100_000,
  allowPrototypes: false,
} as const;

/** Parses a query string or `application/x-www-form-urlencoded` body into nested params. */
export function parseForm(text: string): Params {
  return qs.parse(text.startsWith('?') ? text.slice(1) : text, PARSE_OPTIONS) as Params;
}

/**
 * Encodes nested data the way Bitrix24 posts callbacks (events, robots, app pages): PHP
 * `http_build_query` style, `auth[access_token]=..`, `document_id[0]=crm`, brackets percent-encoded.
 */
export function encodeForm(data: Record<string, unknown>): string {
  return qs.stringify(data, { arrayFormat: 'indices' });
}

/**
 * Parses a request body by content type. JSON is what the SDK sends; browsers and PHP clients
 * send forms; anything unlabelled is tried as JSON and then as a form (curl without -H).
 */
export function parseBody(body: Buffer, contentType: string | undefined): Params {
  if (body.length === 0) return {};
  const text = body.toString('utf8');
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('json')) return asParams(JSON.parse(text));
  if (type.includes('x-www-form-urlencoded')) return parseForm(text);
  try {
    return asParams(JSON.parse(text));
  } catch {
    return parseForm(text);
  }
}

function asParams(value: unknown): Params {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Params;
  throw new SyntaxError('JSON body is not an object');
}
