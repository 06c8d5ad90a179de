import { Body, Controller, Delete, Get, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, Authenticated, Ctx } from '../../common/auth/auth.decorators.js';
import type { RequestContext } from '../../common/auth/request-context.js';
import { ApiErrors, ApiSuccess, NoContent } from '../../common/http/api-responses.decorators.js';
import { IdParam } from '../../common/http/id-param.js';
import { type Page, PageQueryDto } from '../../common/http/pagination.dto.js';
import {
  LinkRoleDto,
  RelinkRoleDto,
  RoleLinkDto,
  TeamTypeInputDto,
  TeamTypeResponseDto,
  TypeRoleParamsDto,
  UpdateTeamTypeDto,
} from './dto/teams.dto.js';
import { TeamTypesService } from './team-types.service.js';

const NOT_FOUND: [HttpStatus, string] = [HttpStatus.NOT_FOUND, 'team_type_not_found'];

@ApiTags('Teams')
@Controller('team-types')
export class TeamTypesController {
  constructor(private readonly types: TeamTypesService) {}

  @Get()
  @Authenticated('teams:read')
  @ApiOperation({ summary: 'Team types with the roles they allow' })
  @ApiSuccess(TeamTypeResponseDto, { paged: true })
  list(@Query() query: PageQueryDto): Promise<Page<TeamTypeResponseDto>> {
    return this.types.list(query);
  }

  @Get(':id')
  @Authenticated('teams:read')
  @ApiOperation({ summary: 'Read a team type' })
  @ApiSuccess(TeamTypeResponseDto)
  @ApiErrors(NOT_FOUND)
  get(@IdParam() id: string): Promise<TeamTypeResponseDto> {
    return this.types.get(id);
  }

  @Post()
  @AdminOnly('teams:write')
  @ApiOperation({ summary: 'Create a team type' })
  @ApiSuccess(TeamTypeResponseDto, { status: HttpStatus.CREATED })
  @ApiErrors([HttpStatus.CONFLICT, 'team_type_name_taken'])
  create(@Ctx() ctx: RequestContext, @Body() dto: TeamTypeInputDto): Promise<TeamTypeResponseDto> {
    return this.types.create(ctx, dto);
  }

  @Patch(':id')
  @AdminOnly('teams:write')
  @ApiOperation({ summary: 'Rename or describe a team type' })
  @ApiSuccess(TeamTypeResponseDto)
  @ApiErrors(NOT_FOUND, [HttpStatus.CONFLICT, 'team_type_name_taken'])
  update(
    @Ctx() ctx: RequestContext,
    @IdParam() id: string,
    @Body() dto: UpdateTeamTypeDto,
  ): Promise<TeamTypeResponseDto> {
    return this.types.update(ctx, id, dto);
  }

  @Delete(':id')
  @AdminOnly('teams:write')
  @NoContent()
  @ApiOperation({ summary: 'Delete a team type that no team uses' })
  @ApiErrors(NOT_FOUND, [HttpStatus.CONFLICT, 'team_type_in_use (details.teamIds)'])
  remove(@Ctx() ctx: RequestContext, @IdParam() id: string): Promise<void> {
    return this.types.remove(ctx, id);
  }

  @Get(':id/roles')
  @Authenticated('teams:read')
  @ApiOperation({ summary: 'The roles this type allows, with their per-type templates' })
  @ApiSuccess(RoleLinkDto, { isArray: true })
  @ApiErrors(NOT_FOUND)
  roles(@IdParam() id: string): Promise<RoleLinkDto[]> {
    return this.types.roleLinks(id);
  }

  @Post(':id/roles')
  @AdminOnly('teams:write')
  @ApiOperation({ summary: 'Allow a role in teams of this type, optionally with a per-type template' })
  @ApiSuccess(RoleLinkDto, { status: HttpStatus.CREATED, isArray: true })
  @ApiErrors(
    [HttpStatus.NOT_FOUND, 'team_type_not_found, role_not_found or template_not_found'],
    [HttpStatus.CONFLICT, 'role_already_linked'],
  )
  link(@Ctx() ctx: RequestContext, @IdParam() id: string, @Body() dto: LinkRoleDto): Promise<RoleLinkDto[]> {
    return this.types.linkRole(ctx, id, dto.roleId, dto.templateId);
  }

  @Patch(':id/roles/:roleId')
  @AdminOnly('teams:write')
  @ApiOperation({ summary: 'Change (or clear) the per-type template of a linked role' })
  @ApiSuccess(RoleLinkDto, { isArray: true })
  @ApiErrors([HttpStatus.NOT_FOUND, 'team_type_not_found, role_link_not_found or template_not_found'])
  relink(
    @Ctx() ctx: RequestContext,
    @Param() params: TypeRoleParamsDto,
    @Body() dto: RelinkRoleDto,
  ): Promise<RoleLinkDto[]> {
    return this.types.setRoleTemplate(ctx, params.id, params.roleId, dto.templateId);
  }

  @Delete(':id/roles/:roleId')
  @AdminOnly('teams:write')
  @NoContent()
  @ApiOperation({ summary: 'Stop allowing a role in teams of this type' })
  @ApiErrors(
    [HttpStatus.NOT_FOUND, 'role_link_not_found'],
    [HttpStatus.CONFLICT, 'role_in_use (details.teamMemberIds)'],
  )
  unlink(@Ctx() ctx: RequestContext, @Param() params: TypeRoleParamsDto): Promise<void> {
    return this.types.unlinkRole(ctx, params.id, params.roleId);
  }
}
