import { Injectable } from '@nestjs/common';
import { callingUser, type RequestContext } from '../../common/auth/request-context.js';
import { ForbiddenError, UnauthenticatedError } from '../../common/errors/domain-errors.js';
import { AppConfig } from '../../config/app-config.js';
import { AuditService } from '../audit/audit.service.js';
import { UserAccountsService } from '../users/user-accounts.service.js';
import { CredentialCheckerService } from './credential-checker.service.js';
import type { LoginDto, LoginResponseDto, TokenPairDto } from './dto/auth.dto.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { MfaService } from './mfa.service.js';
import { RefreshTokensRepository } from './refresh-tokens.repository.js';
import { hashRefreshToken, TokenService } from './token.service.js';

const INVALID_REFRESH = 'The refresh token is invalid, expired or revoked';

/** Login, refresh-token rotation with reuse detection, and logout (SPEC section 2 and 3). */
@Injectable()
export class AuthService {
  private readonly localLogin: AppConfig['auth']['localLogin'];

  constructor(
    private readonly credentials: CredentialCheckerService,
    private readonly accounts: UserAccountsService,
    private readonly mfa: MfaService,
    private readonly tokens: TokenService,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly throttle: LoginThrottleService,
    private readonly audit: AuditService,
    config: AppConfig,
  ) {
    this.localLogin = config.auth.localLogin;
  }

  async login(ctx: RequestContext, dto: LoginDto): Promise<LoginResponseDto> {
    const user = await this.credentials.check(
      ctx,
      await this.accounts.findByUsername(dto.username),
      dto.username,
      dto.password,
    );
    if (user.disabled) {
      throw new ForbiddenError('The account is disabled', 'account_disabled');
    }
    // Checked after the password, so it tells nothing to someone who does not know it.
    if (this.localLogin === 'admins_only' && user.role !== 'admin') {
      await this.audit.record(ctx, {
        action: 'auth.login_failed',
        outcome: 'denied',
        targetType: 'user',
        targetId: user.id,
        username: user.username,
        details: { method: 'password', reason: 'local_login_disabled' },
      });
      throw new ForbiddenError(
        'Password login is for administrators only; sign in through single sign-on',
        'local_login_disabled',
      );
    }
    if (user.mfaEnabled) {
      if (dto.mfaCode === undefined) {
        return { mfaRequired: true };
      }
      if (!(await this.mfa.verifySecondFactor(ctx, user, dto.mfaCode))) {
        await this.credentials.failAndCount(ctx, user, 'wrong_mfa_code');
        throw new UnauthenticatedError('Invalid MFA code');
      }
    }
    await this.accounts.clearFailedLogins(user);
    await this.audit.record(ctx, {
      action: 'auth.login_succeeded',
      targetType: 'user',
      targetId: user.id,
      username: user.username,
      details: { method: 'password', mfa: user.mfaEnabled },
    });
    return this.tokens.issue(user);
  }

  async refresh(ctx: RequestContext, refreshToken: string): Promise<TokenPairDto> {
    const attempt = await this.throttle.admit(ctx);
    const outcome = await this.refreshTokens.consume(hashRefreshToken(refreshToken));
    if (outcome.kind === 'reused') {
      await this.audit.record(ctx, {
        action: 'auth.refresh_token_reused',
        outcome: 'denied',
        targetType: 'user',
        targetId: outcome.token.userId,
        details: { familyId: outcome.token.familyId, effect: 'family revoked' },
      });
    }
    if (outcome.kind !== 'valid') {
      throw new UnauthenticatedError(INVALID_REFRESH);
    }
    await this.throttle.forgive(attempt);
    const user = await this.accounts.findById(outcome.token.userId);
    // Sessions end with a token-version bump (password change, disable, log-out-everywhere): refresh too.
    if (!user || user.disabled || user.tokenVersion !== outcome.token.userTokenVersion) {
      await this.refreshTokens.revokeFamily(outcome.token.familyId);
      throw new UnauthenticatedError(INVALID_REFRESH);
    }
    const pair = await this.tokens.rotate(user, outcome.token);
    if (!pair) {
      throw new UnauthenticatedError(INVALID_REFRESH);
    }
    return pair;
  }

  /** Revokes the token's family. Unknown tokens are ignored, so the answer reveals nothing. */
  async logout(ctx: RequestContext, refreshToken: string): Promise<void> {
    const userId = await this.refreshTokens.revokeFamilyOf(hashRefreshToken(refreshToken));
    if (userId) {
      await this.audit.record(ctx, { action: 'auth.logged_out', targetType: 'user', targetId: userId });
    }
  }

  async logoutEverywhere(ctx: RequestContext): Promise<void> {
    const userId = callingUser(ctx).id;
    await this.accounts.revokeSessions(userId);
    await this.audit.record(ctx, { action: 'auth.logged_out_everywhere', targetType: 'user', targetId: userId });
  }
}
