import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../common/auth/request-context.js';
import { ForbiddenError, UnauthenticatedError } from '../../common/errors/domain-errors.js';
import { AuditService } from '../audit/audit.service.js';
import { UserAccounts } from '../users/user-accounts.js';
import { UserPasswords } from '../users/user-passwords.js';
import type { UserEntity } from '../users/user.entity.js';
import { LoginThrottle, secondsUntil } from './login-throttle.js';

export const INVALID_CREDENTIALS = 'Invalid username or password';

/**
 * A password check with every brute-force rule applied: the IP limits, the account lockout (403 even with
 * the right password), failure counting and auditing. Used by login and by every re-authentication
 * (password change, MFA disable), so a stolen access token cannot be used to guess the password either.
 */
@Injectable()
export class CredentialChecker {
  constructor(
    private readonly throttle: LoginThrottle,
    private readonly accounts: UserAccounts,
    private readonly passwords: UserPasswords,
    private readonly audit: AuditService,
  ) {}

  /** Resolves to the user when the password is right; throws 401, 403 `account_locked` or 429 otherwise. */
  async check(ctx: RequestContext, user: UserEntity | null, username: string, password: string): Promise<UserEntity> {
    await this.throttle.assertAllowed(ctx);
    if (!user) {
      await this.passwords.verifyNobody(password);
      await this.fail(ctx, username, null, 'unknown_user');
      throw new UnauthenticatedError(INVALID_CREDENTIALS);
    }
    if (user.lockedUntil && user.lockedUntil.getTime() > Date.now()) {
      await this.fail(ctx, user.username, user, 'locked');
      const seconds = secondsUntil(user.lockedUntil);
      throw new ForbiddenError(`The account is locked; try again in ${seconds} s`, 'account_locked', {
        'Retry-After': String(seconds),
      });
    }
    if (!(await this.passwords.verify(user, password)).ok) {
      await this.failAndCount(ctx, user, 'wrong_password');
      throw new UnauthenticatedError(INVALID_CREDENTIALS);
    }
    return user;
  }

  /** A wrong second factor counts like a wrong password. */
  async failAndCount(ctx: RequestContext, user: UserEntity, reason: string): Promise<void> {
    await this.fail(ctx, user.username, user, reason);
    const lockedUntil = await this.accounts.registerFailedLogin(user);
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

  private async fail(ctx: RequestContext, username: string, user: UserEntity | null, reason: string): Promise<void> {
    await this.throttle.recordFailure(ctx, username);
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
