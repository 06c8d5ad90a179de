import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../../common/http/pagination.dto.js';

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

export class StatsHistoryQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: '2026-11-25T00:00:00Z' }) @IsOptional() @IsISO8601({ strict: true }) from?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601({ strict: true }) to?: string;
}
