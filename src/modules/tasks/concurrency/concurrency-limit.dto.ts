import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Matches, Max, Min } from 'class-validator';
import { CONCURRENCY_KEY_MESSAGE, CONCURRENCY_KEY_PATTERN } from './concurrency-key.js';
import type { ConcurrencyLimitEntity } from './concurrency-limit.entity.js';

export const MAX_CONCURRENCY_LIMIT = 100_000;

export class SetConcurrencyLimitDto {
  @ApiProperty({
    minimum: 0,
    maximum: MAX_CONCURRENCY_LIMIT,
    example: 2,
    description: 'At most this many tasks assigned or in progress at once through claims; 0 holds every one back',
  })
  @IsInt()
  @Min(0)
  @Max(MAX_CONCURRENCY_LIMIT)
  limit!: number;
}

export class ConcurrencyKeyParamDto {
  @ApiProperty({ example: 'customer-42', pattern: CONCURRENCY_KEY_PATTERN.source })
  @Matches(CONCURRENCY_KEY_PATTERN, { message: CONCURRENCY_KEY_MESSAGE.replace('concurrencyKey', 'key') })
  key!: string;
}

export class ConcurrencyLimitDto {
  @ApiProperty({ enum: ['key', 'team'], description: 'What the limit counts: tasks with a key, or of a team' })
  kind!: 'key' | 'team';
  @ApiProperty({ nullable: true, type: String, example: 'customer-42' }) key!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) teamId!: string | null;
  @ApiProperty({ example: 2 }) limit!: number;
  @ApiProperty({ example: 1, description: 'Tasks it counts that are assigned or in progress now' }) active!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export const toConcurrencyLimitResponse = (
  limit: ConcurrencyLimitEntity & { active: number },
): ConcurrencyLimitDto => ({
  kind: limit.concurrencyKey === null ? 'team' : 'key',
  key: limit.concurrencyKey,
  teamId: limit.teamId,
  limit: limit.maxActive,
  active: limit.active,
  createdAt: limit.createdAt.toISOString(),
  updatedAt: limit.updatedAt.toISOString(),
});
