import { HttpException } from '@nestjs/common';
import { DomainError, type FieldProblem } from './domain-errors.js';
import { isDatabaseUnavailable, PgErrorCode, sqlState } from './database-errors.js';

export interface ErrorResponse {
  status: number;
  code: string;
  message: string;
  details?: unknown;
  headers?: Record<string, string>;
  /** Whether the error is ours (a 5xx) and must be logged with its stack. */
  unexpected: boolean;
}

/** The error envelope body of SPEC section 1. */
export interface ErrorEnvelope {
  status: 'error';
  message: string;
  data: { code: string; requestId: string; details?: unknown };
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'validation_failed',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'route_not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  409: 'conflict',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  431: 'headers_too_large',
  503: 'service_unavailable',
};

// Messages for client errors raised by the HTTP layer (Fastify, Nest); they never contain user data.
const MESSAGE_BY_STATUS: Record<number, string> = {
  400: 'The request is malformed',
  404: 'No such route',
  413: 'The request body is larger than the 1 MiB limit',
  415: 'Unsupported content type: send application/json',
};

const INTERNAL: ErrorResponse = {
  status: 500,
  code: 'internal_error',
  message: 'An unexpected error occurred; it has been logged',
  unexpected: true,
};

const DATABASE_UNAVAILABLE: ErrorResponse = {
  status: 503,
  code: 'database_unavailable',
  message: 'The database is not reachable at the moment; try again shortly',
  headers: { 'Retry-After': '5' },
  unexpected: false,
};

function fromHttpStatus(status: number, message: string | undefined, details?: unknown): ErrorResponse {
  if (status >= 500) {
    return { ...INTERNAL, status: status === 503 ? 503 : 500, code: CODE_BY_STATUS[status] ?? INTERNAL.code };
  }
  return {
    status,
    code: CODE_BY_STATUS[status] ?? 'bad_request',
    message: MESSAGE_BY_STATUS[status] ?? message ?? 'The request could not be processed',
    details,
    unexpected: false,
  };
}

// Our own code throws DomainErrors; an HttpException comes from the HTTP layer. Nest turns a body or URL that
// cannot be parsed (a SyntaxError or URIError from Fastify) into a BadRequestException with the parser's text.
function fromHttpException(error: HttpException): ErrorResponse {
  const status = error.getStatus();
  if (status !== 400) {
    return fromHttpStatus(status, undefined);
  }
  const details: FieldProblem[] = /JSON/i.test(error.message)
    ? [{ field: 'body', message: `The body is not valid JSON: ${error.message}` }]
    : [{ field: 'request', message: error.message }];
  return { status, code: 'validation_failed', message: 'Request validation failed', details, unexpected: false };
}

function fromDatabaseError(error: unknown): ErrorResponse | undefined {
  switch (sqlState(error)) {
    case PgErrorCode.UniqueViolation:
      return {
        status: 409,
        code: 'conflict',
        message: 'A resource with these values already exists',
        unexpected: false,
      };
    case PgErrorCode.ForeignKeyViolation:
      return {
        status: 409,
        code: 'conflict',
        message: 'The operation conflicts with a referenced resource',
        unexpected: false,
      };
    case PgErrorCode.InvalidTextRepresentation:
    case PgErrorCode.CharacterNotInRepertoire:
    case PgErrorCode.UntranslatableCharacter:
    case PgErrorCode.StringDataRightTruncation:
    case PgErrorCode.NumericValueOutOfRange:
    case PgErrorCode.NotNullViolation:
    case PgErrorCode.CheckViolation: {
      const details: FieldProblem[] = [{ field: 'request', message: 'A value has the wrong format or size' }];
      return {
        status: 400,
        code: 'validation_failed',
        message: 'Request validation failed',
        details,
        unexpected: false,
      };
    }
    default:
      return undefined;
  }
}

const malformed = (field: string, message: string): ErrorResponse => ({
  status: 400,
  code: 'validation_failed',
  message: 'Request validation failed',
  details: [{ field, message }] satisfies FieldProblem[],
  unexpected: false,
});

// Errors raised below the handlers, by their code: Fastify's router and body parsing, and Node's HTTP parser.
const HTTP_LAYER_ERRORS: Record<string, ErrorResponse> = {
  FST_ERR_BAD_URL: malformed('path', 'The path is not valid percent-encoded UTF-8'),
  FST_ERR_MAX_PARAM_LENGTH: {
    status: 414,
    code: 'uri_too_long',
    message: 'A path segment is longer than the 256-character limit',
    unexpected: false,
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: malformed('body', 'The body must not be empty with Content-Type: application/json'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: malformed('body', 'The body does not match its Content-Length'),
  FST_ERR_CTP_INVALID_CHARSET: malformed('body', 'A JSON body must be UTF-8'),
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: 'request_timeout',
    message: 'The request was not received completely in time',
    unexpected: false,
  },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'headers_too_large',
    message: 'The request headers are larger than the server accepts',
    unexpected: false,
  },
};

const errorCode = (error: object): unknown => (error as { code?: unknown }).code;

// Fastify's own client errors (body too large, unsupported media type, …) carry `statusCode`.
function fromHttpLayerError(error: Error & { statusCode?: unknown }): ErrorResponse | undefined {
  const known = HTTP_LAYER_ERRORS[String(errorCode(error))];
  if (known) {
    return known;
  }
  if (typeof error.statusCode !== 'number' || error.statusCode < 400 || error.statusCode >= 500) {
    return undefined;
  }
  return fromHttpStatus(error.statusCode, undefined);
}

/**
 * What to answer when Node's HTTP parser rejects a connection's bytes before any request exists (a timeout,
 * oversized headers, garbage), or `undefined` when there is nobody left to answer (the peer reset).
 */
export function toClientErrorResponse(error: Error): ErrorResponse | undefined {
  if (errorCode(error) === 'ECONNRESET') {
    return undefined;
  }
  return HTTP_LAYER_ERRORS[String(errorCode(error))] ?? malformed('request', 'The HTTP request is malformed');
}

/**
 * Maps anything thrown while handling a request to its HTTP status, stable `code` and safe message. Pure,
 * so every mapping is unit-tested; nothing from an unexpected error (stack, SQL, driver text) leaks out.
 */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (error instanceof DomainError) {
    return {
      status: error.status,
      code: error.code,
      message: error.message,
      details: error.details,
      headers: error.headers,
      unexpected: false,
    };
  }
  if (isDatabaseUnavailable(error)) {
    return DATABASE_UNAVAILABLE;
  }
  if (error instanceof HttpException) {
    return fromHttpException(error);
  }
  const fromDatabase = fromDatabaseError(error);
  if (fromDatabase) {
    return fromDatabase;
  }
  if (error instanceof Error) {
    return fromHttpLayerError(error) ?? INTERNAL;
  }
  return INTERNAL;
}

export function toErrorEnvelope(response: ErrorResponse, requestId: string): ErrorEnvelope {
  const data: ErrorEnvelope['data'] = { code: response.code, requestId };
  if (response.details !== undefined) {
    data.details = response.details;
  }
  return { status: 'error', message: response.message, data };
}
