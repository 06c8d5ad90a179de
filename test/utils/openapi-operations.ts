import type { Server } from 'node:http';
import request from 'supertest';
import type { OpenApiDocument } from './response-contract.js';

/** The parts of a JSON schema (OpenAPI 3.0 dialect) the bad-input suite reads. */
export interface JsonSchema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  default?: unknown;
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  allOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
}

export type HttpMethod = 'get' | 'put' | 'post' | 'patch' | 'delete';

export interface OperationParameter {
  name: string;
  schema: JsonSchema;
}

/** One operation of the document, with its parameters and request body schema resolved. */
export interface ApiOperation {
  /** `POST /api/tasks/{id}/status` */
  label: string;
  method: HttpMethod;
  /** The path template, `/api/tasks/{id}/status`. */
  path: string;
  pathParameters: OperationParameter[];
  queryParameters: OperationParameter[];
  /** The `application/json` request body schema, when the operation declares one. */
  body: JsonSchema | undefined;
  /** Whether it answers with an event stream (`text/event-stream`), which does not end. */
  streams: boolean;
}

const METHODS: HttpMethod[] = ['get', 'put', 'post', 'patch', 'delete'];

interface RawParameter {
  name: string;
  in: string;
  schema?: JsonSchema;
}

interface RawOperation {
  parameters?: RawParameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, { content?: Record<string, unknown> }>;
}

/**
 * Inlines `$ref`s (and merges `allOf`) so a generator can walk the schema; `depth` stops self-references.
 */
export function resolveSchema(document: OpenApiDocument, schema: JsonSchema | undefined, depth = 0): JsonSchema {
  if (!schema || depth > 8) {
    return {};
  }
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return resolveSchema(document, document.components?.schemas?.[name] as JsonSchema | undefined, depth + 1);
  }
  const { allOf, ...rest } = schema;
  const parts: JsonSchema[] = [...(allOf ?? []).map((part) => resolveSchema(document, part, depth + 1)), rest];
  const merged: JsonSchema = Object.assign({}, ...parts) as JsonSchema;
  if (merged.properties) {
    merged.properties = Object.fromEntries(
      Object.entries(merged.properties).map(([key, value]) => [key, resolveSchema(document, value, depth + 1)]),
    );
  }
  if (merged.items) {
    merged.items = resolveSchema(document, merged.items, depth + 1);
  }
  return merged;
}

/** Every operation of a document (paths × methods), in document order. */
export function operationsOf(document: OpenApiDocument): ApiOperation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method): ApiOperation => {
      const operation = item[method] as RawOperation;
      const parameters = (operation.parameters ?? []).map((parameter) => ({
        ...parameter,
        schema: resolveSchema(document, parameter.schema),
      }));
      const body = operation.requestBody?.content?.['application/json']?.schema;
      return {
        label: `${method.toUpperCase()} ${path}`,
        method,
        path,
        pathParameters: parameters.filter((parameter) => parameter.in === 'path'),
        queryParameters: parameters.filter((parameter) => parameter.in === 'query'),
        body: body ? resolveSchema(document, body) : undefined,
        streams: operation.responses?.['200']?.content?.['text/event-stream'] !== undefined,
      };
    }),
  );
}

/** The document the running hub serves at `/api/docs-json`, and its operations. */
export async function readOperations(
  server: Server,
): Promise<{ document: OpenApiDocument; operations: ApiOperation[] }> {
  const response = await request(server).get('/api/docs-json').expect(200);
  const document = response.body as OpenApiDocument;
  return { document, operations: operationsOf(document) };
}

/** A well-formed id that names nothing: references to it are 404s, never 400s. */
export const ABSENT_ID = '00000000-0000-4000-8000-000000000000';

const sampleString = (schema: JsonSchema): string => {
  switch (schema.format) {
    case 'uuid':
      return ABSENT_ID;
    case 'date-time':
      return new Date(Date.UTC(2030, 0, 1)).toISOString();
    case 'uri':
      return 'https://example.test/hook';
    default:
      return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
  }
};

/**
 * A value the schema accepts as far as the document tells (its example, default or first enum value, else
 * one built from the type): the base a hostile request changes a part of, so the rest gets past validation.
 * Objects get their required properties, or with `everyProperty` every property but a client-chosen `id`
 * (which would name the same absent id as the references, and so make the object refer to itself).
 */
export function sampleValue(schema: JsonSchema, everyProperty = false): unknown {
  if (schema.example !== undefined) {
    return schema.example;
  }
  if (schema.default !== undefined) {
    return schema.default;
  }
  if (schema.enum?.length) {
    return schema.enum.find((value) => value !== null);
  }
  const variant = schema.oneOf?.[0] ?? schema.anyOf?.[0];
  if (variant) {
    return sampleValue(variant, everyProperty);
  }
  switch (schema.type) {
    case 'string':
      return sampleString(schema);
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 1, 1);
    case 'boolean':
      return true;
    case 'array':
      return [];
    default: {
      const names = everyProperty
        ? Object.keys(schema.properties ?? {}).filter((name) => name !== 'id')
        : (schema.required ?? []);
      return Object.fromEntries(
        names.map((name) => [name, sampleValue(schema.properties?.[name] ?? {}, everyProperty)]),
      );
    }
  }
}

/** A sample of an object schema with every property, the optional ones null (which `@IsOptional` lets in). */
export function withOptionalNulls(schema: JsonSchema): Record<string, unknown> {
  const required = new Set(schema.required ?? []);
  return Object.fromEntries(
    Object.entries(schema.properties ?? {}).map(([name, child]) => [
      name,
      required.has(name) ? sampleValue(child, true) : null,
    ]),
  );
}
