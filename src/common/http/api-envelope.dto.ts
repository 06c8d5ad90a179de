import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldProblemDto {
  @ApiProperty({ example: 'title' }) field!: string;
  @ApiProperty({ example: 'title must be shorter than or equal to 200 characters' }) message!: string;
}

export class ErrorDataDto {
  @ApiProperty({ example: 'validation_failed', description: 'Stable, snake_case; clients switch on this' })
  code!: string;

  @ApiProperty({ example: '0b4f6c1e-8a54-4a0f-9f0a-3f1f2b0c9d11', description: 'Also in the X-Request-Id header' })
  requestId!: string;

  @ApiPropertyOptional({ type: [FieldProblemDto], description: 'Per-field problems (validation) or context' })
  details?: FieldProblemDto[];
}

export class ErrorEnvelopeDto {
  @ApiProperty({ enum: ['error'], example: 'error' }) status!: 'error';
  @ApiProperty({ example: 'Request validation failed' }) message!: string;
  @ApiProperty({ type: ErrorDataDto }) data!: ErrorDataDto;
}
