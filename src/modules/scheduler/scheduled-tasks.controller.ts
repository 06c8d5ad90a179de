import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, Authenticated, Ctx } from '../../common/auth/auth.decorators.js';
import type { RequestContext } from '../../common/auth/request-context.js';
import { ApiErrors, ApiSuccess, NoContent } from '../../common/http/api-responses.decorators.js';
import { IdParam } from '../../common/http/id-param.js';
import { Idempotent } from '../../common/idempotency/idempotent.decorator.js';
import { type Page, PageQueryDto } from '../../common/http/pagination.dto.js';
import {
  BackfillDto,
  BackfillResultDto,
  CreateScheduledTaskDto,
  MAX_BACKFILL_OCCURRENCES,
  ScheduledTaskResponseDto,
  ScheduledTaskRunDto,
  UpdateScheduledTaskDto,
} from './dto/scheduled-task.dto.js';
import { ScheduledTasksService } from './scheduled-tasks.service.js';

const NOT_FOUND: [HttpStatus, string] = [HttpStatus.NOT_FOUND, 'scheduled_task_not_found'];
const INVALID: [HttpStatus, string] = [
  HttpStatus.BAD_REQUEST,
  'Invalid cron, timezone or blueprint (details name the field)',
];

@ApiTags('Scheduler')
@Controller('scheduled-tasks')
export class ScheduledTasksController {
  constructor(private readonly schedules: ScheduledTasksService) {}

  @Get()
  @Authenticated('schedules:read')
  @ApiOperation({ summary: 'List schedules' })
  @ApiSuccess(ScheduledTaskResponseDto, { paged: true })
  list(@Query() query: PageQueryDto): Promise<Page<ScheduledTaskResponseDto>> {
    return this.schedules.list(query);
  }

  @Get(':id')
  @Authenticated('schedules:read')
  @ApiOperation({ summary: 'Read a schedule' })
  @ApiSuccess(ScheduledTaskResponseDto)
  @ApiErrors(NOT_FOUND)
  get(@IdParam() id: string): Promise<ScheduledTaskResponseDto> {
    return this.schedules.get(id);
  }

  @Post()
  @AdminOnly('schedules:write')
  @Idempotent()
  @ApiOperation({ summary: 'Create a schedule: cron (with an IANA time zone) or an interval, and a task blueprint' })
  @ApiSuccess(ScheduledTaskResponseDto, { status: HttpStatus.CREATED })
  @ApiErrors(INVALID)
  create(@Ctx() ctx: RequestContext, @Body() dto: CreateScheduledTaskDto): Promise<ScheduledTaskResponseDto> {
    return this.schedules.create(ctx, dto);
  }

  @Patch(':id')
  @AdminOnly('schedules:write')
  @ApiOperation({ summary: 'Change a schedule (a new timing recomputes the next run)' })
  @ApiSuccess(ScheduledTaskResponseDto)
  @ApiErrors(NOT_FOUND, INVALID)
  update(
    @Ctx() ctx: RequestContext,
    @IdParam() id: string,
    @Body() dto: UpdateScheduledTaskDto,
  ): Promise<ScheduledTaskResponseDto> {
    return this.schedules.update(ctx, id, dto);
  }

  @Delete(':id')
  @AdminOnly('schedules:write')
  @NoContent()
  @ApiOperation({ summary: 'Delete a schedule and its run history' })
  @ApiErrors(NOT_FOUND)
  remove(@Ctx() ctx: RequestContext, @IdParam() id: string): Promise<void> {
    return this.schedules.remove(ctx, id);
  }

  @Post(':id/run')
  @AdminOnly('schedules:write')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Run now: create the task at once (the timetable is unchanged)' })
  @ApiSuccess(ScheduledTaskRunDto)
  @ApiErrors(NOT_FOUND)
  run(@Ctx() ctx: RequestContext, @IdParam() id: string): Promise<ScheduledTaskRunDto> {
    return this.schedules.runNow(ctx, id);
  }

  @Post(':id/backfill')
  @AdminOnly('schedules:write')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Run the occurrences of a past range that have not run, each exactly once (audited)',
    description: `At most ${MAX_BACKFILL_OCCURRENCES} occurrences; asking again, or on several instances at once, runs nothing twice.`,
  })
  @ApiSuccess(BackfillResultDto)
  @ApiErrors(NOT_FOUND, [
    HttpStatus.BAD_REQUEST,
    'validation_failed: from/to not instants, to before from or in the future, too many occurrences',
  ])
  backfill(@Ctx() ctx: RequestContext, @IdParam() id: string, @Body() dto: BackfillDto): Promise<BackfillResultDto> {
    return this.schedules.backfill(ctx, id, dto);
  }

  @Get(':id/runs')
  @Authenticated('schedules:read')
  @ApiOperation({ summary: 'Run history, newest first' })
  @ApiSuccess(ScheduledTaskRunDto, { paged: true })
  @ApiErrors(NOT_FOUND)
  runs(@IdParam() id: string, @Query() query: PageQueryDto): Promise<Page<ScheduledTaskRunDto>> {
    return this.schedules.runs(id, query);
  }
}
