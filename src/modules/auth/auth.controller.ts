import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Ctx, Public, UserOnly } from '../../common/auth/auth.decorators.js';
import type { RequestContext } from '../../common/auth/request-context.js';
import { ApiErrors, ApiSuccess, NoContent } from '../../common/http/api-responses.decorators.js';
import { AuthService } from './auth.service.js';
import { LoginDto, LoginResponseDto, RefreshTokenDto, TokenPairDto } from './dto/auth.dto.js';

const THROTTLED: [HttpStatus, string] = [
  HttpStatus.TOO_MANY_REQUESTS,
  'rate_limited: too many failures from this address, or the address is banned (Retry-After)',
];

@ApiTags('Auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Public()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Log in; paste the accessToken into "Authorize" to use the other endpoints',
    description: 'An MFA user who sends no `mfaCode` gets `{mfaRequired: true}` and no tokens.',
  })
  @ApiSuccess(LoginResponseDto)
  @ApiErrors(
    [HttpStatus.UNAUTHORIZED, 'Wrong username, password or MFA code (same answer for unknown users)'],
    [HttpStatus.FORBIDDEN, 'account_locked (Retry-After) or account_disabled'],
    THROTTLED,
  )
  login(@Ctx() ctx: RequestContext, @Body() dto: LoginDto): Promise<LoginResponseDto> {
    return this.auth.login(ctx, dto);
  }

  @Post('refresh')
  @Public()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Exchange a refresh token for a new pair (the old one is used up)' })
  @ApiSuccess(TokenPairDto)
  @ApiErrors([HttpStatus.UNAUTHORIZED, 'Invalid, expired, revoked or reused refresh token'], THROTTLED)
  refresh(@Ctx() ctx: RequestContext, @Body() dto: RefreshTokenDto): Promise<TokenPairDto> {
    return this.auth.refresh(ctx, dto.refreshToken);
  }

  @Post('logout')
  @Public()
  @NoContent()
  @ApiOperation({ summary: 'Revoke the refresh token’s whole family' })
  logout(@Ctx() ctx: RequestContext, @Body() dto: RefreshTokenDto): Promise<void> {
    return this.auth.logout(ctx, dto.refreshToken);
  }

  @Post('logout-all')
  @UserOnly()
  @NoContent()
  @ApiOperation({ summary: 'End every session of the caller: all refresh and access tokens stop working' })
  logoutAll(@Ctx() ctx: RequestContext): Promise<void> {
    return this.auth.logoutEverywhere(ctx);
  }
}
