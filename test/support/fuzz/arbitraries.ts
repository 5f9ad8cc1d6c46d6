import fc from 'fast-check';

/**
 * Generic generators of malformed input (fast-check), shared by every route: strings a parser
 * chokes on, JSON of the wrong shape, forms with PHP bracket keys, uploads that are not what they
 * claim, query strings with repeats and odd encodings. Route-specific generators in routes.ts
 * build on these.
 */

/** Body of a request: its bytes and the Content-Type it claims (which may be a lie). */
export interface FuzzBody {
  contentType: string | undefined;
  data: Buffer;
  /** Headers that belong to this body (a signature over it). */
  extraHeaders?: Record<string, string>;
}

/** Strings that have broken parsers, databases and templates before. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '\u0000',
      'a\u0000b',
      '\uFFFF',
      '\uD800',
      '💥',
      'null',
      'undefined',
      'true',
      '0',
      '-1',
      '1e309',
      'NaN',
      '9'.repeat(40),
      '%00',
      '%',
      '%E0%A4%A',
      '../../etc/passwd',
      '<script>alert(1)</script>',
      "'; DROP TABLE users; --",
      '${7*7}',
      '{{constructor.constructor("x")()}}',
      '__proto__',
      'constructor',
      '+7 (900) 000-00-04',
      '+79000000004',
      '00000000-0000-0000-0000-000000000000',
      'x'.repeat(5000),
      '=HYPERLINK("http://x")',
      '\r\nX-Injected: 1',
    ),
  },
);

/** A JSON value of any shape, with nasty strings and numbers at the edges. */
export const anyJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    nastyString,
    fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 31, -(2 ** 53), Number.MAX_SAFE_INTEGER, 1e308),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.oneof(nastyString, fc.constantFrom('__proto__', 'constructor', 'id', 'name', 'phone', 'items')), tie('value'), { maxKeys: 5 }),
  ),
})).value;

/**
 * A valid-looking object made wrong in one or two places: a field removed, replaced by something
 * of another type, an unknown field added — the inputs validation has to get exactly right.
 */
export function mutated(base: Record<string, unknown>): fc.Arbitrary<unknown> {
  const keys = Object.keys(base);
  const one: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
    fc.constant(base),
    keys.length ? fc.constantFrom(...keys).map((k) => omit(base, k)) : fc.constant(base),
    keys.length ? fc.tuple(fc.constantFrom(...keys), anyJson).map(([k, v]) => ({ ...base, [k]: v })) : fc.constant(base),
    fc.tuple(nastyString, anyJson).map(([k, v]) => ({ ...base, [k]: v })),
    keys.length
      ? fc.tuple(fc.constantFrom(...keys), anyJson).map(([k, v]) => {
          const inner = base[k];
          return inner && typeof inner === 'object' && !Array.isArray(inner) ? { ...base, [k]: { ...(inner as object), x: v } } : { ...base, [k]: v };
        })
      : fc.constant(base),
  );
  return fc.oneof({ weight: 5, arbitrary: fc.tuple(one, fc.boolean()).chain(([o, twice]) => (twice ? mutatedOnce(o) : fc.constant(o))) }, { weight: 1, arbitrary: anyJson });
}

function mutatedOnce(o: Record<string, unknown>): fc.Arbitrary<unknown> {
  const keys = Object.keys(o);
  if (!keys.length) return fc.constant(o);
  return fc.tuple(fc.constantFrom(...keys), anyJson).map(([k, v]) => ({ ...o, [k]: v }));
}

function omit(o: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _dropped, ...rest } = o;
  return rest;
}

export const jsonBody = (value: fc.Arbitrary<unknown>): fc.Arbitrary<FuzzBody> =>
  fc.tuple(value, fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/vnd.api+json', 'text/plain', undefined)).map(([v, type]) => ({
    contentType: type,
    data: Buffer.from(v === undefined ? '' : JSON.stringify(v)),
  }));

/** Bytes that are almost JSON: truncated, with trailing garbage, or not JSON at all. */
export const brokenJson: fc.Arbitrary<FuzzBody> = fc
  .tuple(anyJson, fc.nat(), fc.constantFrom('', '}', ']]', ',', '\u0000', 'garbage'))
  .map(([v, cut, tail]) => {
    const text = JSON.stringify(v) ?? '';
    return { contentType: 'application/json', data: Buffer.from(text.slice(0, cut % (text.length + 1)) + tail) };
  });

/** A form body with PHP bracket keys (`auth[member_id]`), as CRMs post them, from a base of fields. */
export function formBody(base: Record<string, string>, neverDropped: readonly string[] = []): fc.Arbitrary<FuzzBody> {
  const keys = Object.keys(base);
  const droppable = keys.filter((k) => !neverDropped.includes(k));
  const fields = fc.oneof(
    fc.constant(base),
    keys.length ? fc.tuple(fc.constantFrom(...keys), nastyString).map(([k, v]) => ({ ...base, [k]: v })) : fc.constant(base),
    droppable.length ? fc.constantFrom(...droppable).map((k) => Object.fromEntries(Object.entries(base).filter(([x]) => x !== k))) : fc.constant(base),
    fc.tuple(fc.constantFrom('a[b][c][d][e][f][g][h]', 'a[]', '[]', 'a[0][__proto__]', '__proto__[x]', 'a[999999]', 'auth', 'data[CLEAN]', 'properties[x][]'), nastyString).map(([k, v]) => ({ ...base, [k]: v })),
    fc.dictionary(nastyString, nastyString, { maxKeys: 8 }),
  );
  return fc.tuple(fields, fc.constantFrom('application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8', 'application/json', undefined)).map(([f, type]) => ({
    contentType: type,
    data: Buffer.from(new URLSearchParams(Object.entries(f)).toString()),
  }));
}

/** A multipart upload: a file of the given contents (or garbage), in the right field or not, cut or whole. */
export function multipartBody(contents: fc.Arbitrary<Buffer>): fc.Arbitrary<FuzzBody> {
  return fc
    .tuple(contents, fc.constantFrom('file', 'files', '', 'name'), fc.constantFrom('clients.csv', 'clients.xlsx', 'numbers.txt', 'a.wav', '', '../x', 'x'.repeat(300)), fc.boolean(), fc.nat(), fc.boolean())
    .map(([data, field, filename, whole, cut, secondFile]) => {
      const boundary = '----dozvonFuzz';
      const part = (name: string, fn: string, d: Buffer) =>
        Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${fn}"\r\nContent-Type: application/octet-stream\r\n\r\n`), d, Buffer.from('\r\n')]);
      let body = Buffer.concat([part(field, filename, data), ...(secondFile ? [part('file', 'second.csv', Buffer.from('phone\n+79001234567\n'))] : []), Buffer.from(`--${boundary}--\r\n`)]);
      if (!whole) body = body.subarray(0, cut % (body.length + 1));
      return { contentType: `multipart/form-data; boundary=${boundary}`, data: body };
    });
}

/** File contents for uploads: CSV and TXT fragments, broken zips and XLSX, WAV headers, noise. */
export const fileContents: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b)),
  fc.array(fc.tuple(nastyString, nastyString), { maxLength: 20 }).map((rows) => Buffer.from(['phone;name', ...rows.map(([a, b]) => `${a};${b}`)].join('\n'))),
  fc.array(nastyString, { maxLength: 20 }).map((lines) => Buffer.from(lines.join('\r\n'))),
  fc.constantFrom(
    Buffer.from('PK\u0003\u0004garbage', 'latin1'),
    Buffer.from('PK\u0005\u0006\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000', 'latin1'),
    Buffer.from('RIFF\u0024\u0000\u0000\u0000WAVEfmt ', 'latin1'),
    Buffer.from('\u00ef\u00bb\u00bf', 'latin1'),
    Buffer.from('"unclosed quote\nphone\n', 'utf8'),
    Buffer.alloc(0),
  ),
);

/** A query string: nothing, plausible keys with nasty values, repeats (`a=1&a=2`), raw odd encodings. */
export function queryString(keys: readonly string[] = []): fc.Arbitrary<string> {
  const key = fc.oneof(fc.constantFrom(...keys, 'lang', 'limit', 'offset', 'status', 'wait', 'campaignId', 'exp', 'sig', '__proto__'), nastyString);
  return fc.oneof(
    fc.constant(''),
    fc.array(fc.tuple(key, nastyString), { maxLength: 6 }).map((pairs) => new URLSearchParams(pairs).toString()),
    fc.constantFrom('a=%', 'a=%00', '%zz=1', 'a[b]=1&a=2', 'limit=-1', 'limit=1e9', 'wait=99999', 'offset=NaN', 'lang=xx', 'a=1&a=2&a=3'),
  );
}

/** Percent-encodes a string's UTF-8 bytes for a path segment (lone surrogates become U+FFFD, as on the wire). */
export function pathSegment(s: string): string {
  const out = [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0').toUpperCase()}`)).join('');
  return out || 'x';
}

/** A path parameter: a real id where one is known, otherwise something that is not one. */
export function pathParam(real: string | undefined): fc.Arbitrary<string> {
  const odd = fc.oneof(fc.uuid(), nastyString.map(pathSegment), fc.constantFrom('%00', '..', '%2e%2e', 'null', '-1', '1e309', 'x'.repeat(400)));
  return real ? fc.oneof({ weight: 3, arbitrary: fc.constant(real) }, { weight: 2, arbitrary: odd }) : odd;
}
