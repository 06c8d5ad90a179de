import { describe, expect, it } from '@jest/globals';
import { BadRequestException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { QueryFailedError, QueryRunnerAlreadyReleasedError } from 'typeorm';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
  ValidationFailedError,
} from './domain-errors.js';
import { type ErrorResponse, toClientErrorResponse, toErrorEnvelope, toErrorResponse } from './error-envelope.js';

const driverError = (code: string, message = 'driver failure'): Error => Object.assign(new Error(message), { code });

const queryFailed = (code: string): QueryFailedError => new QueryFailedError('SELECT 1', [], driverError(code));

const fastifyError = (statusCode: number, code: string): Error =>
  Object.assign(new Error('fastify says no'), { statusCode, code });

describe(toErrorResponse.name, () => {
  describe('domain errors', () => {
    it('maps ValidationFailedError to 400 validation_failed with its details', () => {
      const details = [{ field: 'name', message: 'name must be a string' }];

      expect(toErrorResponse(new ValidationFailedError(details))).toEqual({
        status: 400,
        code: 'validation_failed',
        message: 'Request validation failed',
        details,
        headers: undefined,
        unexpected: false,
      });
    });

    it('maps UnauthenticatedError to 401 unauthenticated', () => {
      const response = toErrorResponse(new UnauthenticatedError('Token expired'));

      expect(response).toMatchObject({ status: 401, code: 'unauthenticated', message: 'Token expired' });
      expect(response.unexpected).toBe(false);
    });

    it('maps ForbiddenError to 403 with the default code', () => {
      expect(toErrorResponse(new ForbiddenError())).toMatchObject({
        status: 403,
        code: 'forbidden',
        message: 'You are not allowed to do this',
        unexpected: false,
      });
    });

    it('keeps the custom code and headers of a ForbiddenError', () => {
      const error = new ForbiddenError('Password change required', 'password_change_required', { 'X-Reason': 'pw' });

      expect(toErrorResponse(error)).toMatchObject({
        status: 403,
        code: 'password_change_required',
        message: 'Password change required',
        headers: { 'X-Reason': 'pw' },
      });
    });

    it('maps NotFoundError to 404 <resource>_not_found with a capitalised message', () => {
      expect(toErrorResponse(new NotFoundError('user'))).toMatchObject({
        status: 404,
        code: 'user_not_found',
        message: 'User not found',
      });
    });

    it('turns underscores of the resource into spaces in the NotFoundError message', () => {
      expect(toErrorResponse(new NotFoundError('team_member'))).toMatchObject({
        code: 'team_member_not_found',
        message: 'Team member not found',
      });
    });

    it('maps ConflictError to 409 with a custom code and details', () => {
      const error = new ConflictError('Task cannot move from done to todo', 'invalid_transition', { from: 'done' });

      expect(toErrorResponse(error)).toMatchObject({
        status: 409,
        code: 'invalid_transition',
        message: 'Task cannot move from done to todo',
        details: { from: 'done' },
        unexpected: false,
      });
    });

    it('maps RateLimitedError to 429 with Retry-After rounded up to whole seconds', () => {
      expect(toErrorResponse(new RateLimitedError(42.3))).toMatchObject({
        status: 429,
        code: 'rate_limited',
        headers: { 'Retry-After': '43' },
      });
    });

    it('never sends a Retry-After below 1 second', () => {
      expect(toErrorResponse(new RateLimitedError(0)).headers).toEqual({ 'Retry-After': '1' });
    });
  });

  describe('database errors', () => {
    it('maps a unique violation (23505) to 409 conflict', () => {
      expect(toErrorResponse(queryFailed('23505'))).toEqual({
        status: 409,
        code: 'conflict',
        message: 'A resource with these values already exists',
        unexpected: false,
      });
    });

    it('maps a foreign key violation (23503) to 409 conflict', () => {
      expect(toErrorResponse(queryFailed('23503'))).toEqual({
        status: 409,
        code: 'conflict',
        message: 'The operation conflicts with a referenced resource',
        unexpected: false,
      });
    });

    it.each([
      ['an invalid text representation', '22P02'],
      ['a NUL character in text', '22021'],
      ['a \\u0000 escape in jsonb', '22P05'],
    ])('maps %s (%s) to 400 validation_failed', (_name, code) => {
      expect(toErrorResponse(queryFailed(code))).toEqual({
        status: 400,
        code: 'validation_failed',
        message: 'Request validation failed',
        details: [{ field: 'request', message: 'A value has the wrong format or size' }],
        unexpected: false,
      });
    });

    it('does not leak the SQL of an unmapped query failure', () => {
      const error = new QueryFailedError('SELECT password FROM users', [], driverError('42P01', 'no such table'));
      const response = toErrorResponse(error);

      expect(response).toMatchObject({ status: 500, code: 'internal_error', unexpected: true });
      expect(response.message).not.toContain('password');
    });
  });

  describe('database unavailable', () => {
    const unavailable: Array<[string, unknown]> = [
      ['a socket error with code ECONNREFUSED', driverError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
      ['a node-postgres "Connection terminated" error', new Error('Connection terminated unexpectedly')],
      ['a QueryFailedError whose driver error is 57P01 (admin shutdown)', queryFailed('57P01')],
      ['a TypeORM transaction whose connection was lost between statements', new QueryRunnerAlreadyReleasedError()],
      [
        'an error whose cause has SQLSTATE class 08 (08006)',
        new Error('query failed', { cause: driverError('08006') }),
      ],
    ];

    it.each(unavailable)('maps %s to 503 database_unavailable with Retry-After', (_name, error) => {
      expect(toErrorResponse(error)).toEqual({
        status: 503,
        code: 'database_unavailable',
        message: 'The database is not reachable at the moment; try again shortly',
        headers: { 'Retry-After': '5' },
        unexpected: false,
      });
    });
  });

  describe('Nest HTTP exceptions', () => {
    it('maps NotFoundException to 404 route_not_found', () => {
      expect(toErrorResponse(new NotFoundException('Cannot GET /api/nope'))).toEqual({
        status: 404,
        code: 'route_not_found',
        message: 'No such route',
        details: undefined,
        unexpected: false,
      });
    });

    it('maps PayloadTooLargeException to 413 payload_too_large', () => {
      expect(toErrorResponse(new PayloadTooLargeException())).toMatchObject({
        status: 413,
        code: 'payload_too_large',
        message: 'The request body is larger than the 1 MiB limit',
        unexpected: false,
      });
    });

    it('maps a JSON parse BadRequestException to 400 validation_failed naming the body', () => {
      expect(toErrorResponse(new BadRequestException('Unexpected end of JSON input'))).toEqual({
        status: 400,
        code: 'validation_failed',
        message: 'Request validation failed',
        details: [{ field: 'body', message: 'The body is not valid JSON: Unexpected end of JSON input' }],
        unexpected: false,
      });
    });

    it('maps any other BadRequestException to 400 validation_failed naming the request', () => {
      expect(toErrorResponse(new BadRequestException('URI malformed')).details).toEqual([
        { field: 'request', message: 'URI malformed' },
      ]);
    });
  });

  describe('Fastify client errors', () => {
    it('maps FST_ERR_CTP_INVALID_MEDIA_TYPE (415) to unsupported_media_type', () => {
      expect(toErrorResponse(fastifyError(415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE'))).toEqual({
        status: 415,
        code: 'unsupported_media_type',
        message: 'Unsupported content type: send application/json',
        details: undefined,
        unexpected: false,
      });
    });

    it('maps FST_ERR_CTP_EMPTY_JSON_BODY to 400 validation_failed naming the body', () => {
      expect(toErrorResponse(fastifyError(400, 'FST_ERR_CTP_EMPTY_JSON_BODY'))).toEqual({
        status: 400,
        code: 'validation_failed',
        message: 'Request validation failed',
        details: [{ field: 'body', message: 'The body must not be empty with Content-Type: application/json' }],
        unexpected: false,
      });
    });

    it('maps the router errors to 400 naming the path and 414 uri_too_long', () => {
      expect(toErrorResponse(fastifyError(400, 'FST_ERR_BAD_URL'))).toMatchObject({
        status: 400,
        code: 'validation_failed',
        details: [{ field: 'path', message: 'The path is not valid percent-encoded UTF-8' }],
      });
      expect(toErrorResponse(fastifyError(414, 'FST_ERR_MAX_PARAM_LENGTH'))).toMatchObject({
        status: 414,
        code: 'uri_too_long',
        unexpected: false,
      });
    });

    it('treats a 5xx statusCode on a plain error as an internal error', () => {
      expect(toErrorResponse(fastifyError(502, 'FST_SOMETHING'))).toMatchObject({
        status: 500,
        code: 'internal_error',
        unexpected: true,
      });
    });
  });

  describe('unexpected errors', () => {
    it('maps an arbitrary Error to 500 internal_error without leaking its message', () => {
      const response = toErrorResponse(new Error('SELECT secret FROM x'));

      expect(response).toEqual({
        status: 500,
        code: 'internal_error',
        message: 'An unexpected error occurred; it has been logged',
        unexpected: true,
      });
      expect(response.message).not.toContain('secret');
    });

    it('maps a thrown string to 500 internal_error', () => {
      expect(toErrorResponse('boom')).toMatchObject({ status: 500, code: 'internal_error', unexpected: true });
    });

    it('maps undefined to 500 internal_error', () => {
      expect(toErrorResponse(undefined)).toMatchObject({ status: 500, code: 'internal_error' });
    });
  });
});

describe(toClientErrorResponse.name, () => {
  it('answers a request timeout with 408, oversized headers with 431 and anything else with 400', () => {
    expect(toClientErrorResponse(driverError('ERR_HTTP_REQUEST_TIMEOUT'))).toMatchObject({
      status: 408,
      code: 'request_timeout',
    });
    expect(toClientErrorResponse(driverError('HPE_HEADER_OVERFLOW'))).toMatchObject({
      status: 431,
      code: 'headers_too_large',
    });
    expect(toClientErrorResponse(driverError('HPE_INVALID_METHOD'))).toMatchObject({
      status: 400,
      code: 'validation_failed',
      details: [{ field: 'request', message: 'The HTTP request is malformed' }],
    });
  });

  it('answers nothing when the peer reset the connection', () => {
    expect(toClientErrorResponse(driverError('ECONNRESET'))).toBeUndefined();
  });
});

describe(toErrorEnvelope.name, () => {
  const base: ErrorResponse = { status: 404, code: 'user_not_found', message: 'User not found', unexpected: false };

  it('builds {status: "error", message, data: {code, requestId}} without details when none are set', () => {
    const envelope = toErrorEnvelope(base, 'req-1');

    expect(envelope).toEqual({
      status: 'error',
      message: 'User not found',
      data: { code: 'user_not_found', requestId: 'req-1' },
    });
    expect('details' in envelope.data).toBe(false);
  });

  it('includes details when they are defined', () => {
    const details = [{ field: 'name', message: 'required' }];

    expect(toErrorEnvelope({ ...base, status: 400, code: 'validation_failed', details }, 'req-2')).toEqual({
      status: 'error',
      message: 'User not found',
      data: { code: 'validation_failed', requestId: 'req-2', details },
    });
  });

  it('keeps falsy but defined details', () => {
    expect(toErrorEnvelope({ ...base, details: null }, 'req-3').data).toEqual({
      code: 'user_not_found',
      requestId: 'req-3',
      details: null,
    });
  });

  it('never copies headers or the unexpected flag into the body', () => {
    const envelope = toErrorEnvelope({ ...base, headers: { 'Retry-After': '5' }, unexpected: true }, 'req-4');

    expect(Object.keys(envelope).sort()).toEqual(['data', 'message', 'status']);
    expect(Object.keys(envelope.data).sort()).toEqual(['code', 'requestId']);
  });
});
