import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';

/**
 * The schema of "any JSON value". OpenAPI 3.0 has no null type, and `nullable` only qualifies a `type`, so
 * null is allowed through the first alternative.
 */
export const ANY_JSON = {
  anyOf: [
    { type: 'string', nullable: true },
    { type: 'number' },
    { type: 'boolean' },
    { type: 'array', items: {} },
    { type: 'object' },
  ],
};

export class FieldProblemDto {
  @ApiProperty({ example: 'title' }) field!: string;
  @ApiProperty({ example: 'title must be shorter than or equal to 200 characters' }) message!: string;
}

export class ErrorDataDto {
  @ApiProperty({ example: 'validation_failed', description: 'Stable, snake_case; clients switch on this' })
  code!: string;

  @ApiProperty({ example: '0b4f6c1e-8a54-4a0f-9f0a-3f1f2b0c9d11', description: 'Also in the X-Request-Id header' })
  requestId!: string;

  @ApiPropertyOptional({
    description: 'Per-field problems (400 validation_failed), or an object with context (409: what uses it)',
    anyOf: [{ type: 'array', items: { $ref: getSchemaPath(FieldProblemDto) } }, { type: 'object' }],
  })
  details?: FieldProblemDto[] | Record<string, unknown>;
}

export class ErrorEnvelopeDto {
  @ApiProperty({ enum: ['error'], example: 'error' }) status!: 'error';
  @ApiProperty({ example: 'Request validation failed' }) message!: string;
  @ApiProperty({ type: ErrorDataDto }) data!: ErrorDataDto;
}
