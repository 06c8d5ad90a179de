import { Body, Controller, Delete, HttpStatus, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, Ctx } from '../../common/auth/auth.decorators.js';
import type { RequestContext } from '../../common/auth/request-context.js';
import { ApiErrors, ApiSuccess, NoContent } from '../../common/http/api-responses.decorators.js';
import { IdParam } from '../../common/http/id-param.js';
import { OidcIdentityDto, OidcIdentityResponseDto } from './dto/oidc-identity.dto.js';
import { OidcIdentitiesService } from './oidc-identities.service.js';

@ApiTags('Admin: users')
@Controller('admin/users/:id/oidc-identity')
export class UserOidcIdentityController {
  constructor(private readonly identities: OidcIdentitiesService) {}

  @Put()
  @AdminOnly('admin')
  @ApiOperation({ summary: 'Link the user to an OpenID Connect identity (issuer and subject), replacing any other' })
  @ApiSuccess(OidcIdentityResponseDto)
  @ApiErrors(
    [HttpStatus.NOT_FOUND, 'user_not_found'],
    [HttpStatus.CONFLICT, 'oidc_identity_taken: another user has that identity'],
  )
  link(
    @Ctx() ctx: RequestContext,
    @IdParam() id: string,
    @Body() dto: OidcIdentityDto,
  ): Promise<OidcIdentityResponseDto> {
    return this.identities.link(ctx, id, { issuer: dto.issuer, subject: dto.subject });
  }

  @Delete()
  @AdminOnly('admin')
  @NoContent()
  @ApiOperation({ summary: 'Unlink the user’s OpenID Connect identity (nothing happens when there is none)' })
  @ApiErrors([HttpStatus.NOT_FOUND, 'user_not_found'])
  unlink(@Ctx() ctx: RequestContext, @IdParam() id: string): Promise<void> {
    return this.identities.unlink(ctx, id);
  }
}
