import fc from 'fast-check';

/**
 * Request bodies for property-based fuzz tests of the HTTP routes (both apps): arbitrary JSON, bodies
 * shaped like a route's schema with wrong or extreme fields, text that is not JSON, bytes that are not
 * UTF-8, and content types the routes do not take. Every field of a shaped body is either a valid
 * value (the route's own arbitrary, so the request gets past validation into the handler) or a nasty
 * one, written as raw JSON text so it can hold what `JSON.stringify` never writes (`1e400`, `-0`,
 * nesting past the depth limit, duplicate and `__proto__` keys).
 */
export interface FuzzRequest {
  /** `undefined`: no `content-type` header at all. */
  contentType: string | undefined;
  body: string | Uint8Array;
  /** Which generator made it, for the report of a failure. */
  kind: string;
}

/** A field of a shaped body: the arbitrary of its valid values (stringified as JSON). */
export type FieldShapes = Record<string, fc.Arbitrary<unknown>>;

/** JSON text to put as it is inside a generated value: a nasty value deep in a valid object. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** `JSON.stringify`, with each `RawJson` written as its text. */
export function toJsonText(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, item: unknown) => {
    if (!(item instanceof RawJson)) return item;
    raws.push(item.text);
    return `\u0000raw:${raws.length - 1}`;
  });
  return raws.length === 0
    ? text
    : text.replace(/"\\u0000raw:(\d+)"/g, (_match, index: string) => raws[Number(index)]!);
}

const JSON_TYPE = 'application/json';

const repeated = (unit: string, max: number) =>
  fc.integer({ min: 1, max }).map((count) => unit.repeat(count));

const controlCharacter = fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code));

/** Strings that have broken parsers, databases, headers and logs before. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({
    unit: fc.oneof(controlCharacter, fc.constantFrom('a', ' ', ':')),
    minLength: 1,
    maxLength: 20,
  }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\r\n',
    'x\r\nset-cookie: a=b',
    '\ud800',
    '\udfff\ud800',
    '\ufeff',
    '\u202eevil',
    '\u2028\u2029',
    '🦙',
    '👩‍👩‍👧‍👦',
    'e\u0301',
    '\u00a0',
    '%00',
    '../../etc/passwd',
    '__proto__',
    'constructor',
    "'; DROP TABLE users; --",
    '${jndi:ldap://x}',
    '<script>alert(1)</script>',
    'null',
    '-1',
    '1e400',
  ),
  repeated('x', 300_000),
  repeated('🦙', 40_000),
  repeated('\u0000', 1_000),
  repeated('\ud800', 1_000),
  repeated('[', 5_000),
);

/** JSON text that `JSON.stringify` never writes: out-of-range numbers, deep nesting, odd escapes. */
const oddJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '1e400',
    '-1e400',
    '-0',
    '1e-400',
    '123456789012345678901234567890',
    '9007199254740993',
    '-9007199254740993',
    '0.1e999',
    '1.7976931348623157e309',
    '"\\u0000"',
    '"\\ud800"',
    '"\\udfff\\ud800"',
    '"\\uFEFF"',
    '{}',
    '[]',
    '{"__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"a":1,"a":2}',
  ),
  // Around the depth limit, and far past it (deep enough to overflow a recursive walk).
  fc.integer({ min: 40, max: 100 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
  fc.integer({ min: 40, max: 100 }).map((depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
  fc.integer({ min: 10_000, max: 30_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
);

/** Any JSON value as text, nasty strings and odd numbers included. */
export const nastyJsonText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: nastyString.map((text) => JSON.stringify(text)) },
  { weight: 2, arbitrary: oddJsonText },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
      )
      .map((value) => JSON.stringify(value)),
  },
  {
    weight: 2,
    arbitrary: fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' }).map((value) => JSON.stringify(value)),
  },
);

const nastyKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', '', 'toString', 'hasOwnProperty'),
  nastyString.filter((key) => key.length < 1_000),
);

/** A JSON object as text, from `[key, value text]` pairs (keys may repeat). */
const objectText = (entries: [string, string][]) =>
  `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`;

/**
 * JSON objects shaped like a route's body: valid values for some of its fields (always for the
 * `required` ones), then up to two fields made nasty, now and then a required one left out, and
 * sometimes extra keys. A valid value can be a whole valid sub-object (a message, a tool), and a body
 * with no nasty field is valid as a whole, so the handler behind the validation runs too.
 */
export function shapedBodyText(fields: FieldShapes, required: readonly string[] = []): fc.Arbitrary<string> {
  const keys = Object.keys(fields);
  const valid = fc.record(Object.fromEntries(keys.map((key) => [key, fields[key]!.map(toJsonText)])), {
    requiredKeys: required.filter((key) => keys.includes(key)),
  });
  const breakage = fc.oneof(
    { weight: 2, arbitrary: fc.constant({ nasty: [] as [string, string][], dropped: [] as string[] }) },
    {
      weight: 3,
      arbitrary: fc.record({
        nasty: fc.array(fc.tuple(fc.constantFrom(...keys), nastyJsonText), { minLength: 1, maxLength: 2 }),
        dropped: fc.subarray([...required], { maxLength: Math.min(1, required.length) }),
      }),
    },
  );
  const extras = fc.oneof(
    { weight: 4, arbitrary: fc.constant([] as [string, string][]) },
    { weight: 1, arbitrary: fc.array(fc.tuple(nastyKey, nastyJsonText), { minLength: 1, maxLength: 2 }) },
  );
  return fc.tuple(valid, breakage, extras).map(([body, { nasty, dropped }, extra]) => {
    const entries = new Map(Object.entries(body));
    for (const key of dropped) entries.delete(key);
    for (const [key, text] of nasty) entries.set(key, text);
    return objectText([...entries, ...extra]);
  });
}

const utf8 = new TextEncoder();

/** Byte sequences that are not UTF-8: a bad continuation, 0xff, a surrogate encoded, an overlong NUL. */
const INVALID_UTF8 = [
  [0xc3, 0x28],
  [0xff, 0xfe],
  [0xed, 0xa0, 0x80],
  [0xc0, 0x80],
  [0xe2, 0x82],
];

function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Text that is not JSON, or not all of it: cut, padded, prefixed, not UTF-8, or nothing like it. */
function notJson(shaped: fc.Arbitrary<string>, keys: string[]): fc.Arbitrary<string | Uint8Array> {
  return fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.constantFrom(
      '',
      ' ',
      'null',
      '{',
      '}',
      '{"a":',
      '[1,]',
      '{"a":1}}',
      "{'a':1}",
      'NaN',
      'undefined',
      '\u0000',
    ),
    fc.tuple(shaped, fc.nat()).map(([text, at]) => text.slice(0, text.length === 0 ? 0 : at % text.length)),
    shaped.map((text) => `${text} trailing`),
    shaped.map((text) => `\ufeff${text}`),
    shaped.map((text) => `${text}\u0000`),
    fc.uint8Array({ minLength: 1, maxLength: 300 }),
    fc
      .tuple(fc.constantFrom(...keys, 'x'), fc.constantFrom(...INVALID_UTF8))
      .map(([key, bytes]) =>
        concatBytes(utf8.encode(`{${JSON.stringify(key)}:"a`), Uint8Array.from(bytes), utf8.encode('b"}')),
      ),
  );
}

const wrongContentType = fc.constantFrom(
  undefined,
  '',
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/octet-stream',
  'application/xml',
  'application/vnd.api+json',
  'application/jsonx',
  'application/json; charset=utf-16le',
  'application/json; charset=latin1',
  'application/json; charset=nonsense',
  'APPLICATION/JSON',
  'application/json;;;',
  'application/json, text/plain',
  '*/*',
  'application/*',
  'text/html; charset=utf-8',
);

/** Every kind of body a route may be sent, JSON and not; `required` as for `shapedBodyText`. */
export function fuzzRequests(
  fields: FieldShapes,
  required: readonly string[] = [],
): fc.Arbitrary<FuzzRequest> {
  const shaped = shapedBodyText(fields, required);
  const keys = Object.keys(fields);
  const json = (kind: string, body: fc.Arbitrary<string>) =>
    body.map((text): FuzzRequest => ({ contentType: JSON_TYPE, body: text, kind }));
  return fc.oneof(
    { weight: 6, arbitrary: json('shaped', shaped) },
    {
      weight: 2,
      arbitrary: json(
        'json value',
        fc.jsonValue({ maxDepth: 6, stringUnit: 'binary' }).map((value) => JSON.stringify(value)),
      ),
    },
    { weight: 1, arbitrary: json('odd json', nastyJsonText) },
    {
      weight: 2,
      arbitrary: notJson(shaped, keys).map((body): FuzzRequest => ({
        contentType: JSON_TYPE,
        body,
        kind: 'not json',
      })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(wrongContentType, fc.oneof(shaped, notJson(shaped, keys)))
        .map(([contentType, body]): FuzzRequest => ({ contentType, body, kind: 'content type' })),
    },
  );
}

/** One line that shows a failing request (bodies cut, bytes in hex). */
export function describeFuzzRequest(request: FuzzRequest): string {
  const body =
    typeof request.body === 'string'
      ? JSON.stringify(request.body.length > 300 ? `${request.body.slice(0, 300)}…` : request.body)
      : `bytes ${Array.from(request.body.subarray(0, 100), (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
  return `${request.kind}, content-type ${JSON.stringify(request.contentType)}, body ${body}`;
}
