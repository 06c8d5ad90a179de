import { applyDecorators, HttpStatus, UseInterceptors } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';
import { ErrorEnvelopeDto } from '../http/api-envelope.dto.js';
import { IDEMPOTENCY_KEY_HEADER } from './idempotency-key.js';
import {
  IdempotencyInterceptor,
  type IdempotentOptions,
  IdempotentRoute,
  REPLAYED_HEADER,
} from './idempotency.interceptor.js';

const KEY_DESCRIPTION =
  'Optional. Makes retrying this request safe: 1–255 visible ASCII characters, unique per request (a UUID). ' +
  'Within 24 hours, the same key and body from the same caller answer the first response again (same status ' +
  'and body, with `Idempotent-Replayed: true`) instead of acting twice, on any instance; the same key with ' +
  'another body is 409 `idempotency_key_reused`. Error answers are not kept: a retry runs again.';

/**
 * Makes a POST route honour `Idempotency-Key` (see `IdempotencyInterceptor`) and documents the header, the
 * replay marker and the 400 and 409 answers. Put it above the route's `@HttpCode` (decorators apply from the
 * bottom up), so it documents the replay on the status the route answers: that one, or POST's 201.
 */
export function Idempotent(options: IdempotentOptions = {}): MethodDecorator {
  return (target, key, descriptor) => {
    const status =
      (Reflect.getMetadata(HTTP_CODE_METADATA, descriptor.value as object) as number | undefined) ?? HttpStatus.CREATED;
    applyDecorators(
      IdempotentRoute(options),
      UseInterceptors(IdempotencyInterceptor),
      ApiHeader({
        name: IDEMPOTENCY_KEY_HEADER,
        required: false,
        description: KEY_DESCRIPTION,
        schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
      }),
      ApiResponse({
        status,
        description: 'A replay of the first answer to this Idempotency-Key carries `Idempotent-Replayed: true`',
        headers: {
          [REPLAYED_HEADER]: {
            description: 'Present, as `true`, only on a replayed answer',
            schema: { type: 'string', enum: ['true'] },
          },
        },
      }),
      ApiResponse({
        status: HttpStatus.BAD_REQUEST,
        description: 'validation_failed, also for an Idempotency-Key that is not 1–255 visible ASCII characters',
        type: ErrorEnvelopeDto,
      }),
      ApiResponse({
        status: HttpStatus.CONFLICT,
        description:
          'idempotency_key_reused: the Idempotency-Key was used with another body; ' +
          'idempotency_request_in_progress (with Retry-After): the first request with this key is still running',
        type: ErrorEnvelopeDto,
        headers: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } },
      }),
    )(target, key, descriptor);
  };
}
