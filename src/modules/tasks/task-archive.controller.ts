import { Controller, Get, HttpCode, HttpStatus, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, Ctx, PeopleOrHubToken } from '../../common/auth/auth.decorators.js';
import type { RequestContext } from '../../common/auth/request-context.js';
import { ApiErrors, ApiSuccess } from '../../common/http/api-responses.decorators.js';
import { IdParam } from '../../common/http/id-param.js';
import { type Page, PageQueryDto } from '../../common/http/pagination.dto.js';
import { ArchivedTaskResponseDto, TaskResponseDto } from './dto/task.response.dto.js';
import { TaskArchiveService } from './task-archive.service.js';

@ApiTags('Tasks')
@Controller('tasks')
export class TaskArchiveController {
  constructor(private readonly archive: TaskArchiveService) {}

  @Get('archived')
  @Authenticated('tasks:read')
  @ApiOperation({ summary: 'Archived tasks, newest first' })
  @ApiSuccess(ArchivedTaskResponseDto, { paged: true })
  list(@Query() query: PageQueryDto): Promise<Page<ArchivedTaskResponseDto>> {
    return this.archive.list(query);
  }

  @Post(':id/archive')
  @PeopleOrHubToken('tasks:write')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Move a task to the archive (audited)' })
  @ApiSuccess(ArchivedTaskResponseDto)
  @ApiErrors([HttpStatus.NOT_FOUND, 'task_not_found'])
  archiveOne(@Ctx() ctx: RequestContext, @IdParam() id: string): Promise<ArchivedTaskResponseDto> {
    return this.archive.archiveOne(ctx, id);
  }

  @Post('archived/:id/restore')
  @PeopleOrHubToken('tasks:write')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Move an archived task back (audited)' })
  @ApiSuccess(TaskResponseDto)
  @ApiErrors([HttpStatus.NOT_FOUND, 'archived_task_not_found'])
  restore(@Ctx() ctx: RequestContext, @IdParam() id: string): Promise<TaskResponseDto> {
    return this.archive.restore(ctx, id);
  }
}
