import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, Ctx } from '../../common/auth/auth.decorators.js';
import type { RequestContext } from '../../common/auth/request-context.js';
import { ApiErrors, ApiSuccess, NoContent } from '../../common/http/api-responses.decorators.js';
import { IdParam } from '../../common/http/id-param.js';
import type { Page } from '../../common/http/pagination.dto.js';
import { CreateUserDto, ListUsersQueryDto, ResetPasswordDto, UpdateUserDto } from './dto/user-inputs.dto.js';
import { UserResponseDto } from './dto/user.response.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('Admin: users')
@Controller('admin/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @AdminOnly('admin')
  @ApiOperation({ summary: 'List users (paged; filter by part of the username)' })
  @ApiSuccess(UserResponseDto, { paged: true })
  list(@Query() query: ListUsersQueryDto): Promise<Page<UserResponseDto>> {
    return this.users.list(query);
  }

  @Post()
  @AdminOnly('admin')
  @ApiOperation({ summary: 'Create a user' })
  @ApiSuccess(UserResponseDto, { status: HttpStatus.CREATED })
  @ApiErrors([HttpStatus.BAD_REQUEST, 'Invalid username or password policy'], [HttpStatus.CONFLICT, 'username_taken'])
  create(@Ctx() ctx: RequestContext, @Body() dto: CreateUserDto): Promise<UserResponseDto> {
    return this.users.create(ctx, dto);
  }

  @Get(':id')
  @AdminOnly('admin')
  @ApiOperation({ summary: 'Read a user' })
  @ApiSuccess(UserResponseDto)
  @ApiErrors([HttpStatus.NOT_FOUND, 'user_not_found'])
  get(@IdParam() id: string): Promise<UserResponseDto> {
    return this.users.get(id);
  }

  @Patch(':id')
  @AdminOnly('admin')
  @ApiOperation({ summary: 'Change role or disabled flag (ends the user’s sessions)' })
  @ApiSuccess(UserResponseDto)
  @ApiErrors([HttpStatus.NOT_FOUND, 'user_not_found'], [HttpStatus.CONFLICT, 'last_admin'])
  update(@Ctx() ctx: RequestContext, @IdParam() id: string, @Body() dto: UpdateUserDto): Promise<UserResponseDto> {
    return this.users.update(ctx, id, dto);
  }

  @Delete(':id')
  @AdminOnly('admin')
  @NoContent()
  @ApiOperation({ summary: 'Delete a user' })
  @ApiErrors([HttpStatus.NOT_FOUND, 'user_not_found'], [HttpStatus.CONFLICT, 'last_admin'])
  remove(@Ctx() ctx: RequestContext, @IdParam() id: string): Promise<void> {
    return this.users.remove(ctx, id);
  }

  @Post(':id/reset-password')
  @AdminOnly('admin')
  @NoContent()
  @ApiOperation({ summary: 'Set a new password (policy and history apply; ends the user’s sessions)' })
  @ApiErrors([HttpStatus.BAD_REQUEST, 'Password policy or reuse'], [HttpStatus.NOT_FOUND, 'user_not_found'])
  resetPassword(@Ctx() ctx: RequestContext, @IdParam() id: string, @Body() dto: ResetPasswordDto): Promise<void> {
    return this.users.resetPassword(ctx, id, dto.newPassword);
  }

  @Post(':id/unlock')
  @AdminOnly('admin')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Clear an account lockout and its failure counter' })
  @ApiSuccess(UserResponseDto)
  @ApiErrors([HttpStatus.NOT_FOUND, 'user_not_found'])
  unlock(@Ctx() ctx: RequestContext, @IdParam() id: string): Promise<UserResponseDto> {
    return this.users.unlock(ctx, id);
  }
}
