import fc from 'fast-check';
import {
  EDGE_VALUES_BY_NAME,
  HOSTILE_CONTENT_TYPES,
  HOSTILE_QUERY_NAMES,
  HOSTILE_QUERY_VALUES,
  HOSTILE_SEGMENTS,
  hostileHeaders,
  hostileJson,
  hostileKey,
  hostileString,
  LONG_STRING,
  nestedJsonText,
  POLLUTING_VALUES,
  RAW_JSON_BODIES,
  RAW_JSON_TOKENS,
  wrongValueFor,
} from './hostile-values.js';
import { type ApiOperation, type JsonSchema, sampleValue, withOptionalNulls } from './openapi-operations.js';

/** A body exactly as it goes on the wire, and its content type (none: no Content-Type header). */
export interface HostileBody {
  payload: string | Buffer;
  contentType: string | undefined;
}

/** A request to one operation with some part made hostile; the parts left out stay valid-looking. */
export interface HostileRequest {
  /** Path segments by parameter name, already encoded; a parameter left out gets its default segment. */
  segments?: Record<string, string>;
  query?: string;
  /** Extra headers; `authorization` replaces the principal's credential. */
  headers?: Record<string, string>;
  body?: HostileBody;
}

/** A request whose bytes no HTTP client library would send (invalid UTF-8, NUL, conflicting framing). */
export interface RawRequest {
  what: string;
  bytes: Buffer;
}

/** What a request's path parameters are when the request does not make them hostile. */
export type DefaultSegment = (operation: ApiOperation, parameter: string) => string;

const OVERSIZED = 1024 * 1024 + 1024;
const JSON_TYPE = 'application/json';
const MARK = '\u0001raw\u0001';

const json = (value: unknown): HostileBody => ({ payload: JSON.stringify(value), contentType: JSON_TYPE });

/** The body the operation accepts, as far as its schema tells; `{}` for operations without a body. */
export const baseBody = (operation: ApiOperation): Record<string, unknown> => {
  const sample = operation.body ? sampleValue(operation.body) : {};
  return sample !== null && typeof sample === 'object' && !Array.isArray(sample) ? { ...sample } : {};
};

const propertiesOf = (operation: ApiOperation): Array<[string, JsonSchema]> =>
  Object.entries(operation.body?.properties ?? {});

/** The body's property names of one JSON type (every property when none has it; `x` when there are none). */
function namesOfType(operation: ApiOperation, types: string[]): string[] {
  const all = propertiesOf(operation);
  const typed = all.filter(([, schema]) => types.includes(schema.type ?? 'object')).map(([name]) => name);
  return typed.length > 0 ? typed : all.length > 0 ? all.map(([name]) => name) : ['x'];
}

/** A property of the body, top-level or one object deeper (`task.description`), and its schema. */
interface PropertyPath {
  path: string[];
  schema: JsonSchema;
}

function propertyPaths(schema: JsonSchema | undefined, prefix: string[] = []): PropertyPath[] {
  return Object.entries(schema?.properties ?? {}).flatMap(([name, child]) => [
    { path: [...prefix, name], schema: child },
    ...(prefix.length === 0 && child.properties ? propertyPaths(child, [name]) : []),
  ]);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** `body` with `value` at `path` (`undefined` removes the property); objects on the way are copied. */
function withValueAt(
  body: Record<string, unknown>,
  [name, ...rest]: string[],
  value: unknown,
): Record<string, unknown> {
  if (rest.length === 0) {
    return { ...body, [name]: value };
  }
  return { ...body, [name]: withValueAt(isRecord(body[name]) ? body[name] : {}, rest, value) };
}

/**
 * Bodies with the optional properties the base leaves out: all of them with sample values (ids that name
 * nothing), and all of them null, in the body itself and in each object it holds.
 */
function optionalBodies(operation: ApiOperation): HostileRequest[] {
  if (!operation.body) {
    return [];
  }
  const nested = propertyPaths(operation.body).filter(({ path, schema }) => path.length === 1 && schema.properties);
  return [
    { body: json(sampleValue(operation.body, true)) },
    { body: json(withOptionalNulls(operation.body)) },
    ...nested.map(({ path, schema }) => ({
      body: json(withValueAt(baseBody(operation), path, withOptionalNulls(schema))),
    })),
  ];
}

/** The base body with each property that has values aimed at its parser set to each of them in turn. */
function aimedBodies(operation: ApiOperation): HostileRequest[] {
  return propertyPaths(operation.body).flatMap(({ path }) =>
    (EDGE_VALUES_BY_NAME[path[path.length - 1]] ?? []).map((value) => ({
      body: json(withValueAt(baseBody(operation), path, value)),
    })),
  );
}

/** The base body with `names` set to a token JSON.stringify cannot produce (`1e999`, `NaN`, 3 000 brackets…). */
function withRawToken(operation: ApiOperation, names: string[], token: string): HostileBody {
  const body = { ...baseBody(operation), ...Object.fromEntries(names.map((name) => [name, MARK])) };
  return { payload: JSON.stringify(body).replaceAll(JSON.stringify(MARK), token), contentType: JSON_TYPE };
}

const withValues = (operation: ApiOperation, names: string[], value: unknown): HostileBody =>
  json({ ...baseBody(operation), ...Object.fromEntries(names.map((name) => [name, value])) });

const typed = (body: HostileBody, contentType: string | undefined): HostileBody => ({ ...body, contentType });

/**
 * The fixed part of every operation × principal batch: one request for each kind of hostile input, so every
 * kind reaches every operation whatever the random part draws.
 */
export function catalogueFor(operation: ApiOperation): HostileRequest[] {
  const strings = namesOfType(operation, ['string']);
  const numbers = namesOfType(operation, ['integer', 'number']);
  const objects = namesOfType(operation, ['object', 'array']);
  const base = json(baseBody(operation));
  const first = operation.pathParameters[0]?.name;
  const onPath = (segment: string): HostileRequest[] => (first ? [{ segments: { [first]: segment } }] : []);
  const query = (value: string): HostileRequest[] =>
    operation.queryParameters.length > 0
      ? [{ query: operation.queryParameters.map(({ name }) => `${name}=${value}`).join('&') }]
      : [];
  return [
    { body: withValues(operation, strings, 'x'.repeat(OVERSIZED)) },
    { body: withRawToken(operation, objects, nestedJsonText(100)) },
    { body: { payload: nestedJsonText(3_000), contentType: JSON_TYPE } },
    { body: withRawToken(operation, numbers, '1e999') },
    { body: withRawToken(operation, numbers, '-1e999') },
    { body: withValues(operation, numbers, 1e308) },
    { body: withValues(operation, numbers, 2 ** 53 + 1) },
    { body: withRawToken(operation, strings, '"\\ud800"') },
    { body: withValues(operation, strings, 'a\u0000b') },
    { body: withValues(operation, strings, LONG_STRING) },
    { body: withValues(operation, objects, []) },
    { body: json([baseBody(operation)]) },
    ...POLLUTING_VALUES.map((pollution) => ({ body: json({ ...baseBody(operation), ...pollution }) })),
    { body: json(Object.fromEntries([['a\u0000b', 1]])) },
    { body: typed(base, 'text/plain') },
    { body: typed(base, 'application/x-www-form-urlencoded') },
    { body: typed(base, 'multipart/form-data; boundary=x') },
    { body: typed(base, 'application/json; charset=latin1') },
    { headers: { authorization: `Bearer ${'a'.repeat(8_000)}` } },
    { headers: { authorization: 'Bearer a.b.c' } },
    { headers: { 'if-match': '"garbage"' } },
    { headers: { 'x-forwarded-for': 'garbage, <script>' } },
    { headers: { 'x-forwarded-for': 'a'.repeat(300) } },
    ...onPath('not-a-uuid'),
    ...onPath('a'.repeat(256)),
    ...onPath('%00'),
    ...onPath('%ED%A0%80'),
    ...query('NaN'),
    ...query('Infinity'),
    ...query('1e308'),
    ...query('%00'),
    ...aimedBodies(operation),
    ...optionalBodies(operation),
  ];
}

// encodeURIComponent throws on unpaired surrogates; those go as the percent-encoding of one instead.
const encode = (text: string): string => {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
};

// A property gets a value of the wrong type or shape, a valid-looking one (an id that names nothing, an
// optional field the base leaves out), or is removed.
const propertyValue = ({ path, schema }: PropertyPath): fc.Arbitrary<readonly [string[], unknown]> =>
  fc
    .oneof(
      { weight: 4, arbitrary: wrongValueFor(path[path.length - 1], schema) },
      { weight: 1, arbitrary: fc.constant(sampleValue(schema)) },
      { weight: 1, arbitrary: fc.constant(undefined) },
    )
    .map((value) => [path, value] as const);

function bodyArbitrary(operation: ApiOperation): fc.Arbitrary<HostileBody> {
  const paths = propertyPaths(operation.body);
  const names = propertiesOf(operation).map(([name]) => name);
  const changed: Array<fc.Arbitrary<HostileBody>> =
    paths.length > 0
      ? [
          fc
            .array(fc.constantFrom(...paths).chain(propertyValue), { minLength: 1, maxLength: 3 })
            .map((changes) =>
              json(changes.reduce((body, [path, value]) => withValueAt(body, path, value), baseBody(operation))),
            ),
          fc
            .tuple(fc.constantFrom(...names), fc.constantFrom(...RAW_JSON_TOKENS))
            .map(([name, token]) => withRawToken(operation, [name], token)),
        ]
      : [];
  return fc.oneof(
    ...changed,
    fc
      .tuple(hostileKey, hostileJson)
      .map(([key, value]) => json({ ...baseBody(operation), ...Object.fromEntries([[key, value]]) })),
    hostileJson.map(json),
    fc.constantFrom(...RAW_JSON_BODIES).map((payload) => ({ payload, contentType: JSON_TYPE })),
  );
}

function queryArbitrary(operation: ApiOperation): fc.Arbitrary<string> {
  const names = [...operation.queryParameters.map(({ name }) => name), ...HOSTILE_QUERY_NAMES];
  const value = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_QUERY_VALUES) },
    { weight: 2, arbitrary: hostileString.map(encode) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }).map(encode) },
  );
  const entry = fc.tuple(fc.constantFrom(...names), value).map(([name, text]) => `${name}=${text}`);
  return fc.array(entry, { minLength: 1, maxLength: 4 }).map((entries) => entries.join('&'));
}

function segmentsArbitrary(operation: ApiOperation, segment: DefaultSegment): fc.Arbitrary<Record<string, string>> {
  const one = (name: string): fc.Arbitrary<readonly [string, string]> =>
    fc
      .oneof(
        { weight: 1, arbitrary: fc.constant(segment(operation, name)) },
        { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_SEGMENTS) },
        { weight: 1, arbitrary: fc.uuid() },
        { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }).map(encode) },
      )
      .map((text) => [name, text] as const);
  return fc.tuple(...operation.pathParameters.map(({ name }) => one(name))).map((pairs) => Object.fromEntries(pairs));
}

/**
 * Random requests to one operation: each draws hostile values for some of body, query, path, headers and
 * content type, and keeps the rest valid-looking so the hostile part reaches the code behind the checks.
 */
export function randomRequestsFor(operation: ApiOperation, segment: DefaultSegment): fc.Arbitrary<HostileRequest> {
  const none = fc.constant(undefined);
  const maybe = <T>(arbitrary: fc.Arbitrary<T>, weight: number): fc.Arbitrary<T | undefined> =>
    fc.oneof({ weight, arbitrary }, { weight: 3, arbitrary: none });
  return fc
    .record({
      body: maybe(bodyArbitrary(operation), 3),
      query: maybe(queryArbitrary(operation), operation.queryParameters.length > 0 ? 3 : 1),
      segments: operation.pathParameters.length > 0 ? maybe(segmentsArbitrary(operation, segment), 3) : none,
      headers: maybe(hostileHeaders, 2),
      contentType: maybe(fc.constantFrom(...HOSTILE_CONTENT_TYPES), 1),
    })
    .filter((parts) => Object.values(parts).some((part) => part !== undefined))
    .map(({ body, contentType, ...rest }) => {
      const chosen = body ?? (contentType ? json(baseBody(operation)) : undefined);
      return { ...rest, body: chosen && contentType ? typed(chosen, contentType) : chosen };
    });
}

/** The path of a request to `operation`, with `segments` in place of its default parameters. */
export function pathOf(operation: ApiOperation, segment: DefaultSegment, segments: Record<string, string> = {}) {
  return operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => segments[name] ?? segment(operation, name));
}

const head = (method: string, target: Buffer, lines: string[]): Buffer =>
  Buffer.concat([
    Buffer.from(`${method.toUpperCase()} `, 'latin1'),
    target,
    Buffer.from(` HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n${lines.map((line) => `${line}\r\n`).join('')}\r\n`),
  ]);

/**
 * The requests only a raw socket can send, for one operation as one principal (`authorization` is its
 * header line, or none): invalid UTF-8 and NUL bytes in the path, in a JSON body and in a header, a body
 * without a content type, and a body framed two ways at once.
 */
export function rawRequestsFor(
  operation: ApiOperation,
  segment: DefaultSegment,
  authorization: string[],
): RawRequest[] {
  const first = operation.pathParameters[0]?.name;
  const path = pathOf(operation, segment);
  // The bytes go in place of the first path parameter, or into the query of an operation without one.
  const target = (bytes: number[]): Buffer => {
    const [before, after] = first ? pathOf(operation, segment, { [first]: MARK }).split(MARK) : [`${path}?x=`, ''];
    return Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]);
  };
  const plain = Buffer.from(path);
  const [before, after] = withRawToken(operation, namesOfType(operation, ['string']).slice(0, 1), MARK)
    .payload.toString()
    .split(MARK);
  const body = Buffer.concat([Buffer.from(`${before}"`), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(`"${after}`)]);
  const withBody = (lines: string[], payload: Buffer): Buffer =>
    Buffer.concat([head(operation.method, plain, [...authorization, ...lines]), payload]);
  return [
    { what: 'invalid UTF-8 bytes in the path', bytes: head(operation.method, target([0xff, 0xfe]), authorization) },
    { what: 'a NUL byte in the path', bytes: head(operation.method, target([0x61, 0x00, 0x62]), authorization) },
    { what: 'a NUL byte in a header', bytes: head(operation.method, plain, [...authorization, 'X-Note: a\x00b']) },
    {
      what: 'invalid UTF-8 bytes in a JSON body',
      bytes: withBody([`Content-Type: ${JSON_TYPE}`, `Content-Length: ${body.length}`], body),
    },
    {
      what: 'a body without a content type',
      bytes: withBody([`Content-Length: 2`], Buffer.from('{}')),
    },
    {
      what: 'Content-Length and Transfer-Encoding together',
      bytes: withBody(
        [`Content-Type: ${JSON_TYPE}`, 'Content-Length: 2', 'Transfer-Encoding: chunked'],
        Buffer.from('2\r\n{}\r\n0\r\n\r\n'),
      ),
    },
  ];
}

/** A short description of a request, for the failure list. */
export function describeRequest(request: HostileRequest): string {
  const cut = (text: string): string => (text.length > 80 ? `${text.slice(0, 80)}…(${text.length})` : text);
  const parts = [
    request.segments && `path ${cut(JSON.stringify(request.segments))}`,
    request.query !== undefined && `query ${cut(request.query)}`,
    request.headers && `headers ${cut(JSON.stringify(request.headers))}`,
    request.body &&
      `body ${cut(JSON.stringify(request.body.payload.toString()))} as ${request.body.contentType ?? 'no type'}`,
  ];
  return parts.filter(Boolean).join('; ');
}
