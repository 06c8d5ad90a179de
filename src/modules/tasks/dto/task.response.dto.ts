import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import type { ArchivedTaskEntity } from '../archived-task.entity.js';
import type { CallbackDeliveryEntity, DeliveryStatus } from '../callbacks/callback-delivery.entity.js';
import type { TaskHistoryEntry } from '../task-columns.entity.js';
import type { TaskEntity } from '../task.entity.js';
import {
  FAILURE_REASONS,
  type FailureReason,
  TASK_PRIORITIES,
  TASK_STATUSES,
  type TaskPriority,
  type TaskStatus,
} from '../task-status.js';

export class TaskHistoryEntryDto {
  @ApiProperty({ example: '2026-11-25T10:00:00.000Z' }) at!: string;
  @ApiProperty({ example: 'status_changed' }) type!: string;
  @ApiProperty({ example: { type: 'user', id: '5b0a3c38-3f7e-4f4b-9a55-7d8e0c1b2a11', name: 'alice' } })
  actor!: { type: string; id: string | null; name: string | null };
  @ApiProperty({ example: { from: 'todo', to: 'in_progress' } }) details!: Record<string, unknown>;
}

export class TaskResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Implement OAuth login' }) title!: string;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ enum: TASK_STATUSES }) status!: TaskStatus;
  @ApiProperty({ enum: TASK_PRIORITIES }) priority!: TaskPriority;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) teamId!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) assignedAgentId!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) assignedRoleId!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) parentTaskId!: string | null;
  @ApiProperty({ type: [String] }) dependsOn!: string[];
  @ApiProperty({ type: [TaskHistoryEntryDto] }) history!: TaskHistoryEntry[];
  @ApiProperty({ nullable: true, type: String }) lastOutput!: string | null;
  @ApiProperty({ nullable: true, type: Number }) lastExitCode!: number | null;
  @ApiProperty({ nullable: true, type: String }) callbackUrl!: string | null;
  @ApiProperty({ example: 3, description: 'Send it back (or as If-Match) to make a write conditional' })
  version!: number;
  @ApiProperty({ nullable: true, type: String }) leaseExpiresAt!: string | null;
  @ApiProperty({ example: 1, description: 'The attempt under way or next, from 1' }) attempt!: number;
  @ApiProperty({ example: 3, description: 'Attempts the task gets before it ends failed (attempts_exhausted)' })
  maxAttempts!: number;
  @ApiProperty({ example: 10, description: 'The first retry’s delay; each further one doubles it, with jitter' })
  retryBackoffSeconds!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'How long an attempt may stay in_progress' })
  timeoutSeconds!: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'Not claimable before this moment (a retry’s backoff)' })
  availableAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'When the current attempt went in_progress' })
  startedAt!: string | null;
  @ApiProperty({
    nullable: true,
    // OpenAPI 3.0 checks enum before nullable: null must be one of the values too.
    enum: [...FAILURE_REASONS, null],
    description: 'Why the hub failed the task: attempts_exhausted (a dead letter) or timed_out',
  })
  failureReason!: FailureReason | null;
  @ApiProperty({ nullable: true, type: String, description: 'Counts against this key’s concurrency limit' })
  concurrencyKey!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

/** A task in a list: everything but `history`, which only `?include=history` adds. */
export class TaskListItemDto extends OmitType(TaskResponseDto, ['history'] as const) {
  @ApiPropertyOptional({ type: [TaskHistoryEntryDto], description: 'Only with ?include=history' })
  history?: TaskHistoryEntry[];
}

export class TaskPageDto {
  @ApiProperty({ type: [TaskListItemDto] }) items!: TaskListItemDto[];
  @ApiProperty({
    example: 1001,
    description:
      'Tasks matching the filters. Counted up to offset + limit + 1000: exact when `totalIsExact`, otherwise a ' +
      'lower bound ("more than this many"), so a list of a million tasks answers as fast as a short one.',
  })
  total!: number;
  @ApiProperty({ description: 'Whether `total` is the exact count' }) totalIsExact!: boolean;
  @ApiProperty({ example: 50 }) limit!: number;
  @ApiProperty({ example: 0 }) offset!: number;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as `cursor` (with the same filters and sort) for the next page; null on the last page',
  })
  nextCursor!: string | null;
}

export class ArchivedTaskResponseDto extends TaskResponseDto {
  @ApiProperty() archivedAt!: string;
}

export class CallbackDeliveryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'task.status_changed' }) event!: string;
  @ApiProperty({ enum: ['pending', 'delivered', 'failed', 'dead'] }) status!: DeliveryStatus;
  @ApiProperty({ example: 1 }) attempts!: number;
  @ApiProperty({ nullable: true, type: Number }) lastStatusCode!: number | null;
  @ApiProperty({ nullable: true, type: String }) lastError!: string | null;
  @ApiProperty({ nullable: true, type: String }) nextAttemptAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) deliveredAt!: string | null;
}

/**
 * A task as the API shows it, `history` last and only when the row was read with it (lists leave it out).
 * Never includes the callback secret. Built field by field, never by deleting one: objects from one shape
 * keep serialising fast.
 */
export function toTaskListItem(task: TaskEntity | ArchivedTaskEntity): TaskListItemDto {
  const item: TaskListItemDto = {
    id: task.id,
    title: task.title,
    description: task.description,
    status: task.status,
    priority: task.priority,
    teamId: task.teamId,
    assignedAgentId: task.assignedAgentId,
    assignedRoleId: task.assignedRoleId,
    parentTaskId: task.parentTaskId,
    dependsOn: task.dependsOn,
    lastOutput: task.lastOutput,
    lastExitCode: task.lastExitCode,
    callbackUrl: task.callbackUrl,
    version: task.version,
    leaseExpiresAt: task.leaseExpiresAt?.toISOString() ?? null,
    attempt: task.attempt,
    maxAttempts: task.maxAttempts,
    retryBackoffSeconds: task.retryBackoffSeconds,
    timeoutSeconds: task.timeoutSeconds,
    availableAt: task.availableAt?.toISOString() ?? null,
    startedAt: task.startedAt?.toISOString() ?? null,
    failureReason: task.failureReason,
    concurrencyKey: task.concurrencyKey,
    createdAt: task.createdAt.toISOString(),
    updatedAt: task.updatedAt.toISOString(),
  };
  if (task.history !== undefined) {
    item.history = task.history;
  }
  return item;
}

/** The whole task, history included (the read of one task, and every write's answer). */
export const toTaskResponse = (task: TaskEntity | ArchivedTaskEntity): TaskResponseDto => ({
  ...toTaskListItem(task),
  history: task.history,
});

export const toArchivedTaskResponse = (task: ArchivedTaskEntity): ArchivedTaskResponseDto => ({
  ...toTaskResponse(task),
  archivedAt: task.archivedAt.toISOString(),
});

export const toDeliveryResponse = (delivery: CallbackDeliveryEntity): CallbackDeliveryDto => ({
  id: delivery.id,
  event: delivery.event,
  status: delivery.status,
  attempts: delivery.attempts,
  lastStatusCode: delivery.lastStatusCode,
  lastError: delivery.lastError,
  nextAttemptAt:
    delivery.status === 'pending' || delivery.status === 'failed' ? delivery.nextAttemptAt.toISOString() : null,
  deliveredAt: delivery.deliveredAt?.toISOString() ?? null,
});
