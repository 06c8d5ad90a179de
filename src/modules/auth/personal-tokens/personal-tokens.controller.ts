import { Body, Controller, Delete, Get, HttpStatus, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Ctx, UserOnly } from '../../../common/auth/auth.decorators.js';
import type { RequestContext } from '../../../common/auth/request-context.js';
import { ApiErrors, ApiSuccess, NoContent } from '../../../common/http/api-responses.decorators.js';
import { IdParam } from '../../../common/http/id-param.js';
import { CreatedPersonalTokenDto, CreatePersonalTokenDto, PersonalTokenDto } from './personal-token.dto.js';
import { PersonalTokensService } from './personal-tokens.service.js';

@ApiTags('Profile')
@Controller('profile/tokens')
export class PersonalTokensController {
  constructor(private readonly tokens: PersonalTokensService) {}

  @Post()
  @UserOnly()
  @ApiOperation({
    summary: 'Create a personal access token (shown once)',
    description:
      'The token acts as you, limited to its scopes and never beyond your current rights; it works on every route that names one of its scopes, not on /api/profile. Audited.',
  })
  @ApiSuccess(CreatedPersonalTokenDto, { status: HttpStatus.CREATED })
  @ApiErrors(
    [HttpStatus.FORBIDDEN, 'admin_scope_forbidden: the admin scope is for administrators'],
    [HttpStatus.CONFLICT, 'too_many_tokens'],
  )
  create(@Ctx() ctx: RequestContext, @Body() dto: CreatePersonalTokenDto): Promise<CreatedPersonalTokenDto> {
    return this.tokens.create(ctx, dto);
  }

  @Get()
  @UserOnly()
  @ApiOperation({ summary: 'Your personal access tokens, newest first, without the secret' })
  @ApiSuccess(PersonalTokenDto, { isArray: true })
  list(@Ctx() ctx: RequestContext): Promise<PersonalTokenDto[]> {
    return this.tokens.list(ctx);
  }

  @Delete(':id')
  @UserOnly()
  @NoContent()
  @ApiOperation({ summary: 'Revoke one of your tokens: it stops working at once, on every instance (audited)' })
  @ApiErrors([HttpStatus.NOT_FOUND, 'personal_token_not_found'])
  revoke(@Ctx() ctx: RequestContext, @IdParam() id: string): Promise<void> {
    return this.tokens.revoke(ctx, id);
  }
}
