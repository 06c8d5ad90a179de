import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, Authenticated, Ctx } from '../../common/auth/auth.decorators.js';
import type { RequestContext } from '../../common/auth/request-context.js';
import { ApiErrors, ApiSuccess, NoContent } from '../../common/http/api-responses.decorators.js';
import { IdParam } from '../../common/http/id-param.js';
import type { Page } from '../../common/http/pagination.dto.js';
import {
  AddMemberDto,
  ListTeamsQueryDto,
  MemberParamsDto,
  TeamInputDto,
  TeamMemberResponseDto,
  TeamResponseDto,
  UpdateTeamDto,
} from './dto/teams.dto.js';
import { TeamsService } from './teams.service.js';

const NOT_FOUND: [HttpStatus, string] = [HttpStatus.NOT_FOUND, 'team_not_found'];

@ApiTags('Teams')
@Controller('teams')
export class TeamsController {
  constructor(private readonly teams: TeamsService) {}

  @Get()
  @Authenticated('teams:read')
  @ApiOperation({ summary: 'List teams with their members' })
  @ApiSuccess(TeamResponseDto, { paged: true })
  list(@Query() query: ListTeamsQueryDto): Promise<Page<TeamResponseDto>> {
    return this.teams.list(query);
  }

  @Get(':id')
  @Authenticated('teams:read')
  @ApiOperation({ summary: 'Read a team with its members' })
  @ApiSuccess(TeamResponseDto)
  @ApiErrors(NOT_FOUND)
  get(@IdParam() id: string): Promise<TeamResponseDto> {
    return this.teams.get(id);
  }

  @Post()
  @AdminOnly('teams:write')
  @ApiOperation({ summary: 'Create a team' })
  @ApiSuccess(TeamResponseDto, { status: HttpStatus.CREATED })
  @ApiErrors([HttpStatus.NOT_FOUND, 'team_type_not_found'], [HttpStatus.CONFLICT, 'team_name_taken'])
  create(@Ctx() ctx: RequestContext, @Body() dto: TeamInputDto): Promise<TeamResponseDto> {
    return this.teams.create(ctx, dto);
  }

  @Patch(':id')
  @AdminOnly('teams:write')
  @ApiOperation({ summary: 'Change a team (a new type must admit every member’s role)' })
  @ApiSuccess(TeamResponseDto)
  @ApiErrors(
    NOT_FOUND,
    [HttpStatus.BAD_REQUEST, 'invalid_role_for_team_type'],
    [HttpStatus.CONFLICT, 'team_name_taken'],
  )
  update(@Ctx() ctx: RequestContext, @IdParam() id: string, @Body() dto: UpdateTeamDto): Promise<TeamResponseDto> {
    return this.teams.update(ctx, id, dto);
  }

  @Delete(':id')
  @AdminOnly('teams:write')
  @NoContent()
  @ApiOperation({ summary: 'Delete a team and its memberships' })
  @ApiErrors(NOT_FOUND)
  remove(@Ctx() ctx: RequestContext, @IdParam() id: string): Promise<void> {
    return this.teams.remove(ctx, id);
  }

  @Post(':id/activate')
  @AdminOnly('teams:write')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Make this the active team (the others become inactive)' })
  @ApiSuccess(TeamResponseDto)
  @ApiErrors(NOT_FOUND)
  activate(@Ctx() ctx: RequestContext, @IdParam() id: string): Promise<TeamResponseDto> {
    return this.teams.activate(ctx, id);
  }

  @Post(':id/members')
  @AdminOnly('teams:write')
  @ApiOperation({ summary: 'Add an agent to the team in a role' })
  @ApiSuccess(TeamMemberResponseDto, { status: HttpStatus.CREATED })
  @ApiErrors(
    [HttpStatus.BAD_REQUEST, 'invalid_role_for_team_type'],
    [HttpStatus.NOT_FOUND, 'team_not_found, agent_not_found, role_not_found or template_not_found'],
    [HttpStatus.CONFLICT, 'already_member'],
  )
  addMember(
    @Ctx() ctx: RequestContext,
    @IdParam() id: string,
    @Body() dto: AddMemberDto,
  ): Promise<TeamMemberResponseDto> {
    return this.teams.addMember(ctx, id, dto);
  }

  @Delete(':id/members/:memberId')
  @AdminOnly('teams:write')
  @NoContent()
  @ApiOperation({ summary: 'Remove a member from the team' })
  @ApiErrors([HttpStatus.NOT_FOUND, 'team_not_found or team_member_not_found'])
  removeMember(@Ctx() ctx: RequestContext, @Param() params: MemberParamsDto): Promise<void> {
    return this.teams.removeMember(ctx, params.id, params.memberId);
  }
}
