import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { SessionVersionsService } from './session-versions.service.js';
import type { UserEntity } from './user.entity.js';
import { UsersRepository } from './users.repository.js';

/** What authentication needs from user accounts: lookups, lockout bookkeeping, MFA state, session revocation. */
@Injectable()
export class UserAccountsService {
  private readonly lockout: { threshold: number; durationSeconds: number };

  constructor(
    private readonly users: UsersRepository,
    private readonly sessions: SessionVersionsService,
    config: AppConfig,
  ) {
    this.lockout = config.auth.lockout;
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.getById(id);
  }

  findByUsername(username: string): Promise<UserEntity | null> {
    return this.users.getByUsername(username);
  }

  /** Takes one of the account's attempts before a password check; refused (with the lock's end) when none is left. */
  reserveAttempt(user: UserEntity): Promise<{ reserved: boolean; lockedUntil: Date | null }> {
    return this.users.reserveLoginAttempt(user.id, this.lockout.threshold);
  }

  /** After a wrong password: locks the account if that was its last attempt; returns the lock's end then. */
  lockIfExhausted(user: UserEntity): Promise<Date | null> {
    return this.users.lockIfExhausted(user.id, this.lockout.threshold, this.lockout.durationSeconds);
  }

  /** After a right password: the attempt it took is handed back. */
  releaseAttempt(user: UserEntity): Promise<void> {
    return this.users.releaseLoginAttempt(user.id);
  }

  /** Counts a failure; returns when the account's new lock ends if this failure locked it. */
  registerFailedLogin(user: UserEntity): Promise<Date | null> {
    return this.users.registerFailedLogin(user.id, this.lockout.threshold, this.lockout.durationSeconds);
  }

  async clearFailedLogins(user: UserEntity): Promise<void> {
    if (user.failedLoginCount > 0 || user.lockedUntil) {
      await this.users.clearFailedLogins(user.id);
    }
  }

  /** Ends every session: access tokens fail at once on this instance and within seconds on others. */
  async revokeSessions(userId: string): Promise<void> {
    await this.users.update(userId, { revokeSessions: true });
    this.sessions.forget(userId);
  }

  async storeMfaSecret(userId: string, sealedSecret: string): Promise<void> {
    await this.users.setMfa(userId, { mfaSecretEncrypted: sealedSecret, mfaEnabled: false, mfaBackupCodeHashes: [] });
  }

  async enableMfa(userId: string, backupCodeHashes: string[]): Promise<void> {
    await this.users.setMfa(userId, { mfaEnabled: true, mfaBackupCodeHashes: backupCodeHashes });
  }

  async replaceBackupCodes(userId: string, backupCodeHashes: string[]): Promise<void> {
    await this.users.setMfa(userId, { mfaBackupCodeHashes: backupCodeHashes });
  }

  async disableMfa(userId: string): Promise<void> {
    await this.users.setMfa(userId, {
      mfaEnabled: false,
      mfaSecretEncrypted: null,
      mfaBackupCodeHashes: [],
      mfaLastUsedStep: null,
    });
  }

  acceptTotpStep(userId: string, step: number): Promise<boolean> {
    return this.users.acceptTotpStep(userId, step);
  }

  consumeBackupCode(userId: string, codeHash: string): Promise<boolean> {
    return this.users.consumeBackupCode(userId, codeHash);
  }
}
