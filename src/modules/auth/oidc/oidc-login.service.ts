import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import * as client from 'openid-client';
import type { RequestContext } from '../../../common/auth/request-context.js';
import { matchesDigest, sha256, sha256Hex } from '../../../common/crypto/secret-digest.js';
import { DomainError, ForbiddenError } from '../../../common/errors/domain-errors.js';
import { AuditService } from '../../audit/audit.service.js';
import { OidcIdentitiesService } from '../../users/oidc-identities.service.js';
import type { UserEntity } from '../../users/user.entity.js';
import type { TokenPairDto } from '../dto/auth.dto.js';
import { TokenService } from '../token.service.js';
import { groupsOf, mayLogIn, roleFor, usernameCandidates } from './oidc-claims.js';
import { CLIENT_CODE_TTL_SECONDS, type ClientAuthorization } from './oidc-client-bridge.js';
import { OidcClientCodesRepository } from './oidc-client-codes.repository.js';
import { OidcClientService } from './oidc-client.service.js';
import { OidcLoginFailedError, OidcStateInvalidError } from './oidc-errors.js';
import { OidcLoginRequestsRepository } from './oidc-login-requests.repository.js';

/** How long a login may take between the redirect to the provider and the callback. */
export const OIDC_LOGIN_TTL_SECONDS = 600;

/** The callback's outcome: the hub's tokens, or (for Swagger UI's login) where to send the browser with its code. */
export type OidcSignIn = { tokens: TokenPairDto; redirectTo?: never } | { redirectTo: string; tokens?: never };

export interface OidcLoginStart {
  /** The provider's authorization URL to redirect the browser to. */
  redirectTo: string;
  /** The random id that binds the login to this browser (its cookie); only its SHA-256 is stored. */
  browserId: string;
}

/**
 * Single sign-on through OpenID Connect (authorization code flow with PKCE). The login's state, nonce and
 * code verifier wait in PostgreSQL, so the callback may reach any instance; the browser holds only a random
 * id. A verified identity (issuer + `sub`) becomes the hub's own session exactly like a password login:
 * the same refresh-token family, the same audit entry (with `method: oidc`), the same refusal of disabled
 * users. Users are created at their first sign-in and get their role from the provider's groups every time.
 */
@Injectable()
export class OidcLoginService {
  constructor(
    private readonly client: OidcClientService,
    private readonly requests: OidcLoginRequestsRepository,
    private readonly identities: OidcIdentitiesService,
    private readonly tokens: TokenService,
    private readonly audit: AuditService,
    private readonly codes: OidcClientCodesRepository,
  ) {}

  /** `swaggerLogin`: Swagger UI started the login (GET /api/auth/oidc/authorize), validated by the caller. */
  async start(swaggerLogin?: ClientAuthorization): Promise<OidcLoginStart> {
    this.client.require();
    const checks = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
    };
    // The URL first: with the provider unreachable nothing is stored.
    const redirectTo = (await this.client.authorizationUrl(checks)).href;
    const browserId = randomBytes(32).toString('base64url');
    await this.requests.insert(sha256Hex(browserId), checks, OIDC_LOGIN_TTL_SECONDS, swaggerLogin);
    return { redirectTo, browserId };
  }

  /** The provider's redirect back: `browserId` from the cookie, `callbackQuery` the raw query string. */
  async finish(ctx: RequestContext, browserId: string | undefined, callbackQuery: string): Promise<OidcSignIn> {
    const settings = this.client.require();
    // Consumed whatever follows: a login request is good for one callback.
    const request = browserId ? await this.requests.consume(sha256Hex(browserId)) : null;
    const state = new URLSearchParams(callbackQuery).get('state');
    if (!request || !request.fresh || state === null || !matchesDigest(state, sha256(request.state))) {
      await this.auditFailure(ctx, 'state_invalid');
      throw new OidcStateInvalidError();
    }

    const claims = await this.client.exchange(callbackQuery, request).catch(async (error: unknown) => {
      if (error instanceof OidcLoginFailedError) {
        await this.auditFailure(ctx, 'token_invalid', { details: { error: error.reason } });
      }
      throw error;
    });
    const identity = { issuer: claims.iss, subject: claims.sub };
    const groups = groupsOf(claims, settings.roleClaim);
    if (!mayLogIn(groups, settings.allowedGroups, settings.adminGroups)) {
      await this.auditFailure(ctx, 'group_not_allowed', {
        denied: true,
        username: typeof claims.preferred_username === 'string' ? claims.preferred_username : undefined,
        details: identity,
      });
      throw new ForbiddenError(
        'Your groups at the identity provider do not allow you to sign in here',
        'oidc_group_not_allowed',
      );
    }
    const role = roleFor(groups, settings.adminGroups);
    const known = await this.identities.findUser(identity);
    const user = known
      ? await this.returningUser(ctx, known, role)
      : await this.identities.provision(
          ctx,
          identity,
          usernameCandidates(claims.preferred_username, claims.sub, randomBytes(4).toString('hex')),
          role,
        );
    await this.audit.record(ctx, {
      action: 'auth.login_succeeded',
      targetType: 'user',
      targetId: user.id,
      username: user.username,
      details: { method: 'oidc', mfa: false, issuer: identity.issuer, ...(request.client && { client: 'swagger-ui' }) },
    });
    return request.client
      ? { redirectTo: await this.clientCode(user, request.client) }
      : { tokens: await this.tokens.issue(user) };
  }

  /** A one-time code for Swagger UI, and its redirect page's URL carrying it with Swagger UI's state. */
  private async clientCode(user: UserEntity, client: ClientAuthorization): Promise<string> {
    const code = randomBytes(32).toString('base64url');
    await this.codes.insert(
      {
        codeHash: sha256Hex(code),
        userId: user.id,
        redirectUri: client.redirectUri,
        codeChallenge: client.codeChallenge,
      },
      CLIENT_CODE_TTL_SECONDS,
    );
    const target = new URL(client.redirectUri);
    target.searchParams.set('code', code);
    target.searchParams.set('state', client.state);
    return target.href;
  }

  /** A known user, with the role their groups map to now; disabled users are refused. */
  private async returningUser(ctx: RequestContext, known: UserEntity, role: UserEntity['role']): Promise<UserEntity> {
    if (known.disabled) {
      await this.auditFailure(ctx, 'disabled', { denied: true, user: known });
      throw new ForbiddenError('The account is disabled', 'account_disabled');
    }
    try {
      return await this.identities.applyRole(ctx, known, role);
    } catch (error) {
      if (error instanceof DomainError) {
        await this.auditFailure(ctx, error.code, { denied: true, user: known });
      }
      throw error;
    }
  }

  /** `denied`: the provider vouched for the person, but the hub refuses them (groups, disabled, last admin). */
  private async auditFailure(
    ctx: RequestContext,
    reason: string,
    options: { denied?: boolean; user?: UserEntity; username?: string; details?: Record<string, unknown> } = {},
  ): Promise<void> {
    await this.audit.record(ctx, {
      action: 'auth.login_failed',
      outcome: options.denied ? 'denied' : 'failure',
      targetType: 'user',
      targetId: options.user?.id,
      username: options.user?.username ?? options.username,
      details: { method: 'oidc', reason, ...options.details },
    });
  }
}
