import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, Matches } from 'class-validator';
import type { TaskPriority } from '../../../src/public-api.js';
import type { SendTrigger } from '../send-trigger.js';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** A summary names at most this many tasks; `completed` always counts all of them. */
export const MAX_LISTED_TASKS = 100;

class DayInput {
  @ApiPropertyOptional({ description: 'A UTC day (YYYY-MM-DD); today when omitted', example: '2026-11-25' })
  @IsOptional()
  @Matches(DATE_ONLY, { message: 'date must be a day as YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'date must be a real calendar day' })
  date?: string;
}

export class SummaryDayQueryDto extends DayInput {}

export class SendSummaryDto extends DayInput {}

export class PriorityCountsDto {
  @ApiProperty({ example: 1 }) low!: number;
  @ApiProperty({ example: 4 }) medium!: number;
  @ApiProperty({ example: 2 }) high!: number;
  @ApiProperty({ example: 0 }) critical!: number;
}

export class CompletedTaskDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Implement OAuth login' }) title!: string;
  @ApiProperty({ enum: ['low', 'medium', 'high', 'critical'] }) priority!: TaskPriority;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) assignedAgentId!: string | null;
  @ApiProperty({ example: '2026-11-25T16:42:00.000Z' }) completedAt!: string;
}

export class DailySummaryDto {
  @ApiProperty({ example: '2026-11-25' }) date!: string;
  @ApiProperty({ example: '2026-11-25T00:00:00.000Z', description: 'Start of the UTC day (inclusive)' })
  from!: string;
  @ApiProperty({ example: '2026-11-26T00:00:00.000Z', description: 'End of the UTC day (exclusive)' })
  to!: string;
  @ApiProperty({ example: 7, description: 'Tasks completed during the day' }) completed!: number;
  @ApiProperty({ type: PriorityCountsDto }) byPriority!: PriorityCountsDto;
  @ApiProperty({
    type: [CompletedTaskDto],
    description: `At most ${MAX_LISTED_TASKS}, the most recently completed first`,
  })
  tasks!: CompletedTaskDto[];
}

export class SummaryDeliveryDto {
  @ApiProperty({ example: '2026-11-25' }) date!: string;
  @ApiProperty({ example: 7 }) completed!: number;
  @ApiProperty({ example: 204, description: 'What the receiver answered' }) statusCode!: number;
}

export class DeliveryRecordDto {
  @ApiProperty({ example: '2026-11-25', description: 'The summarised UTC day' }) date!: string;
  @ApiProperty({ enum: ['manual', 'schedule'] }) trigger!: SendTrigger;
  @ApiProperty({ example: true }) delivered!: boolean;
  @ApiProperty({ example: 204, nullable: true, type: Number, description: 'Null when the receiver was not reached' })
  statusCode!: number | null;
  @ApiProperty({ example: 7 }) completed!: number;
  @ApiProperty({ example: '2026-11-26T06:00:01.000Z' }) sentAt!: string;
}
