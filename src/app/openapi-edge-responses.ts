import type { OpenAPIObject, OperationObject, ResponseObject } from '@nestjs/swagger';

type Components = Record<string, ResponseObject>;

const envelope = (description: string, headers?: ResponseObject['headers']): ResponseObject => ({
  description,
  headers,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelopeDto' } } },
});

const RETRY_AFTER = { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } };

/** Error responses the HTTP layer can give on any operation of a kind, whatever its handler does. */
const EDGE_RESPONSES: Components = {
  ValidationFailed: envelope('validation_failed: a path parameter, query parameter or body is invalid'),
  UriTooLong: envelope('uri_too_long: a path segment is longer than 256 characters'),
  PayloadTooLarge: envelope('payload_too_large: the body is larger than 1 MiB'),
  UnsupportedMediaType: envelope('unsupported_media_type: the body is not application/json'),
  HeadersTooLarge: envelope('headers_too_large: the request line and headers are larger than the server accepts'),
  InternalError: envelope('internal_error: an unexpected error, logged under the request id'),
  Unavailable: envelope('database_unavailable: PostgreSQL is not reachable; retry shortly', RETRY_AFTER),
};

const ref = (name: keyof typeof EDGE_RESPONSES) => ({ $ref: `#/components/responses/${name}` });

function addMissing(operation: OperationObject, status: string, name: keyof typeof EDGE_RESPONSES): void {
  operation.responses[status] ??= ref(name);
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * Documents on every operation the errors that come from the layers around its handler: the body parser
 * (400, 413, 415) wherever a body is parsed (every method but GET, whether or not the handler reads one),
 * parameter validation and the router (400, 414) where there are parameters, and Node's HTTP parser (431),
 * 500 and 503 everywhere. Responses a route documents itself are kept.
 */
export function documentEdgeResponses(document: OpenAPIObject): OpenAPIObject {
  document.components = {
    ...document.components,
    responses: { ...document.components?.responses, ...EDGE_RESPONSES },
  };
  for (const path of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = path[method];
      if (!operation) {
        continue;
      }
      const parameters = (operation.parameters ?? []) as Array<{ in?: string }>;
      if (method !== 'get' || operation.requestBody) {
        addMissing(operation, '400', 'ValidationFailed');
        addMissing(operation, '413', 'PayloadTooLarge');
        addMissing(operation, '415', 'UnsupportedMediaType');
      }
      if (parameters.some((parameter) => parameter.in === 'path')) {
        addMissing(operation, '400', 'ValidationFailed');
        addMissing(operation, '414', 'UriTooLong');
      }
      if (parameters.some((parameter) => parameter.in === 'query')) {
        addMissing(operation, '400', 'ValidationFailed');
      }
      addMissing(operation, '431', 'HeadersTooLarge');
      addMissing(operation, '500', 'InternalError');
      addMissing(operation, '503', 'Unavailable');
    }
  }
  return document;
}
