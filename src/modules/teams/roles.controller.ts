import { Body, Controller, Delete, Get, HttpStatus, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, Authenticated, Ctx } from '../../common/auth/auth.decorators.js';
import type { RequestContext } from '../../common/auth/request-context.js';
import { ApiErrors, ApiSuccess, NoContent } from '../../common/http/api-responses.decorators.js';
import { IdParam } from '../../common/http/id-param.js';
import { type Page, PageQueryDto } from '../../common/http/pagination.dto.js';
import { RoleInputDto, RoleResponseDto, UpdateRoleDto } from './dto/teams.dto.js';
import { RolesService } from './roles.service.js';

const NOT_FOUND: [HttpStatus, string] = [HttpStatus.NOT_FOUND, 'role_not_found'];

@ApiTags('Teams')
@Controller('roles')
export class RolesController {
  constructor(private readonly roles: RolesService) {}

  @Get()
  @Authenticated('teams:read')
  @ApiOperation({ summary: 'List roles' })
  @ApiSuccess(RoleResponseDto, { paged: true })
  list(@Query() query: PageQueryDto): Promise<Page<RoleResponseDto>> {
    return this.roles.list(query);
  }

  @Get(':id')
  @Authenticated('teams:read')
  @ApiOperation({ summary: 'Read a role' })
  @ApiSuccess(RoleResponseDto)
  @ApiErrors(NOT_FOUND)
  get(@IdParam() id: string): Promise<RoleResponseDto> {
    return this.roles.get(id);
  }

  @Post()
  @AdminOnly('teams:write')
  @ApiOperation({ summary: 'Create a role' })
  @ApiSuccess(RoleResponseDto, { status: HttpStatus.CREATED })
  @ApiErrors([HttpStatus.NOT_FOUND, 'template_not_found'], [HttpStatus.CONFLICT, 'role_name_taken'])
  create(@Ctx() ctx: RequestContext, @Body() dto: RoleInputDto): Promise<RoleResponseDto> {
    return this.roles.create(ctx, dto);
  }

  @Patch(':id')
  @AdminOnly('teams:write')
  @ApiOperation({ summary: 'Change a role' })
  @ApiSuccess(RoleResponseDto)
  @ApiErrors(NOT_FOUND, [HttpStatus.CONFLICT, 'role_name_taken'])
  update(@Ctx() ctx: RequestContext, @IdParam() id: string, @Body() dto: UpdateRoleDto): Promise<RoleResponseDto> {
    return this.roles.update(ctx, id, dto);
  }

  @Delete(':id')
  @AdminOnly('teams:write')
  @NoContent()
  @ApiOperation({ summary: 'Delete a role that no team type or member uses' })
  @ApiErrors(NOT_FOUND, [HttpStatus.CONFLICT, 'role_in_use (details.teamTypeIds, details.teamMemberIds)'])
  remove(@Ctx() ctx: RequestContext, @IdParam() id: string): Promise<void> {
    return this.roles.remove(ctx, id);
  }
}
