import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../../common/auth/request-context.js';
import { sha256Hex } from '../../../common/crypto/secret-digest.js';
import { ValidationFailedError } from '../../../common/errors/domain-errors.js';
import { AuditService } from '../../audit/audit.service.js';
import { UserAccountsService } from '../../users/user-accounts.service.js';
import { TokenService } from '../token.service.js';
import { pkceMatches, swaggerRedirectUri } from './oidc-client-bridge.js';
import type { ClientAuthorizeQueryDto, ClientTokenRequestDto, ClientTokenResponseDto } from './oidc-client.dto.js';
import { OidcClientService } from './oidc-client.service.js';
import { OidcClientCodesRepository } from './oidc-client-codes.repository.js';
import { OidcInvalidGrantError } from './oidc-errors.js';
import { type OidcLoginStart, OidcLoginService } from './oidc-login.service.js';

/**
 * Swagger UI's "Authorize" through the provider (see oidc-client-bridge.ts): its authorization request
 * starts an ordinary OIDC login that remembers Swagger UI's redirect, state and PKCE challenge; the callback
 * hands back a one-time code; the exchange here checks code, redirect URI and verifier and issues the hub's
 * tokens to the user the provider vouched for.
 */
@Injectable()
export class OidcClientBridgeService {
  constructor(
    private readonly oidc: OidcClientService,
    private readonly logins: OidcLoginService,
    private readonly codes: OidcClientCodesRepository,
    private readonly accounts: UserAccountsService,
    private readonly tokens: TokenService,
    private readonly audit: AuditService,
  ) {}

  async authorize(query: ClientAuthorizeQueryDto): Promise<OidcLoginStart> {
    this.assertRedirectUri(query.redirect_uri);
    return this.logins.start({
      redirectUri: query.redirect_uri,
      state: query.state,
      codeChallenge: query.code_challenge,
    });
  }

  async exchange(ctx: RequestContext, request: ClientTokenRequestDto): Promise<ClientTokenResponseDto> {
    this.assertRedirectUri(request.redirect_uri);
    const code = await this.codes.consume(sha256Hex(request.code));
    const valid =
      code?.fresh === true &&
      code.redirectUri === request.redirect_uri &&
      pkceMatches(request.code_verifier, code.codeChallenge);
    const user = valid ? await this.accounts.findById(code.userId) : null;
    if (!user || user.disabled) {
      await this.audit.record(ctx, {
        action: 'auth.login_failed',
        targetType: 'user',
        targetId: code?.userId,
        details: { method: 'oidc', client: 'swagger-ui', reason: user ? 'disabled' : 'invalid_grant' },
      });
      throw new OidcInvalidGrantError();
    }
    const pair = await this.tokens.issue(user);
    return {
      access_token: pair.accessToken,
      token_type: 'Bearer',
      expires_in: pair.expiresIn,
      refresh_token: pair.refreshToken,
    };
  }

  /** Only Swagger UI's own redirect page on this hub: anything else would make the hub an open redirector. */
  private assertRedirectUri(redirectUri: string): void {
    if (redirectUri !== swaggerRedirectUri(this.oidc.require().redirectUrl)) {
      throw new ValidationFailedError([
        { field: 'redirect_uri', message: "redirect_uri must be this hub's Swagger UI redirect page" },
      ]);
    }
  }
}
