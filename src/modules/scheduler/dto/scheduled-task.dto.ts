import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { MaxJsonBytes } from '../../../common/http/byte-size.validators.js';
import { TASK_PRIORITIES } from '../../tasks/task-status.js';
import {
  OVERLAP_POLICIES,
  type OverlapPolicy,
  type ScheduledTaskEntity,
  type TaskBlueprint,
} from '../scheduled-task.entity.js';
import type { ScheduledTaskRunEntity } from '../scheduled-task-run.entity.js';

// Every optional field also takes null (`@IsOptional` lets it in, and it means "not set" when the task is
// created); the blueprint keeps it as sent, so the document says the API can return it.
export class TaskBlueprintDto implements TaskBlueprint {
  @ApiProperty({ example: 'Nightly dependency audit' }) @IsString() @Length(1, 200) title!: string;
  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(65_536)
  description?: string | null;
  @ApiPropertyOptional({ enum: [...TASK_PRIORITIES, null], nullable: true })
  @IsOptional()
  @IsIn(TASK_PRIORITIES)
  priority?: TaskBlueprint['priority'];
  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String }) @IsOptional() @IsUUID() teamId?: string | null;
  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  @IsOptional()
  @IsUUID()
  assignedRoleId?: string | null;

  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'Rendered with `variables` into the task description',
  })
  @IsOptional()
  @IsUUID()
  templateId?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    nullable: true,
    additionalProperties: true,
    example: { team_goal: 'Keep dependencies current' },
  })
  @IsOptional()
  @IsObject()
  @MaxJsonBytes(16_384)
  variables?: Record<string, string | number | boolean> | null;
}

const OVERLAP_DESCRIPTION =
  "While the previous occurrence's task is unfinished: allow runs anyway; skip records the occurrence as skipped; buffer_one holds one occurrence back and runs it once that task finishes (further ones are skipped meanwhile)";
const RUN_OUTCOMES = ['succeeded', 'failed', 'skipped', 'buffered', 'missed'] as const;
/** A year: more than any outage worth catching up on, and bounded work per scheduler pass anyway. */
const MAX_CATCHUP_WINDOW_SECONDS = 31_536_000;
const CATCHUP_DESCRIPTION =
  'Occurrences missed while no instance ran the scheduler: null (the default) runs the schedule once after the downtime; a number of seconds runs each occurrence missed less than that long ago, oldest first, and records older ones as missed runs (0: never catch up). Occurrences up to 15 s late always run.';

/** The optional catch-up window of a create or a patch: null, or whole seconds up to a year. */
const CatchupWindow = () =>
  applyDecorators(
    ApiPropertyOptional({
      nullable: true,
      type: Number,
      minimum: 0,
      maximum: MAX_CATCHUP_WINDOW_SECONDS,
      example: 3600,
      description: CATCHUP_DESCRIPTION,
    }),
    IsOptional(),
    IsInt(),
    Min(0),
    Max(MAX_CATCHUP_WINDOW_SECONDS),
  );

export class CreateScheduledTaskDto {
  @ApiProperty({ example: 'Nightly audit' }) @IsString() @Length(1, 128) name!: string;

  @ApiPropertyOptional({
    example: '0 2 * * *',
    description: '5 fields, or 6 with seconds; exactly one of cron and intervalSeconds',
  })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  cron?: string;

  @ApiPropertyOptional({ example: 'Europe/Berlin', default: 'UTC', description: 'IANA time zone the cron is read in' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timezone?: string;

  @ApiPropertyOptional({ example: 3600, minimum: 10, maximum: 31_536_000 })
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(31_536_000)
  intervalSeconds?: number;

  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() enabled?: boolean;

  @ApiPropertyOptional({ enum: OVERLAP_POLICIES, default: 'allow', description: OVERLAP_DESCRIPTION })
  @IsOptional()
  @IsIn(OVERLAP_POLICIES)
  overlapPolicy?: OverlapPolicy;

  @CatchupWindow()
  catchupWindowSeconds?: number | null;

  @ApiProperty({ type: TaskBlueprintDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => TaskBlueprintDto)
  task!: TaskBlueprintDto;
}

export class UpdateScheduledTaskDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 128) name?: string;
  @ApiPropertyOptional({ description: 'Setting it removes intervalSeconds' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  cron?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) timezone?: string;

  @ApiPropertyOptional({ description: 'Setting it removes cron' })
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(31_536_000)
  intervalSeconds?: number;

  @ApiPropertyOptional() @IsOptional() @IsBoolean() enabled?: boolean;

  @ApiPropertyOptional({ enum: OVERLAP_POLICIES, default: 'allow', description: OVERLAP_DESCRIPTION })
  @IsOptional()
  @IsIn(OVERLAP_POLICIES)
  overlapPolicy?: OverlapPolicy;

  @CatchupWindow()
  catchupWindowSeconds?: number | null;

  @ApiPropertyOptional({ type: TaskBlueprintDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => TaskBlueprintDto)
  task?: TaskBlueprintDto;
}

export class ScheduledTaskResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String }) cron!: string | null;
  @ApiProperty({ example: 'UTC' }) timezone!: string;
  @ApiProperty({ nullable: true, type: Number }) intervalSeconds!: number | null;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ type: TaskBlueprintDto }) task!: TaskBlueprint;
  @ApiProperty({ nullable: true, type: String }) nextRunAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastRunAt!: string | null;
  @ApiProperty({ enum: OVERLAP_POLICIES, description: OVERLAP_DESCRIPTION }) overlapPolicy!: OverlapPolicy;
  @ApiProperty({ nullable: true, type: Number, description: CATCHUP_DESCRIPTION }) catchupWindowSeconds!: number | null;
  @ApiProperty({ nullable: true, enum: [...RUN_OUTCOMES, null] }) lastOutcome!: string | null;
  @ApiProperty({ nullable: true, type: String }) createdBy!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class ScheduledTaskRunDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() scheduledAt!: string;
  @ApiProperty() startedAt!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) taskId!: string | null;
  @ApiProperty({
    nullable: true,
    enum: [...RUN_OUTCOMES, null],
    description: 'Null while running; skipped or buffered by the overlap policy; missed outside the catch-up window',
  })
  outcome!: string | null;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
}

export const toScheduleResponse = (schedule: ScheduledTaskEntity): ScheduledTaskResponseDto => ({
  id: schedule.id,
  name: schedule.name,
  cron: schedule.cron,
  timezone: schedule.timezone,
  intervalSeconds: schedule.intervalSeconds,
  enabled: schedule.enabled,
  overlapPolicy: schedule.overlapPolicy,
  catchupWindowSeconds: schedule.catchupWindowSeconds,
  task: schedule.task,
  nextRunAt: schedule.nextRunAt?.toISOString() ?? null,
  lastRunAt: schedule.lastRunAt?.toISOString() ?? null,
  lastOutcome: schedule.lastOutcome,
  createdBy: schedule.createdBy,
  createdAt: schedule.createdAt.toISOString(),
  updatedAt: schedule.updatedAt.toISOString(),
});

export const toRunResponse = (run: ScheduledTaskRunEntity): ScheduledTaskRunDto => ({
  id: run.id,
  scheduledAt: run.scheduledAt.toISOString(),
  startedAt: run.startedAt.toISOString(),
  taskId: run.taskId,
  outcome: run.outcome,
  error: run.error,
});

/** At most this many occurrences per backfill request. */
export const MAX_BACKFILL_OCCURRENCES = 1000;

export class BackfillDto {
  @ApiProperty({ example: '2026-11-01T00:00:00Z', description: 'First instant of the past range (included)' })
  @IsISO8601({ strict: true })
  from!: string;

  @ApiProperty({
    example: '2026-11-02T00:00:00Z',
    description: 'Last instant of the range (included), not in the future',
  })
  @IsISO8601({ strict: true })
  to!: string;
}

export class BackfillResultDto {
  @ApiProperty({ description: 'Occurrences of the timetable in the range' }) occurrences!: number;
  @ApiProperty({ description: 'Occurrences this request ran (each created its task)' }) ran!: number;
  @ApiProperty({ description: 'Occurrences that had run before, or were running elsewhere' }) existing!: number;
}
