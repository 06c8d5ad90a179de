import { Controller, Get, HttpStatus, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Ctx, Public } from '../../../common/auth/auth.decorators.js';
import type { RequestContext } from '../../../common/auth/request-context.js';
import { ApiErrors, ApiSuccess } from '../../../common/http/api-responses.decorators.js';
import { RateLimit } from '../../../common/rate-limit/rate-limit.js';
import { TokenPairDto } from '../dto/auth.dto.js';
import { OidcCookie } from './oidc-cookie.js';
import { OidcLoginService } from './oidc-login.service.js';

const NOT_CONFIGURED: [HttpStatus, string] = [HttpStatus.NOT_FOUND, 'oidc_not_configured: single sign-on is off'];
const UNAVAILABLE: [HttpStatus, string] = [HttpStatus.BAD_GATEWAY, 'oidc_provider_unavailable'];
const THROTTLED: [HttpStatus, string] = [HttpStatus.TOO_MANY_REQUESTS, 'rate_limited (Retry-After)'];
// Each login start stores a row for 10 minutes: anonymous callers get a bounded number of them.
const PER_ADDRESS = { limit: 60, windowSeconds: 60 };

// What the handlers use of Fastify's request and reply.
interface CallbackRequest {
  url: string;
  headers: { cookie?: string };
}
interface CookieReply {
  header(name: string, value: string): CookieReply;
  redirect(url: string, code: number): unknown;
}

/** The query string of a request URL, as the provider sent it (unknown parameters included). */
const queryOf = (url: string): string => (url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');

@ApiTags('Auth')
@Controller('auth/oidc')
export class OidcController {
  constructor(
    private readonly oidc: OidcLoginService,
    private readonly cookie: OidcCookie,
  ) {}

  @Get('login')
  @Public()
  @RateLimit({ name: 'auth.oidc.login', ...PER_ADDRESS })
  @ApiOperation({
    summary: 'Single sign-on: redirects the browser to the OpenID Connect provider',
    description:
      'Open it in the browser (not with "Try it out"). After the provider’s login, the provider redirects to `/api/auth/oidc/callback`, which answers with the hub’s tokens.',
  })
  @ApiResponse({
    status: HttpStatus.FOUND,
    description: 'To the provider (state, nonce, PKCE S256); sets the login cookie',
  })
  @ApiErrors(NOT_CONFIGURED, UNAVAILABLE, THROTTLED)
  async login(@Res() reply: CookieReply): Promise<void> {
    const { redirectTo, browserId } = await this.oidc.start();
    reply.header('set-cookie', this.cookie.set(browserId)).redirect(redirectTo, HttpStatus.FOUND);
  }

  @Get('callback')
  @Public()
  @RateLimit({ name: 'auth.oidc.callback', ...PER_ADDRESS })
  @ApiOperation({
    summary: 'Single sign-on: where the provider sends the browser back; answers like POST /api/auth/login',
  })
  @ApiQuery({ name: 'code', required: false, description: 'The authorization code' })
  @ApiQuery({ name: 'state', required: false, description: 'Must match the login this browser started' })
  @ApiSuccess(TokenPairDto)
  @ApiErrors(
    [HttpStatus.BAD_REQUEST, 'oidc_state_invalid: unknown, expired, used or mismatched login'],
    [HttpStatus.UNAUTHORIZED, 'oidc_login_failed: the provider’s answer failed validation'],
    [HttpStatus.FORBIDDEN, 'oidc_group_not_allowed, account_disabled, or last_admin (the last admin lost the group)'],
    NOT_CONFIGURED,
    UNAVAILABLE,
    THROTTLED,
  )
  callback(
    @Ctx() ctx: RequestContext,
    @Req() request: CallbackRequest,
    @Res({ passthrough: true }) reply: CookieReply,
  ): Promise<TokenPairDto> {
    // Used up either way: the cookie goes with the login request.
    reply.header('set-cookie', this.cookie.clear());
    return this.oidc.finish(ctx, this.cookie.read(request.headers.cookie), queryOf(request.url));
  }
}
