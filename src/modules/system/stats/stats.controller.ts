import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../../common/auth/auth.decorators.js';
import { ApiSuccess } from '../../../common/http/api-responses.decorators.js';
import type { Page } from '../../../common/http/pagination.dto.js';
import { StatsDto, StatsHistoryQueryDto, StatsSnapshotDto } from './stats.dto.js';
import { StatsService } from './stats.service.js';

@ApiTags('System')
@Controller('stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get()
  @Authenticated('system:read')
  @ApiOperation({ summary: 'Live statistics: agents and tasks by status, scheduler, this process' })
  @ApiSuccess(StatsDto)
  live(): Promise<StatsDto> {
    return this.stats.live();
  }

  @Get('history')
  @Authenticated('system:read')
  @ApiOperation({ summary: 'Stored snapshots, newest first, optionally within a time range' })
  @ApiSuccess(StatsSnapshotDto, { paged: true })
  history(@Query() query: StatsHistoryQueryDto): Promise<Page<StatsSnapshotDto>> {
    return this.stats.history(query);
  }
}
