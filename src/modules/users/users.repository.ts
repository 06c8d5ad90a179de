import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, Repository } from 'typeorm';
import type { UserRole } from '../../common/auth/principal.js';
import { definedOnly } from '../../common/defined-only.js';
import { containsPattern } from '../../database/like-pattern.js';
import { UserEntity } from './user.entity.js';

export type UserInsert = Pick<UserEntity, 'username' | 'passwordHash' | 'role'> &
  Partial<Pick<UserEntity, 'oidcIssuer' | 'oidcSubject'>>;
export interface OidcIdentity {
  issuer: string;
  subject: string;
}
export type UserPatch = Partial<Pick<UserEntity, 'role' | 'disabled' | 'passwordHash'>> & { revokeSessions?: boolean };
export type MfaState = Pick<UserEntity, 'mfaSecretEncrypted' | 'mfaEnabled' | 'mfaBackupCodeHashes'>;
export type AdminGuardedOutcome = 'done' | 'not_found' | 'last_admin';

export interface SessionState {
  tokenVersion: number;
  disabled: boolean;
}

// Serialises changes that could remove the last active admin, across every hub instance.
const LAST_ADMIN_LOCK_KEY = 7_316_427_201;
const INITIAL_ADMIN_LOCK_KEY = 7_316_427_202;

@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(UserEntity) private readonly repository: Repository<UserEntity>) {}

  getById(id: string): Promise<UserEntity | null> {
    return this.repository.findOneBy({ id });
  }

  /** Usernames are unique case-insensitively; the lookup uses the `lower(username)` index. */
  getByUsername(username: string): Promise<UserEntity | null> {
    return this.repository
      .createQueryBuilder('user')
      .where('lower(user.username) = lower(:username)', { username })
      .getOne();
  }

  getByOidcIdentity({ issuer, subject }: OidcIdentity): Promise<UserEntity | null> {
    return this.repository.findOneBy({ oidcIssuer: issuer, oidcSubject: subject });
  }

  /** Links (or, with null, unlinks) an OIDC identity; a unique violation means another user has it. */
  async setOidcIdentity(id: string, identity: OidcIdentity | null): Promise<void> {
    await this.repository.update(
      { id },
      { oidcIssuer: identity?.issuer ?? null, oidcSubject: identity?.subject ?? null },
    );
  }

  /** What the access-token check needs, by primary key and nothing more. */
  async sessionState(id: string): Promise<SessionState | null> {
    const row = await this.repository.findOne({ where: { id }, select: { tokenVersion: true, disabled: true } });
    return row ? { tokenVersion: row.tokenVersion, disabled: row.disabled } : null;
  }

  search(filter: { username?: string; limit: number; offset: number }): Promise<[UserEntity[], number]> {
    const query = this.repository.createQueryBuilder('user');
    if (filter.username) {
      query.where(`lower(user.username) LIKE :pattern ESCAPE '\\'`, {
        pattern: containsPattern(filter.username.toLowerCase()),
      });
    }
    return query.orderBy('user.username', 'ASC').take(filter.limit).skip(filter.offset).getManyAndCount();
  }

  create(values: UserInsert): Promise<UserEntity> {
    return this.repository.save(this.repository.create(values));
  }

  any(): Promise<boolean> {
    return this.repository.exists();
  }

  /** Creates the first admin only while there are no users at all; safe when several instances start at once. */
  createIfNoUsers(values: UserInsert): Promise<UserEntity | null> {
    return this.repository.manager.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [INITIAL_ADMIN_LOCK_KEY]);
      if ((await manager.count(UserEntity)) > 0) {
        return null;
      }
      return manager.save(manager.create(UserEntity, values));
    });
  }

  async update(id: string, patch: UserPatch): Promise<UserEntity | null> {
    await this.applyPatch(this.repository.manager, id, patch);
    return this.getById(id);
  }

  /** Applies a patch unless it would leave no active admin (role change, disabling). */
  updateGuarded(id: string, patch: UserPatch): Promise<AdminGuardedOutcome> {
    return this.withLastAdminGuard(id, patch.role !== 'user' && patch.disabled !== true, (manager) =>
      this.applyPatch(manager, id, patch),
    );
  }

  /** Deletes unless the user is the last active admin. */
  deleteGuarded(id: string): Promise<AdminGuardedOutcome> {
    return this.withLastAdminGuard(id, false, async (manager) => {
      await manager.delete(UserEntity, { id });
    });
  }

  /**
   * Counts a failed login and locks the account when the threshold is reached; the counter then starts over,
   * so after the lock expires the user again has `threshold` attempts. Returns the lock's end, if locked now.
   */
  async registerFailedLogin(id: string, threshold: number, lockSeconds: number): Promise<Date | null> {
    const reachesThreshold = 'failed_login_count + 1 >= :threshold';
    const result = await this.repository
      .createQueryBuilder()
      .update(UserEntity)
      .set({
        failedLoginCount: () => `CASE WHEN ${reachesThreshold} THEN 0 ELSE failed_login_count + 1 END`,
        lockedUntil: () =>
          `CASE WHEN ${reachesThreshold} THEN now() + make_interval(secs => :lockSeconds) ELSE locked_until END`,
      })
      .where('id = :id', { id, threshold, lockSeconds })
      .returning(['failedLoginCount', 'lockedUntil'])
      .execute();
    // The counter is back at 0 only on the failure that just locked the account.
    const [row] = result.raw as Array<{ failed_login_count: number; locked_until: Date | null }>;
    return row?.failed_login_count === 0 ? row.locked_until : null;
  }

  /**
   * Takes one of the account's `threshold` attempts before its password is checked, so attempts racing on
   * several instances cannot all pass a lock check made before any of them failed. Refused while the account
   * is locked or while every attempt is taken by checks still running; then resolves to the lock's end (null
   * when the account is not locked yet). A failed check keeps its attempt (see `lockIfExhausted`); a
   * successful one hands it back (`releaseLoginAttempt`).
   */
  async reserveLoginAttempt(id: string, threshold: number): Promise<{ reserved: boolean; lockedUntil: Date | null }> {
    const result = await this.repository
      .createQueryBuilder()
      .update(UserEntity)
      .set({ failedLoginCount: () => 'failed_login_count + 1' })
      .where('id = :id AND failed_login_count < :threshold', { id, threshold })
      .andWhere('(locked_until IS NULL OR locked_until <= now())')
      .execute();
    if ((result.affected ?? 0) === 1) {
      return { reserved: true, lockedUntil: null };
    }
    const user = await this.getById(id);
    const lockedUntil = user?.lockedUntil && user.lockedUntil.getTime() > Date.now() ? user.lockedUntil : null;
    return { reserved: false, lockedUntil };
  }

  /**
   * After a failed check: locks the account when its reserved attempts reached the threshold, and the counter
   * starts over. Returns the lock's end if this call locked it.
   */
  async lockIfExhausted(id: string, threshold: number, lockSeconds: number): Promise<Date | null> {
    const result = await this.repository
      .createQueryBuilder()
      .update(UserEntity)
      .set({ failedLoginCount: 0, lockedUntil: () => 'now() + make_interval(secs => :lockSeconds)' })
      .where('id = :id AND failed_login_count >= :threshold', { id, threshold, lockSeconds })
      .andWhere('(locked_until IS NULL OR locked_until <= now())')
      .returning(['lockedUntil'])
      .execute();
    const [row] = result.raw as Array<{ locked_until: Date }>;
    return row?.locked_until ?? null;
  }

  /** After a successful check: its reserved attempt is not a failure. */
  async releaseLoginAttempt(id: string): Promise<void> {
    await this.repository
      .createQueryBuilder()
      .update(UserEntity)
      .set({ failedLoginCount: () => 'GREATEST(failed_login_count - 1, 0)' })
      .where('id = :id', { id })
      .execute();
  }

  async clearFailedLogins(id: string): Promise<void> {
    await this.repository.update({ id }, { failedLoginCount: 0, lockedUntil: null });
  }

  async setMfa(id: string, state: Partial<MfaState> & { mfaLastUsedStep?: string | null }): Promise<void> {
    await this.repository.update({ id }, state);
  }

  /** Records a TOTP time step as used; false when it (or a later one) was used already: a replay. */
  async acceptTotpStep(id: string, step: number): Promise<boolean> {
    const result = await this.repository
      .createQueryBuilder()
      .update(UserEntity)
      .set({ mfaLastUsedStep: String(step) })
      .where('id = :id', { id })
      .andWhere('(mfa_last_used_step IS NULL OR mfa_last_used_step < :step)', { step })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  /** Removes one backup code atomically; false when it is not (or no longer) there: each code works once. */
  async consumeBackupCode(id: string, codeHash: string): Promise<boolean> {
    const result = await this.repository
      .createQueryBuilder()
      .update(UserEntity)
      .set({ mfaBackupCodeHashes: () => 'array_remove(mfa_backup_code_hashes, :codeHash)' })
      .where('id = :id', { id, codeHash })
      .andWhere(':codeHash = ANY(mfa_backup_code_hashes)')
      .execute();
    return result.affected === 1;
  }

  private async applyPatch(manager: EntityManager, id: string, patch: UserPatch): Promise<void> {
    const { revokeSessions, ...values } = patch;
    const columns = definedOnly(values);
    await manager
      .createQueryBuilder()
      .update(UserEntity)
      .set({ ...columns, ...(revokeSessions ? { tokenVersion: () => 'token_version + 1' } : {}) })
      .where('id = :id', { id })
      .execute();
  }

  private withLastAdminGuard(
    id: string,
    keepsAdmin: boolean,
    change: (manager: EntityManager) => Promise<void>,
  ): Promise<AdminGuardedOutcome> {
    return this.repository.manager.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [LAST_ADMIN_LOCK_KEY]);
      const target = await manager.findOneBy(UserEntity, { id });
      if (!target) {
        return 'not_found';
      }
      const isActiveAdmin = target.role === 'admin' && !target.disabled;
      if (isActiveAdmin && !keepsAdmin) {
        const activeAdmins = await manager.countBy(UserEntity, { role: 'admin' as UserRole, disabled: false });
        if (activeAdmins <= 1) {
          return 'last_admin';
        }
      }
      await change(manager);
      return 'done';
    });
  }
}
