import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { commaSeparated } from '../../../common/http/comma-separated.js';
import {
  MAX_ATTEMPTS,
  MAX_RETRY_BACKOFF_SECONDS,
  MAX_RETRY_DELAY_SECONDS,
  MAX_TIMEOUT_SECONDS,
} from '../task-retries.js';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { CONCURRENCY_KEY_MESSAGE, CONCURRENCY_KEY_PATTERN } from '../concurrency/concurrency-key.js';
import { MaxUtf8Bytes } from '../../../common/http/byte-size.validators.js';
import { PageQueryDto } from '../../../common/http/pagination.dto.js';
import { FAILURE_REASONS, type FailureReason, TASK_PRIORITIES, type TaskPriority } from '../task-status.js';

const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };
const DESCRIPTION_MAX = 65_536;
const OUTPUT_MAX = 1_048_576 / 2;

class TaskBodyDto {
  @ApiPropertyOptional({ maxLength: DESCRIPTION_MAX, example: 'Add OAuth login to the web client' })
  @IsOptional()
  @ValidateIf((_dto, value) => value !== null)
  @IsString()
  @MaxUtf8Bytes(DESCRIPTION_MAX)
  description?: string | null;

  @ApiPropertyOptional({ enum: TASK_PRIORITIES, default: 'medium' })
  @ValidateIf((_dto, value) => value !== undefined)
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value))
  @IsIn(TASK_PRIORITIES)
  priority?: TaskPriority;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  @IsOptional()
  @ValidateIf((_dto, value) => value !== null)
  @IsUUID()
  teamId?: string | null;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  @IsOptional()
  @ValidateIf((_dto, value) => value !== null)
  @IsUUID()
  assignedRoleId?: string | null;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  @IsOptional()
  @ValidateIf((_dto, value) => value !== null)
  @IsUUID()
  parentTaskId?: string | null;

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    description: 'Tasks that must be completed before this one starts',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  dependsOn?: string[];

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: 'https://ci.example.com/hooks/ananta',
    description: 'Called on every status change (POST, signed)',
  })
  @IsOptional()
  @ValidateIf((_dto, value) => value !== null)
  @IsUrl(URL_OPTIONS, { message: 'callbackUrl must be an http:// or https:// URL' })
  @MaxLength(2048)
  callbackUrl?: string | null;

  @ApiPropertyOptional({ minLength: 16, description: 'HMAC-SHA256 key for X-Ananta-Signature; never returned' })
  @IsOptional()
  @IsString()
  @Length(16, 256)
  callbackSecret?: string;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_ATTEMPTS,
    default: 1,
    description:
      'Attempts before the task ends failed with reason attempts_exhausted. Above 1, a reported failure, an expired lease or a timeout sends it back to todo, claimable after the backoff, with attempt + 1',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ATTEMPTS)
  maxAttempts?: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_RETRY_BACKOFF_SECONDS,
    default: 10,
    description: `The first retry's delay; each further one doubles it, up to ${MAX_RETRY_DELAY_SECONDS} s, with jitter (between half and all of it)`,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_RETRY_BACKOFF_SECONDS)
  retryBackoffSeconds?: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_TIMEOUT_SECONDS,
    nullable: true,
    type: Number,
    description:
      'An attempt in_progress longer than this is failed with reason timed_out (and retried if attempts remain)',
  })
  @IsOptional()
  @ValidateIf((_dto, value) => value !== null)
  @IsInt()
  @Min(1)
  @Max(MAX_TIMEOUT_SECONDS)
  timeoutSeconds?: number | null;
}

export class CreateTaskDto extends TaskBodyDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Client-chosen id; 409 if it exists' })
  @IsOptional()
  @IsUUID()
  id?: string;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    maxLength: 100,
    pattern: CONCURRENCY_KEY_PATTERN.source,
    example: 'customer-42',
    description:
      'Tasks sharing a key count together against the key’s limit (PUT /api/concurrency-limits/keys/{key}); ' +
      'claims also take keys in turn within a priority level. Fixed at creation.',
  })
  @IsOptional()
  @ValidateIf((_dto, value) => value !== null)
  @IsString()
  @Matches(CONCURRENCY_KEY_PATTERN, { message: CONCURRENCY_KEY_MESSAGE })
  concurrencyKey?: string | null;

  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Implement OAuth login' })
  @IsString()
  @Length(1, 200)
  title!: string;
}

export class UpdateTaskDto extends TaskBodyDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @ValidateIf((_dto, value) => value !== undefined)
  @IsString()
  @Length(1, 200)
  title?: string;

  @ApiPropertyOptional({
    description: 'The version you read; a stale one gives 409 version_conflict (or send If-Match)',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

export class AssignTaskDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() agentId!: string;
}

export class ChangeStatusDto {
  @ApiProperty({
    example: 'in_progress',
    description: 'A status or an alias of the original hub (done, in-progress, to-do, backlog…)',
  })
  @IsString()
  @Length(1, 32)
  status!: string;

  @ApiPropertyOptional({ description: 'Output of the work so far' })
  @IsOptional()
  @IsString()
  @MaxLength(OUTPUT_MAX)
  output?: string;

  @ApiPropertyOptional({ example: 0 })
  @IsOptional()
  @IsInt()
  @Min(-2_147_483_648)
  @Max(2_147_483_647)
  exitCode?: number;

  @ApiPropertyOptional({ description: 'Optimistic concurrency, as for PATCH' })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

export class ClaimTaskDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() teamId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() roleId?: string;

  @ApiPropertyOptional({ minimum: 10, maximum: 3600, default: 120 })
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(3600)
  leaseSeconds?: number;

  @ApiPropertyOptional({ format: 'uuid', description: 'Claim for this agent (the hub token or an admin only)' })
  @IsOptional()
  @IsUUID()
  agentId?: string;
}

/** The longest a claim may wait for work (`POST /api/tasks/claim?waitSeconds=`). */
export const MAX_CLAIM_WAIT_SECONDS = 30;

export class ClaimQueryDto {
  @ApiPropertyOptional({
    minimum: 0,
    maximum: MAX_CLAIM_WAIT_SECONDS,
    default: 0,
    description:
      'Long-poll: when nothing is claimable, wait up to this many seconds for a task to become claimable on any hub instance (created, returned to todo, or freed by a completed dependency) and claim it; 204 when none came',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_CLAIM_WAIT_SECONDS)
  waitSeconds?: number;
}

export class RenewLeaseDto {
  @ApiPropertyOptional({ minimum: 10, maximum: 3600, default: 120 })
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(3600)
  leaseSeconds?: number;
}

export const TASK_LIST_INCLUDES = ['history'] as const;

export const TASK_SORTS = [
  'createdAt',
  '-createdAt',
  'updatedAt',
  '-updatedAt',
  'priority',
  '-priority',
  'title',
  '-title',
] as const;

export class ListTasksQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Comma-separated statuses (aliases accepted)', example: 'todo,in_progress' })
  @IsOptional()
  @Transform(commaSeparated)
  @IsArray()
  @IsString({ each: true })
  @MaxLength(32, { each: true })
  status?: string[];

  @ApiPropertyOptional({
    enum: FAILURE_REASONS,
    description: 'Why the hub failed the task; `status=failed&reason=attempts_exhausted` lists the dead letters',
  })
  @IsOptional()
  @IsIn(FAILURE_REASONS)
  reason?: FailureReason;

  @ApiPropertyOptional({ description: 'Comma-separated priorities', example: 'high,critical' })
  @IsOptional()
  @Transform(commaSeparated)
  @IsArray()
  @IsIn(TASK_PRIORITIES, { each: true })
  priority?: TaskPriority[];

  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() teamId?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'The assigned agent' }) @IsOptional() @IsUUID() agentId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() parentTaskId?: string;
  @ApiPropertyOptional({ description: 'Case-insensitive part of the title' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  q?: string;
  @ApiPropertyOptional({ example: '2026-11-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  createdFrom?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601({ strict: true }) createdTo?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601({ strict: true }) updatedFrom?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601({ strict: true }) updatedTo?: string;

  @ApiPropertyOptional({ enum: TASK_SORTS, default: '-updatedAt', description: 'A leading "-" sorts descending' })
  @IsOptional()
  @IsIn(TASK_SORTS)
  sort?: (typeof TASK_SORTS)[number];

  @ApiPropertyOptional({
    description:
      'The `nextCursor` of the previous page (same filters and sort): continues right after it, at any depth, ' +
      'as fast as the first page. Instead of `offset`, which PostgreSQL must skip row by row.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  cursor?: string;

  @ApiPropertyOptional({
    enum: TASK_LIST_INCLUDES,
    description: "`history`: each item carries its full history (up to 200 entries); without it items don't",
  })
  @IsOptional()
  @Transform(commaSeparated)
  @IsArray()
  @IsIn(TASK_LIST_INCLUDES, { each: true })
  include?: Array<(typeof TASK_LIST_INCLUDES)[number]>;
}
