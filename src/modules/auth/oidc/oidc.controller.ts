import { Body, Controller, Get, HttpCode, HttpStatus, Post, Query, Req, Res } from '@nestjs/common';
import { ApiConsumes, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Ctx, Public } from '../../../common/auth/auth.decorators.js';
import type { RequestContext } from '../../../common/auth/request-context.js';
import { ApiErrors, ApiSuccess } from '../../../common/http/api-responses.decorators.js';
import { RateLimit } from '../../../common/rate-limit/rate-limit.js';
import { TokenPairDto } from '../dto/auth.dto.js';
import { ClientAuthorizeQueryDto, ClientTokenRequestDto, ClientTokenResponseDto } from './oidc-client.dto.js';
import { OidcClientBridgeService } from './oidc-client-bridge.service.js';
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
interface JsonReply {
  send(body: object): unknown;
}
interface CookieReply {
  header(name: string, value: string): CookieReply;
  code(status: number): CookieReply;
  redirect(url: string, code: number): unknown;
}

/** The query string of a request URL, as the provider sent it (unknown parameters included). */
const queryOf = (url: string): string => (url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');

@ApiTags('Auth')
@Controller('auth/oidc')
export class OidcController {
  constructor(
    private readonly oidc: OidcLoginService,
    private readonly bridge: OidcClientBridgeService,
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
  @ApiResponse({
    status: HttpStatus.FOUND,
    description:
      'When Swagger UI started the login (/authorize): to its redirect page with a one-time code and its state',
  })
  @ApiErrors(
    [HttpStatus.BAD_REQUEST, 'oidc_state_invalid: unknown, expired, used or mismatched login'],
    [HttpStatus.UNAUTHORIZED, 'oidc_login_failed: the provider’s answer failed validation'],
    [HttpStatus.FORBIDDEN, 'oidc_group_not_allowed, account_disabled, or last_admin (the last admin lost the group)'],
    NOT_CONFIGURED,
    UNAVAILABLE,
    THROTTLED,
  )
  async callback(
    @Ctx() ctx: RequestContext,
    @Req() request: CallbackRequest,
    @Res({ passthrough: true }) reply: CookieReply,
  ): Promise<TokenPairDto | undefined> {
    // Used up either way: the cookie goes with the login request.
    reply.header('set-cookie', this.cookie.clear());
    const signIn = await this.oidc.finish(ctx, this.cookie.read(request.headers.cookie), queryOf(request.url));
    if (signIn.redirectTo) {
      // Swagger UI's login: back to its redirect page with the one-time code (no body).
      reply.code(HttpStatus.FOUND).header('location', signIn.redirectTo);
      return undefined;
    }
    return signIn.tokens;
  }

  @Get('authorize')
  @Public()
  @RateLimit({ name: 'auth.oidc.authorize', ...PER_ADDRESS })
  @ApiOperation({
    summary: 'Swagger UI’s sign-in through the provider (OAuth2 authorization code with PKCE)',
    description:
      'Used by "Authorize → sso" in Swagger UI, not called by hand: only the client `swagger-ui` and this hub’s own /api/docs/oauth2-redirect.html exist. Starts the same login as /login; the callback then sends the browser back to Swagger UI with a one-time code (60 s) for POST /api/auth/oidc/token.',
  })
  @ApiResponse({ status: HttpStatus.FOUND, description: 'To the provider; sets the login cookie' })
  @ApiErrors(
    [
      HttpStatus.BAD_REQUEST,
      'validation_failed (a redirect_uri other than this hub’s Swagger UI page, no S256 PKCE, another client)',
    ],
    NOT_CONFIGURED,
    UNAVAILABLE,
    THROTTLED,
  )
  async authorize(@Query() query: ClientAuthorizeQueryDto, @Res() reply: CookieReply): Promise<void> {
    const { redirectTo, browserId } = await this.bridge.authorize(query);
    reply.header('set-cookie', this.cookie.set(browserId)).redirect(redirectTo, HttpStatus.FOUND);
  }

  @Post('token')
  @Public()
  @HttpCode(HttpStatus.OK)
  @RateLimit({ name: 'auth.oidc.token', ...PER_ADDRESS })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiOperation({
    summary: 'Swagger UI exchanges its one-time code for the hub’s tokens (OAuth2 token endpoint)',
    description:
      'The answer has OAuth2’s shape (RFC 6749 5.1), not the envelope, because OAuth2 clients read it so; errors come in the envelope (`invalid_grant`: the code is unknown, used, expired, or does not match the verifier or redirect_uri).',
  })
  @ApiResponse({
    status: HttpStatus.OK,
    description: 'The hub’s access and refresh tokens (not enveloped)',
    type: ClientTokenResponseDto,
  })
  @ApiErrors([HttpStatus.BAD_REQUEST, 'invalid_grant, or validation_failed'], NOT_CONFIGURED, THROTTLED)
  async token(@Ctx() ctx: RequestContext, @Body() dto: ClientTokenRequestDto, @Res() reply: JsonReply): Promise<void> {
    reply.send(await this.bridge.exchange(ctx, dto));
  }
}
