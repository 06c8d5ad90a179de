import { Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, Ctx } from '../../common/auth/auth.decorators.js';
import type { RequestContext } from '../../common/auth/request-context.js';
import { ApiErrors, ApiSuccess, NoContent } from '../../common/http/api-responses.decorators.js';
import { type Page, PageQueryDto } from '../../common/http/pagination.dto.js';
import { AgentTokenRotationService } from './agent-token-rotation.service.js';
import { BannedIpsService } from './banned-ips.service.js';
import { AgentTokenDto, BannedIpDto, IpParamDto } from './dto/banned-ip.dto.js';

@ApiTags('Admin: security')
@Controller('admin')
export class AdminSecurityController {
  constructor(
    private readonly bans: BannedIpsService,
    private readonly agentToken: AgentTokenRotationService,
  ) {}

  @Get('banned-ips')
  @AdminOnly('admin')
  @ApiOperation({ summary: 'Addresses banned after too many failed logins' })
  @ApiSuccess(BannedIpDto, { paged: true })
  listBans(@Query() query: PageQueryDto): Promise<Page<BannedIpDto>> {
    return this.bans.list(query);
  }

  @Delete('banned-ips/:ip')
  @AdminOnly('admin')
  @NoContent()
  @ApiOperation({ summary: 'Lift a ban' })
  @ApiErrors([HttpStatus.NOT_FOUND, 'banned_ip_not_found'])
  unban(@Ctx() ctx: RequestContext, @Param() { ip }: IpParamDto): Promise<void> {
    return this.bans.unban(ctx, ip);
  }

  @Post('agent-token/rotate')
  @AdminOnly('admin')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Replace AGENT_TOKEN on every instance',
    description: 'The new token is returned once; the old one keeps working for AGENT_TOKEN_ROTATION_GRACE_SECONDS.',
  })
  @ApiSuccess(AgentTokenDto)
  @ApiErrors([HttpStatus.CONFLICT, 'agent_token_disabled: AGENT_TOKEN is not configured'])
  rotate(@Ctx() ctx: RequestContext): Promise<AgentTokenDto> {
    return this.agentToken.rotate(ctx);
  }
}
