import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, Authenticated, Ctx, PeopleOrHubToken } from '../../common/auth/auth.decorators.js';
import type { RequestContext } from '../../common/auth/request-context.js';
import { ApiErrors, ApiSuccess, NoContent } from '../../common/http/api-responses.decorators.js';
import { clientGone } from '../../common/http/client-gone.js';
import { Idempotent } from '../../common/idempotency/idempotent.decorator.js';
import { IdParam } from '../../common/http/id-param.js';
import { RequestHeader } from '../../common/http/request-header.js';
import {
  AssignTaskDto,
  ChangeStatusDto,
  ClaimQueryDto,
  ClaimTaskDto,
  CreateTaskDto,
  ListTasksQueryDto,
  RenewLeaseDto,
  UpdateTaskDto,
} from './dto/task-inputs.dto.js';
import { CallbackDeliveryDto, TaskHistoryEntryDto, TaskPageDto, TaskResponseDto } from './dto/task.response.dto.js';
import { parseIfMatch } from './if-match.js';
import { TaskCallbacksService } from './task-callbacks.service.js';
import { TaskWorkflowService } from './task-workflow.service.js';
import { TasksService } from './tasks.service.js';

const NOT_FOUND: [HttpStatus, string] = [HttpStatus.NOT_FOUND, 'task_not_found'];
const REFERENCE_NOT_FOUND = 'team_not_found or role_not_found (teamId, assignedRoleId)';
const NOT_YOURS: [HttpStatus, string] = [HttpStatus.FORBIDDEN, 'An agent may only change tasks assigned to it'];
const CONFLICTS: [HttpStatus, string] = [
  HttpStatus.CONFLICT,
  'version_conflict, invalid_transition or dependencies_incomplete',
];
const IF_MATCH = { name: 'if-match', required: false, description: 'The task version you read, e.g. "3"' };

@ApiTags('Tasks')
@Controller('tasks')
export class TasksController {
  constructor(
    private readonly tasks: TasksService,
    private readonly workflow: TaskWorkflowService,
    private readonly callbacks: TaskCallbacksService,
  ) {}

  @Post()
  @Authenticated('tasks:write')
  @Idempotent()
  @ApiOperation({ summary: 'Create a task (status todo); optional client id, dependencies and a signed callback' })
  @ApiSuccess(TaskResponseDto, { status: HttpStatus.CREATED })
  @ApiErrors(
    [HttpStatus.BAD_REQUEST, 'validation_failed (unknown dependsOn/parentTaskId, refused callbackUrl)'],
    [HttpStatus.NOT_FOUND, REFERENCE_NOT_FOUND],
    [HttpStatus.CONFLICT, 'The id exists (as an active or an archived task)'],
  )
  create(@Ctx() ctx: RequestContext, @Body() dto: CreateTaskDto): Promise<TaskResponseDto> {
    return this.tasks.create(ctx, dto);
  }

  @Get()
  @Authenticated('tasks:read')
  @ApiOperation({
    summary: 'List tasks with filters, sort and paging',
    description:
      'Items leave out `history` unless `include=history` (GET /api/tasks/:id always has it). `total` is exact ' +
      'up to offset + limit + 1000 matches (`totalIsExact`), a lower bound beyond. Page with `offset`, or — ' +
      'for deep pages of large lists — pass `nextCursor` back as `cursor`, which stays as fast at any depth.',
  })
  @ApiSuccess(TaskPageDto)
  list(@Query() query: ListTasksQueryDto): Promise<TaskPageDto> {
    return this.tasks.list(query);
  }

  @Post('claim')
  @Authenticated('tasks:write')
  @ApiOperation({
    summary: 'Take the next task from the work queue, with a lease',
    description:
      'Highest priority first, then oldest, among todo tasks the agent may work on. 204 when there is none, or, with `waitSeconds`, when none became claimable in that time (the wait ends early, with 204, when the hub shuts down).',
  })
  @ApiSuccess(TaskResponseDto)
  @ApiNoContentResponse({ description: 'Nothing to claim' })
  @ApiErrors(
    [HttpStatus.FORBIDDEN, 'Only agents (or admins naming one) claim'],
    [HttpStatus.NOT_FOUND, 'agent_not_found: the agentId an admin named'],
  )
  async claim(
    @Ctx() ctx: RequestContext,
    @Body() dto: ClaimTaskDto,
    @Query() query: ClaimQueryDto,
    @Res({ passthrough: true }) reply: Parameters<typeof clientGone>[0] & { status(code: number): unknown },
  ): Promise<TaskResponseDto | undefined> {
    const wait = query.waitSeconds ? { seconds: query.waitSeconds, signal: clientGone(reply) } : undefined;
    const task = await this.workflow.claim(ctx, dto, wait);
    reply.status(task ? HttpStatus.OK : HttpStatus.NO_CONTENT);
    return task ?? undefined;
  }

  @Get(':id')
  @Authenticated('tasks:read')
  @ApiOperation({ summary: 'Read a task' })
  @ApiSuccess(TaskResponseDto)
  @ApiErrors(NOT_FOUND)
  get(@IdParam() id: string): Promise<TaskResponseDto> {
    return this.tasks.get(id);
  }

  @Patch(':id')
  @Authenticated('tasks:write')
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: 'Change a task’s fields; a stale version (body or If-Match) gives 409' })
  @ApiSuccess(TaskResponseDto)
  @ApiErrors([HttpStatus.NOT_FOUND, `task_not_found, ${REFERENCE_NOT_FOUND}`], NOT_YOURS, CONFLICTS, [
    HttpStatus.BAD_REQUEST,
    'validation_failed or dependency_cycle',
  ])
  update(
    @Ctx() ctx: RequestContext,
    @IdParam() id: string,
    @Body() dto: UpdateTaskDto,
    @RequestHeader('if-match') ifMatch?: string,
  ): Promise<TaskResponseDto> {
    return this.tasks.update(ctx, id, dto, parseIfMatch(ifMatch));
  }

  @Delete(':id')
  @AdminOnly('tasks:write')
  @NoContent()
  @ApiOperation({ summary: 'Delete a task (audited)' })
  @ApiErrors(NOT_FOUND)
  remove(@Ctx() ctx: RequestContext, @IdParam() id: string): Promise<void> {
    return this.tasks.remove(ctx, id);
  }

  @Post(':id/status')
  @Authenticated('tasks:write')
  @HttpCode(HttpStatus.OK)
  @ApiHeader(IF_MATCH)
  @ApiOperation({ summary: 'Change the status (transition table enforced; aliases such as "done" accepted)' })
  @ApiSuccess(TaskResponseDto)
  @ApiErrors(NOT_FOUND, NOT_YOURS, CONFLICTS)
  changeStatus(
    @Ctx() ctx: RequestContext,
    @IdParam() id: string,
    @Body() dto: ChangeStatusDto,
    @RequestHeader('if-match') ifMatch?: string,
  ): Promise<TaskResponseDto> {
    return this.workflow.changeStatus(ctx, id, dto, parseIfMatch(ifMatch));
  }

  @Post(':id/assign')
  @PeopleOrHubToken('tasks:write')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Assign the task to an agent' })
  @ApiSuccess(TaskResponseDto)
  @ApiErrors([HttpStatus.NOT_FOUND, 'task_not_found or agent_not_found'], CONFLICTS)
  assign(@Ctx() ctx: RequestContext, @IdParam() id: string, @Body() dto: AssignTaskDto): Promise<TaskResponseDto> {
    return this.workflow.assign(ctx, id, dto.agentId);
  }

  @Post(':id/unassign')
  @PeopleOrHubToken('tasks:write')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Take the task away from its agent (back to todo if it was assigned or in progress)' })
  @ApiSuccess(TaskResponseDto)
  @ApiErrors(NOT_FOUND)
  unassign(@Ctx() ctx: RequestContext, @IdParam() id: string): Promise<TaskResponseDto> {
    return this.workflow.unassign(ctx, id);
  }

  @Post(':id/lease')
  @Authenticated('tasks:write')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Renew the lease the calling agent holds' })
  @ApiSuccess(TaskResponseDto)
  @ApiErrors(NOT_FOUND, NOT_YOURS, [HttpStatus.CONFLICT, 'lease_not_held'])
  renewLease(@Ctx() ctx: RequestContext, @IdParam() id: string, @Body() dto: RenewLeaseDto): Promise<TaskResponseDto> {
    return this.workflow.renewLease(ctx, id, dto.leaseSeconds);
  }

  @Get(':id/history')
  @Authenticated('tasks:read')
  @ApiOperation({ summary: 'The task’s history (newest 200 entries)' })
  @ApiSuccess(TaskHistoryEntryDto, { isArray: true })
  @ApiErrors(NOT_FOUND)
  history(@IdParam() id: string): Promise<TaskHistoryEntryDto[]> {
    return this.tasks.history(id);
  }

  @Get(':id/callbacks')
  @Authenticated('tasks:read')
  @ApiOperation({ summary: 'The callback delivery log of the task' })
  @ApiSuccess(CallbackDeliveryDto, { isArray: true })
  @ApiErrors(NOT_FOUND)
  callbackLog(@IdParam() id: string): Promise<CallbackDeliveryDto[]> {
    return this.callbacks.log(id);
  }
}
