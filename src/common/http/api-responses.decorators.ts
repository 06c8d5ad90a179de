import { applyDecorators, HttpCode, HttpStatus, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiNoContentResponse, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ErrorEnvelopeDto } from './api-envelope.dto.js';

interface SuccessOptions {
  status?: HttpStatus;
  description?: string;
  isArray?: boolean;
  /** The payload is a page: `{items, total, limit, offset}`. */
  paged?: boolean;
}

function payloadSchema(model: Type<unknown>, options: SuccessOptions): Record<string, unknown> {
  const item = { $ref: getSchemaPath(model) };
  if (options.paged) {
    return {
      type: 'object',
      required: ['items', 'total', 'limit', 'offset'],
      properties: {
        items: { type: 'array', items: item },
        total: { type: 'integer', example: 1 },
        limit: { type: 'integer', example: 50 },
        offset: { type: 'integer', example: 0 },
      },
    };
  }
  return options.isArray ? { type: 'array', items: item } : item;
}

/** Documents a success response wrapped in the `{status: "success", data}` envelope. */
export function ApiSuccess(model: Type<unknown>, options: SuccessOptions = {}): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(model),
    ApiResponse({
      status: options.status ?? HttpStatus.OK,
      description: options.description ?? 'Success',
      schema: {
        type: 'object',
        required: ['status', 'data'],
        properties: { status: { type: 'string', enum: ['success'] }, data: payloadSchema(model, options) },
      },
    }),
  );
}

/** Documents error responses that share the error envelope. */
export function ApiErrors(...errors: Array<[HttpStatus, string]>): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...errors.map(([status, description]) => ApiResponse({ status, description, type: ErrorEnvelopeDto })),
  );
}

/** The route answers 204 with an empty body (`@HttpCode(204)`), and the OpenAPI document says so. */
export function NoContent(description = 'Done; the response has no body'): MethodDecorator {
  return applyDecorators(HttpCode(HttpStatus.NO_CONTENT), ApiNoContentResponse({ description }));
}
