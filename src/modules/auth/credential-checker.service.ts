import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../common/auth/request-context.js';
import { ForbiddenError, UnauthenticatedError } from '../../common/errors/domain-errors.js';
import { AuditService } from '../audit/audit.service.js';
import { UserAccountsService } from '../users/user-accounts.service.js';
import { UserPasswordsService } from '../users/user-passwords.service.js';
import type { UserEntity } from '../users/user.entity.js';
import { LoginThrottleService, secondsUntil } from './login-throttle.service.js';

export const INVALID_CREDENTIALS = 'Invalid username or password';

/**
 * A password check with every brute-force rule applied: the IP limits, the account lockout (403 even with
 * the right password), failure counting and auditing. Used by login and by every re-authentication
 * (password change, MFA disable), so a stolen access token cannot be used to guess the password either.
 * Both the address and the account give out their attempts before the (slow) password check, so a burst of
 * guesses spread over several instances gets no more checks than the limits allow.
 */
@Injectable()
export class CredentialCheckerService {
  constructor(
    private readonly throttle: LoginThrottleService,
    private readonly accounts: UserAccountsService,
    private readonly passwords: UserPasswordsService,
    private readonly audit: AuditService,
  ) {}

  /** Resolves to the user when the password is right; throws 401, 403 `account_locked` or 429 otherwise. */
  async check(ctx: RequestContext, user: UserEntity | null, username: string, password: string): Promise<UserEntity> {
    const attempt = await this.throttle.admit(ctx, user?.username ?? username);
    if (!user) {
      await this.passwords.verifyNobody(password);
      await this.auditFailure(ctx, username, null, 'unknown_user');
      throw new UnauthenticatedError(INVALID_CREDENTIALS);
    }
    const { reserved, lockedUntil } = await this.accounts.reserveAttempt(user);
    if (!reserved) {
      await this.auditFailure(ctx, user.username, user, 'locked');
      // Not locked yet means the remaining attempts are being checked right now: ask to retry in a moment.
      const seconds = lockedUntil ? secondsUntil(lockedUntil) : 1;
      throw new ForbiddenError(`The account is locked; try again in ${seconds} s`, 'account_locked', {
        'Retry-After': String(seconds),
      });
    }
    if (!(await this.passwords.verify(user, password)).ok) {
      await this.auditFailure(ctx, user.username, user, 'wrong_password');
      await this.auditLock(ctx, user, await this.accounts.lockIfExhausted(user));
      throw new UnauthenticatedError(INVALID_CREDENTIALS);
    }
    await Promise.all([this.throttle.forgive(attempt), this.accounts.releaseAttempt(user)]);
    return user;
  }

  /** A wrong second factor (after a right password) counts like a wrong password. */
  async failAndCount(ctx: RequestContext, user: UserEntity, reason: string): Promise<void> {
    await this.throttle.recordFailure(ctx, user.username);
    await this.auditFailure(ctx, user.username, user, reason);
    await this.auditLock(ctx, user, await this.accounts.registerFailedLogin(user));
  }

  private async auditLock(ctx: RequestContext, user: UserEntity, lockedUntil: Date | null): Promise<void> {
    if (lockedUntil) {
      await this.audit.record(ctx, {
        action: 'auth.account_locked',
        outcome: 'denied',
        targetType: 'user',
        targetId: user.id,
        username: user.username,
        details: { lockedUntil: lockedUntil.toISOString() },
      });
    }
  }

  private async auditFailure(
    ctx: RequestContext,
    username: string,
    user: UserEntity | null,
    reason: string,
  ): Promise<void> {
    await this.audit.record(ctx, {
      action: 'auth.login_failed',
      outcome: 'failure',
      targetType: 'user',
      targetId: user?.id,
      username,
      details: { reason },
    });
  }
}
