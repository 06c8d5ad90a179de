import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { commaSeparated } from '../../../common/http/comma-separated.js';
import { EVENT_ID_PATTERN, HUB_EVENT_TYPES } from '../hub-event.js';

/** An event type, or a family of them (`task.*`). */
export const EVENT_TYPE_SELECTORS = [...HUB_EVENT_TYPES, 'task.*', 'agent.*', 'schedule.*'] as const;

export class EventStreamQueryDto {
  @ApiPropertyOptional({
    description: `Comma-separated event types or families; all when absent. One of: ${EVENT_TYPE_SELECTORS.join(', ')}`,
    example: 'task.created,task.status_changed',
  })
  @IsOptional()
  @Transform(commaSeparated)
  @IsArray()
  @ArrayMaxSize(EVENT_TYPE_SELECTORS.length)
  @IsIn(EVENT_TYPE_SELECTORS, { each: true })
  type?: Array<(typeof EVENT_TYPE_SELECTORS)[number]>;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only events of tasks (and occurrences) in this team' })
  @IsOptional()
  @IsUUID()
  teamId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only events of this task' })
  @IsOptional()
  @IsUUID()
  taskId?: string;

  @ApiPropertyOptional({
    description:
      'Resume after this event id, for clients that cannot send the `Last-Event-ID` header (the header wins)',
    example: '7513-42',
  })
  @IsOptional()
  @IsString()
  @Matches(EVENT_ID_PATTERN, { message: 'lastEventId must be an event id from this hub' })
  lastEventId?: string;
}

/** The JSON in each event's `data:` line. */
export class HubEventMessageDto {
  @ApiProperty({ example: '7513-42', description: 'Also the SSE `id:`; send it back as `Last-Event-ID`' })
  id!: string;

  @ApiProperty({ enum: HUB_EVENT_TYPES, description: 'Also the SSE `event:`' })
  type!: string;

  @ApiProperty({ format: 'date-time' })
  occurredAt!: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String }) taskId!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) teamId!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The agent the change concerns' })
  agentId!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) scheduleId!: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'A summary of the subject after the change (task: title, status, previousStatus, assignedAgentId, priority, attempt, failureReason, cause; agent: name, status, previousStatus; schedule: runId, scheduledAt, outcome, manual). Read the resource for the rest.',
  })
  data!: Record<string, unknown>;
}
