import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AdminOnly,
  Authenticated,
  BEARER_SCHEME,
  Ctx,
  PublicCheckedByHandler,
  REGISTRATION_TOKEN_SCHEME,
} from '../../common/auth/auth.decorators.js';
import type { RequestContext } from '../../common/auth/request-context.js';
import { ApiErrors, ApiSuccess, NoContent } from '../../common/http/api-responses.decorators.js';
import { RateLimit } from '../../common/rate-limit/rate-limit.js';
import { IdParam } from '../../common/http/id-param.js';
import { Idempotent } from '../../common/idempotency/idempotent.decorator.js';
import { RequestHeader } from '../../common/http/request-header.js';
import type { Page } from '../../common/http/pagination.dto.js';
import { AgentsService } from './agents.service.js';
import {
  AgentKeyResponseDto,
  AgentResponseDto,
  HeartbeatDto,
  ListAgentsQueryDto,
  RegisterAgentDto,
  RegistrationResponseDto,
  UpdateAgentDto,
} from './dto/agent.dto.js';

const SELF_OR_ADMIN: [HttpStatus, string] = [HttpStatus.FORBIDDEN, 'An agent may only act on itself'];

@ApiTags('Agents')
@Controller('agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Post('register')
  @PublicCheckedByHandler('agents:write', REGISTRATION_TOKEN_SCHEME, BEARER_SCHEME)
  @RateLimit({ name: 'agents.register', limit: 20, windowSeconds: 60 })
  @Idempotent({ anonymousCredentialHeader: 'x-registration-token' })
  @ApiOperation({
    summary: 'Register an agent, or update the one with this URL',
    description:
      "Needs `X-Registration-Token` when REGISTRATION_TOKEN is configured, or an administrator's credential. The agent key is returned on first registration (or with `rotateKey: true`) and never again. Limited to 20 requests per minute per address.",
  })
  @ApiSuccess(RegistrationResponseDto)
  @ApiErrors([HttpStatus.TOO_MANY_REQUESTS, 'rate_limited'])
  @HttpCode(HttpStatus.OK)
  register(
    @Ctx() ctx: RequestContext,
    @Body() dto: RegisterAgentDto,
    @RequestHeader('x-registration-token') registrationToken?: string,
  ): Promise<RegistrationResponseDto> {
    return this.agents.register(ctx, dto, registrationToken);
  }

  @Get()
  @Authenticated('agents:read')
  @ApiOperation({ summary: 'List agents (never with keys or tokens)' })
  @ApiSuccess(AgentResponseDto, { paged: true })
  list(@Query() query: ListAgentsQueryDto): Promise<Page<AgentResponseDto>> {
    return this.agents.list(query);
  }

  @Get(':id')
  @Authenticated('agents:read')
  @ApiOperation({ summary: 'Read an agent' })
  @ApiSuccess(AgentResponseDto)
  @ApiErrors([HttpStatus.NOT_FOUND, 'agent_not_found'])
  get(@IdParam() id: string): Promise<AgentResponseDto> {
    return this.agents.get(id);
  }

  @Patch(':id')
  @AdminOnly('agents:write')
  @ApiOperation({ summary: 'Change an agent (name, role, status, capabilities, version, outbound token)' })
  @ApiSuccess(AgentResponseDto)
  @ApiErrors([HttpStatus.NOT_FOUND, 'agent_not_found'])
  update(@Ctx() ctx: RequestContext, @IdParam() id: string, @Body() dto: UpdateAgentDto): Promise<AgentResponseDto> {
    return this.agents.update(ctx, id, dto);
  }

  @Delete(':id')
  @AdminOnly('agents:write')
  @NoContent()
  @ApiOperation({ summary: 'Delete an agent (its key stops working, its memberships go)' })
  @ApiErrors([HttpStatus.NOT_FOUND, 'agent_not_found'])
  remove(@Ctx() ctx: RequestContext, @IdParam() id: string): Promise<void> {
    return this.agents.remove(ctx, id);
  }

  @Post(':id/heartbeat')
  @Authenticated('agents:write')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Report that the agent is alive (the agent itself or an administrator)' })
  @ApiSuccess(AgentResponseDto)
  @ApiErrors(SELF_OR_ADMIN, [HttpStatus.NOT_FOUND, 'agent_not_found'])
  heartbeat(@Ctx() ctx: RequestContext, @IdParam() id: string, @Body() dto: HeartbeatDto): Promise<AgentResponseDto> {
    return this.agents.heartbeat(ctx, id, dto);
  }

  @Post(':id/rotate-key')
  @Authenticated('agents:write')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Issue a new agent key; the old one stops working at once' })
  @ApiSuccess(AgentKeyResponseDto)
  @ApiErrors(SELF_OR_ADMIN, [HttpStatus.NOT_FOUND, 'agent_not_found'])
  rotateKey(@Ctx() ctx: RequestContext, @IdParam() id: string): Promise<AgentKeyResponseDto> {
    return this.agents.rotateKey(ctx, id);
  }
}
