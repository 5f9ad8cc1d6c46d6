declare module 'pg/lib/utils.js' {
  /** pg's own conversion of a JS value to a query parameter (Date → timestamp text, Buffer → bytea, object → JSON). */
  export function prepareValue(value: unknown): unknown;
}
