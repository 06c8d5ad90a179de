import fc from 'fast-check';
import type { JsonSchema } from './openapi-operations.js';

/**
 * fast-check arbitraries and fixed lists of the values a hostile client sends (issue 10 item 3): wrong types,
 * huge and non-finite numbers, NUL bytes, unpaired surrogates, 100 000-character strings, prototype keys,
 * deep nesting, and values aimed at one field's parser (cron, time zone, URL, …).
 */

export const LONG_STRING = 'x'.repeat(100_000);

/** JSON nested `levels` deep as text (arrays, so no key is needed): the parser's nesting limit is 64. */
export const nestedJsonText = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;

/** A JSON value nested `levels` deep, alternating objects and arrays. */
export function nestedValue(levels: number): unknown {
  let value: unknown = 'leaf';
  for (let level = 0; level < levels; level += 1) {
    value = level % 2 ? { inner: value } : [value];
  }
  return value;
}

/** An object with `key` as an own property (an object literal would set the prototype for `__proto__`). */
export const withKey = (key: string, value: unknown): Record<string, unknown> => Object.fromEntries([[key, value]]);

const POLLUTION = { isAdmin: true, role: 'admin', polluted: 'yes' };

/** Prototype-pollution shapes: `__proto__`, `constructor.prototype` and `prototype` keys. */
export const POLLUTING_VALUES: Array<Record<string, unknown>> = [
  withKey('__proto__', POLLUTION),
  withKey('constructor', { prototype: POLLUTION }),
  withKey('prototype', POLLUTION),
];

export const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\ud83d',
  '\ufeff',
  '\u202eevil',
  'a\r\nSet-Cookie: injected=1',
  "' OR 1=1 --",
  '"; DROP TABLE users; --',
  '../../../../etc/passwd',
  '%00',
  '%ZZ',
  '{{title}}',
  '{{__proto__}}',
  '${7*7}',
  '<script>alert(1)</script>',
  '💥'.repeat(500),
  LONG_STRING,
];

export const HOSTILE_NUMBERS = [
  1e308,
  -1e308,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  2 ** 53 + 1,
  -(2 ** 53 + 1),
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 63,
  -0,
  0,
  -1,
  0.5,
  1e-308,
];

/** Field values aimed at one field's own parser, by property name. */
export const EDGE_VALUES_BY_NAME: Record<string, unknown[]> = {
  cron: ['0 0 30 2 *', '0 0 31 4 *', '* * * * * * *', '61 * * * *', '*/0 * * * *', '@reboot', '0 0 0 0 0', '* * * * 8'],
  timezone: ['Mars/Olympus', 'UTC\u0000', '../../etc/localtime', 'Etc/GMT+99', '+99:00'],
  callbackUrl: [
    'javascript:alert(1)',
    'http://169.254.169.254/latest/meta-data',
    'http://[::1]/',
    'file:///etc/passwd',
  ],
  url: ['javascript:alert(1)', 'http://user:pass@[::1]:0/', 'ftp://x', `http://${'a'.repeat(3000)}.test/`],
  promptTemplate: ['{{', '}}{{', '{{constructor}}', '{{a}}'.repeat(5000)],
  variables: [...POLLUTING_VALUES, { a: { nested: true } }, { a: 'x'.repeat(20_000) }],
  intervalSeconds: [9, 31_536_001],
  leaseSeconds: [0, 2 ** 31],
  version: [0, 2 ** 31, 2 ** 53 + 1],
  status: ['DONE', 'unknown', 'todo\u0000'],
  username: ['a', 'ADMIN', 'x'.repeat(65)],
  id: ['00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff'],
};

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

// fc.double() includes NaN and ±Infinity, which JSON carries as null; the raw tokens below carry them as text.
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_NUMBERS) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer() },
);

const hostileScalar: fc.Arbitrary<unknown> = fc.oneof(hostileString, hostileNumber, fc.constantFrom(true, false, null));

export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'a\u0000b', '\ud800', '', 'k'.repeat(1000)),
  fc.string({ maxLength: 8 }),
);

/** Any JSON value built from hostile scalars and keys, a few levels deep. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileScalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(hostileKey, tie('value')), { maxLength: 4 }).map((entries) => Object.fromEntries(entries)),
  ),
})).value;

const NUMERIC_STRINGS = ['1', '1.5', 'NaN', 'Infinity', '-Infinity', '1e999', '0x10', ' 1', ''];

/** A value of another type than the schema says, or of the same type but outside what it allows. */
export function wrongValueFor(name: string, schema: JsonSchema): fc.Arbitrary<unknown> {
  const edge = EDGE_VALUES_BY_NAME[name] ?? [];
  const aimed: Array<fc.Arbitrary<unknown>> = edge.length > 0 ? [fc.constantFrom(...edge)] : [];
  const others: Array<fc.Arbitrary<unknown>> = [
    fc.constantFrom(null, true, [], {}, [schema.example ?? 'x']),
    fc.constantFrom(...POLLUTING_VALUES),
    fc.constant(nestedValue(70)),
    hostileJson,
  ];
  switch (schema.type) {
    case 'string':
      return fc.oneof(...aimed, hostileString, hostileNumber, ...others);
    case 'integer':
    case 'number':
      return fc.oneof(...aimed, hostileNumber, fc.constantFrom(...NUMERIC_STRINGS), ...others);
    case 'boolean':
      return fc.oneof(fc.constantFrom('true', 'false', 1, 0, 'yes'), hostileString, ...others);
    case 'array':
      return fc.oneof(
        ...aimed,
        fc.array(hostileScalar, { maxLength: 5 }),
        fc.constant(Array.from({ length: 10_000 }, (_, index) => index)),
        hostileString,
        ...others,
      );
    default:
      return fc.oneof(...aimed, fc.constant([schema.example ?? {}]), hostileString, hostileNumber, ...others);
  }
}

/** Tokens that JSON.stringify cannot produce, spliced into a body as raw JSON text. */
export const RAW_JSON_TOKENS = [
  '1e999',
  '-1e999',
  'NaN',
  'Infinity',
  '-Infinity',
  '9'.repeat(400),
  '-0',
  '0x10',
  '01',
  '+1',
  '.5',
  'undefined',
  "'single'",
  '"\\ud800"',
  '"\\udc00\\ud800"',
  '"a\\u0000b"',
  '"\\x41"',
  '"tab\there"',
  nestedJsonText(100),
  nestedJsonText(3_000),
];

/** Whole bodies that are broken or surprising JSON. */
export const RAW_JSON_BODIES = [
  '',
  ' ',
  '{',
  '}',
  '{"a":}',
  '{"a":1}garbage',
  '{"a":1,"a":2}',
  '\ufeff{}',
  'null',
  'true',
  '0',
  '"string"',
  '[]',
  '[{}]',
  '{"\\ud800":1}',
  '{"\\u0000":1}',
  '{"__proto__":{"isAdmin":true}}',
  '{"constructor":{"prototype":{"isAdmin":true}}}',
  nestedJsonText(100),
  nestedJsonText(3_000),
];

/** Content types other than plain `application/json`. */
export const HOSTILE_CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/JSON',
  'application/json-patch+json',
  'application/xml',
  '*/*',
  'application/json, text/plain',
  'application/json;;;',
];

// Node's HTTP client refuses header values outside these characters, so a test could not send them anyway.
const HEADER_SAFE = /^[\t\x20-\x7e\x80-\xff]*$/;

export const HOSTILE_HEADERS: Record<string, string[]> = {
  authorization: [
    'Bearer',
    'Bearer ',
    'bearer x',
    'Basic YWRtaW46YWRtaW4=',
    'Bearer a.b.c',
    'Bearer eyJhbGciOiJub25lIn0.e30.',
    `Bearer ak_${'A'.repeat(43)}`,
    'Bearer x, Bearer y',
    'Bearer \xff\xfe',
    `Bearer ${'a'.repeat(8_000)}`,
    `Bearer ${'a'.repeat(20_000)}`,
  ],
  'if-match': ['abc', '"abc"', 'W/"1"', '*', '-1', '1e3', '99999999999999999999', '0x10', '"1", "2"', ''],
  'x-forwarded-for': [
    'garbage',
    'a'.repeat(300),
    '1.2.3.4, evil',
    ',,,',
    'unknown',
    '999.999.999.999',
    '<script>alert(1)</script>',
    '2001:db8::1%eth0',
    '198.51.100.7',
  ],
  'x-forwarded-proto': ['javascript', 'https, http'],
  'x-request-id': ['x'.repeat(1_000), 'a b', '\xff', '../'],
  'x-registration-token': ['', 'x'.repeat(5_000)],
  'idempotency-key': ['', 'a b', 'k'.repeat(256), '\xff', 'k'.repeat(255), 'a-valid-key'],
  accept: ['text/html', 'application/xml', '*/*;q=0', ';;;'],
};

const headerValue = (name: string): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_HEADERS[name]) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 30 }).filter((v) => HEADER_SAFE.test(v)) },
  );

/** One to three garbage headers; `authorization` replaces the principal's credential. */
export const hostileHeaders: fc.Arbitrary<Record<string, string>> = fc
  .uniqueArray(fc.constantFrom(...Object.keys(HOSTILE_HEADERS)), { minLength: 1, maxLength: 3 })
  .chain((names) => fc.tuple(...names.map((name) => headerValue(name).map((value) => [name, value] as const))))
  .map((entries) => Object.fromEntries(entries));

/** Path segments (already as they go on the wire) that are not the id a route expects. */
export const HOSTILE_SEGMENTS = [
  'not-a-uuid',
  '1',
  '-1',
  '0',
  'a'.repeat(256),
  'a'.repeat(257),
  '%00',
  'a%00b',
  '%ZZ',
  '%',
  '%ED%A0%80',
  '%FF%FE',
  '%2e%2e',
  '..%2F..%2Fetc',
  '%20',
  encodeURIComponent('💥'),
  '__proto__',
  'constructor',
  '00000000-0000-0000-0000-000000000000',
  'FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF',
  '%7B00000000-0000-4000-8000-000000000000%7D',
  '00000000-0000-4000-8000-000000000000%00',
  encodeURIComponent('1.2.3.4\u0000'),
];

/** Query values (already encoded) that no query parameter should accept blindly. */
export const HOSTILE_QUERY_VALUES = [
  'NaN',
  'Infinity',
  '-Infinity',
  '1e308',
  '-1e308',
  '9007199254740993',
  '-1',
  '0',
  '1.5',
  '',
  '%00',
  'a%00b',
  '%ZZ',
  '%',
  '%ED%A0%80',
  '%FF',
  encodeURIComponent("' OR 1=1 --"),
  encodeURIComponent('{{x}}'),
  'x'.repeat(10_000),
  'x'.repeat(100_000),
];

/** Query parameter names that are not in any operation, or aim at the query parser. */
export const HOSTILE_QUERY_NAMES = ['__proto__[polluted]', 'constructor[prototype][polluted]', 'zzz', 'a%00', '%ZZ'];
