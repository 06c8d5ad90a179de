import { Body, Controller, Delete, Get, HttpStatus, Param, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, Authenticated, Ctx } from '../../../common/auth/auth.decorators.js';
import type { RequestContext } from '../../../common/auth/request-context.js';
import { ApiErrors, ApiSuccess, NoContent } from '../../../common/http/api-responses.decorators.js';
import { IdParam } from '../../../common/http/id-param.js';
import { type Page, PageQueryDto } from '../../../common/http/pagination.dto.js';
import { ConcurrencyKeyParamDto, ConcurrencyLimitDto, SetConcurrencyLimitDto } from './concurrency-limit.dto.js';
import { ConcurrencyLimitsService } from './concurrency-limits.service.js';

const LIMIT_NOT_FOUND: [HttpStatus, string] = [HttpStatus.NOT_FOUND, 'concurrency_limit_not_found'];
const SET_DESCRIPTION =
  'Creates or changes the limit (audited). Claims on every instance never take a task that would put more than ' +
  '`limit` of its tasks in assigned or in_progress; tasks already under way above a lowered limit finish normally.';

@ApiTags('Concurrency limits')
@Controller('concurrency-limits')
export class ConcurrencyLimitsController {
  constructor(private readonly limits: ConcurrencyLimitsService) {}

  @Get()
  @Authenticated('tasks:read')
  @ApiOperation({ summary: 'Every concurrency limit, with the tasks each counts now' })
  @ApiSuccess(ConcurrencyLimitDto, { paged: true })
  list(@Query() query: PageQueryDto): Promise<Page<ConcurrencyLimitDto>> {
    return this.limits.list(query);
  }

  @Get('keys/:key')
  @Authenticated('tasks:read')
  @ApiOperation({ summary: 'The limit of a concurrency key' })
  @ApiSuccess(ConcurrencyLimitDto)
  @ApiErrors(LIMIT_NOT_FOUND)
  getKey(@Param() { key }: ConcurrencyKeyParamDto): Promise<ConcurrencyLimitDto> {
    return this.limits.get({ concurrencyKey: key });
  }

  @Put('keys/:key')
  @AdminOnly('tasks:write')
  @ApiOperation({ summary: 'Limit the tasks of a concurrency key under way at once', description: SET_DESCRIPTION })
  @ApiSuccess(ConcurrencyLimitDto)
  setKey(
    @Ctx() ctx: RequestContext,
    @Param() { key }: ConcurrencyKeyParamDto,
    @Body() dto: SetConcurrencyLimitDto,
  ): Promise<ConcurrencyLimitDto> {
    return this.limits.set(ctx, { concurrencyKey: key }, dto.limit);
  }

  @Delete('keys/:key')
  @AdminOnly('tasks:write')
  @NoContent()
  @ApiOperation({ summary: 'Remove the limit of a concurrency key (audited)' })
  @ApiErrors(LIMIT_NOT_FOUND)
  removeKey(@Ctx() ctx: RequestContext, @Param() { key }: ConcurrencyKeyParamDto): Promise<void> {
    return this.limits.remove(ctx, { concurrencyKey: key });
  }

  @Get('teams/:teamId')
  @Authenticated('tasks:read')
  @ApiOperation({ summary: 'The limit of a team' })
  @ApiSuccess(ConcurrencyLimitDto)
  @ApiErrors(LIMIT_NOT_FOUND)
  getTeam(@IdParam('teamId') teamId: string): Promise<ConcurrencyLimitDto> {
    return this.limits.get({ teamId });
  }

  @Put('teams/:teamId')
  @AdminOnly('tasks:write')
  @ApiOperation({ summary: 'Limit the tasks of a team under way at once', description: SET_DESCRIPTION })
  @ApiSuccess(ConcurrencyLimitDto)
  @ApiErrors([HttpStatus.NOT_FOUND, 'team_not_found'])
  setTeam(
    @Ctx() ctx: RequestContext,
    @IdParam('teamId') teamId: string,
    @Body() dto: SetConcurrencyLimitDto,
  ): Promise<ConcurrencyLimitDto> {
    return this.limits.set(ctx, { teamId }, dto.limit);
  }

  @Delete('teams/:teamId')
  @AdminOnly('tasks:write')
  @NoContent()
  @ApiOperation({ summary: 'Remove the limit of a team (audited)' })
  @ApiErrors(LIMIT_NOT_FOUND)
  removeTeam(@Ctx() ctx: RequestContext, @IdParam('teamId') teamId: string): Promise<void> {
    return this.limits.remove(ctx, { teamId });
  }
}
