import { Injectable } from '@nestjs/common';
import { ValidationFailedError } from '../../common/errors/domain-errors.js';
import { AppConfig } from '../../config/app-config.js';
import { type PasswordCheck, PasswordHasherService } from './password-hasher.service.js';
import { PasswordHistoryRepository } from './password-history.repository.js';
import { PasswordPolicy } from './password.policy.js';
import { SessionVersionsService } from './session-versions.service.js';
import type { UserEntity } from './user.entity.js';
import { UsersRepository } from './users.repository.js';

/** Everything about a user's password: policy, history, hashing, verification with upgrade, replacement. */
@Injectable()
export class UserPasswordsService {
  private readonly historyLimit: number;

  constructor(
    private readonly hasher: PasswordHasherService,
    private readonly policy: PasswordPolicy,
    private readonly history: PasswordHistoryRepository,
    private readonly users: UsersRepository,
    private readonly sessions: SessionVersionsService,
    config: AppConfig,
  ) {
    this.historyLimit = config.auth.password.historyLimit;
  }

  assertPolicy(field: string, password: string): void {
    const problems = this.policy.problems(field, password);
    if (problems.length > 0) {
      throw new ValidationFailedError(problems, `The password does not meet the policy: ${this.policy.description}`);
    }
  }

  hash(password: string): Promise<string> {
    return this.hasher.hash(password);
  }

  /** Checks a password; a correct one stored with outdated argon2 parameters is re-hashed on the spot. */
  async verify(user: UserEntity, password: string): Promise<PasswordCheck> {
    const check = await this.hasher.verify(user.passwordHash, password);
    if (check.needsRehash) {
      await this.users.update(user.id, { passwordHash: await this.hasher.hash(password) });
    }
    return check;
  }

  /** Costs one verification and fails: unknown usernames take as long as wrong passwords. */
  verifyNobody(password: string): Promise<PasswordCheck> {
    return this.hasher.verifyNobody(password);
  }

  /**
   * Sets a new password that meets the policy and is neither the current one nor one of the last N, then
   * ends every session of the user (access tokens fail at once here, within seconds elsewhere).
   */
  async replace(user: UserEntity, field: string, newPassword: string): Promise<void> {
    this.assertPolicy(field, newPassword);
    const previous = [user.passwordHash, ...(await this.history.recentHashes(user.id, this.historyLimit))];
    for (const hash of previous) {
      if ((await this.hasher.verify(hash, newPassword)).ok) {
        const message = `${field} must differ from the current password and the last ${this.historyLimit}`;
        throw new ValidationFailedError([{ field, message }], 'The password was used before');
      }
    }
    await this.users.update(user.id, { passwordHash: await this.hasher.hash(newPassword), revokeSessions: true });
    await this.history.push(user.id, user.passwordHash, this.historyLimit);
    this.sessions.forget(user.id);
  }
}
