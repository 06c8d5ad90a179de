import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, Max, Min } from 'class-validator';

class CountsDto {
  @ApiProperty({ example: 12 }) total!: number;
  @ApiProperty({ example: { online: 10, offline: 2 } }) byStatus!: Record<string, number>;
}

class SchedulerStatsDto {
  @ApiProperty({ description: 'Whether this instance runs scheduled tasks and system jobs' }) enabled!: boolean;
  @ApiProperty({ example: 3 }) schedules!: number;
  @ApiProperty({ example: 2 }) enabledSchedules!: number;
}

class ProcessStatsDto {
  @ApiProperty({ example: 3600.5 }) uptime!: number;
  @ApiProperty({ example: 123456789 }) rssBytes!: number;
  @ApiProperty({ example: 45678901 }) heapUsedBytes!: number;
  @ApiProperty({ example: 1.2, description: 'Mean event-loop delay since the last reading, ms' })
  eventLoopLagMs!: number;
}

export class StatsDto {
  @ApiProperty({ type: CountsDto }) agents!: CountsDto;
  @ApiProperty({ type: CountsDto }) tasks!: CountsDto;
  @ApiProperty({ type: SchedulerStatsDto }) scheduler!: SchedulerStatsDto;
  @ApiProperty({ type: ProcessStatsDto }) process!: ProcessStatsDto;
}

export class StatsSnapshotDto {
  @ApiProperty() takenAt!: string;
  @ApiProperty({ type: StatsDto }) stats!: StatsDto;
}

export class StatsHistoryQueryDto {
  @ApiPropertyOptional({ example: '2026-11-25T00:00:00Z' }) @IsOptional() @IsISO8601({ strict: true }) from?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601({ strict: true }) to?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 10_000, default: 500 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  limit: number = 500;
}
