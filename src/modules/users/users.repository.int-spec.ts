import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { openTestInstances, type TestInstances } from '../../../test/utils/test-database.js';
import { UserEntity } from './user.entity.js';
import { UsersRepository } from './users.repository.js';

describe(UsersRepository.name, () => {
  let instances: TestInstances;
  const sources: DataSource[] = [];
  let repositories: UsersRepository[];

  beforeAll(async () => {
    // Three independent pools stand in for three hub instances.
    instances = await openTestInstances(3);
    sources.push(...instances.sources);
    repositories = sources.map((source) => new UsersRepository(source.getRepository(UserEntity)));
  });
  afterAll(async () => {
    await instances.close();
  });
  beforeEach(async () => {
    await sources[0].query('TRUNCATE users CASCADE');
  });

  const insert = (username: string, role: 'admin' | 'user' = 'user') =>
    repositories[0].create({ username, role, passwordHash: 'hash' });

  it('creates the first admin exactly once when several instances start together', async () => {
    const created = await Promise.all(
      repositories.map((repository, i) =>
        repository.createIfNoUsers({ username: `admin${i}`, role: 'admin', passwordHash: 'h' }),
      ),
    );
    expect(created.filter((user) => user !== null)).toHaveLength(1);
    expect(await sources[0].getRepository(UserEntity).count()).toBe(1);
  });

  it('does not create a first admin when users exist', async () => {
    await insert('someone');
    expect(await repositories[0].createIfNoUsers({ username: 'admin', role: 'admin', passwordHash: 'h' })).toBeNull();
  });

  it('finds usernames case-insensitively and keeps them unique that way', async () => {
    const user = await insert('Alice');
    expect((await repositories[1].getByUsername('aLiCe'))?.id).toBe(user.id);
    await expect(insert('ALICE')).rejects.toMatchObject({ driverError: { code: '23505' } });
  });

  it('locks on the threshold-th failure, returns the end of the lock, and starts counting again', async () => {
    const user = await insert('bob');
    expect(await repositories[0].registerFailedLogin(user.id, 3, 900)).toBeNull();
    expect(await repositories[1].registerFailedLogin(user.id, 3, 900)).toBeNull();
    const lockedUntil = await repositories[2].registerFailedLogin(user.id, 3, 900);
    expect(lockedUntil).toBeInstanceOf(Date);
    expect(lockedUntil!.getTime()).toBeGreaterThan(Date.now() + 890_000);
    const after = await repositories[0].getById(user.id);
    expect(after).toMatchObject({ failedLoginCount: 0 });
    expect(await repositories[0].registerFailedLogin(user.id, 3, 900)).toBeNull();
  });

  it('gives out at most threshold attempts to checks racing on three instances, then locks once', async () => {
    const user = await insert('erin');
    const reservations = await Promise.all(
      Array.from({ length: 9 }, (_, n) => repositories[n % 3].reserveLoginAttempt(user.id, 3)),
    );
    expect(reservations.filter((outcome) => outcome.reserved)).toHaveLength(3);
    // Not locked yet: the attempts are taken by checks still running.
    expect(reservations.filter((outcome) => !outcome.reserved)).toEqual(
      Array(6).fill({ reserved: false, lockedUntil: null }),
    );

    const locks = await Promise.all(repositories.map((repository) => repository.lockIfExhausted(user.id, 3, 900)));
    expect(locks.filter((lockedUntil) => lockedUntil !== null)).toHaveLength(1);
    const refused = await repositories[1].reserveLoginAttempt(user.id, 3);
    expect(refused.reserved).toBe(false);
    expect(refused.lockedUntil!.getTime()).toBeGreaterThan(Date.now() + 890_000);
    expect(await repositories[0].getById(user.id)).toMatchObject({ failedLoginCount: 0 });
  });

  it('hands a reserved attempt back after a right password, and does not lock below the threshold', async () => {
    const user = await insert('frank');
    expect((await repositories[0].reserveLoginAttempt(user.id, 3)).reserved).toBe(true);
    expect((await repositories[1].reserveLoginAttempt(user.id, 3)).reserved).toBe(true);
    expect(await repositories[2].lockIfExhausted(user.id, 3, 900)).toBeNull();
    await repositories[2].releaseLoginAttempt(user.id);
    expect(await repositories[0].getById(user.id)).toMatchObject({ failedLoginCount: 1, lockedUntil: null });
  });

  it('accepts each TOTP step once, and never an older one', async () => {
    const user = await insert('carol');
    const attempts = await Promise.all(repositories.map((repository) => repository.acceptTotpStep(user.id, 100)));
    expect(attempts.filter(Boolean)).toHaveLength(1);
    expect(await repositories[0].acceptTotpStep(user.id, 99)).toBe(false);
    expect(await repositories[0].acceptTotpStep(user.id, 101)).toBe(true);
  });

  it('consumes a backup code once, even when presented concurrently', async () => {
    const user = await insert('dave');
    await repositories[0].setMfa(user.id, { mfaBackupCodeHashes: ['h1', 'h2'] });
    const uses = await Promise.all(repositories.map((repository) => repository.consumeBackupCode(user.id, 'h1')));
    expect(uses.filter(Boolean)).toHaveLength(1);
    expect((await repositories[0].getById(user.id))?.mfaBackupCodeHashes).toEqual(['h2']);
  });

  it('never leaves zero active admins, even when two admins demote each other at once', async () => {
    const first = await insert('admin-one', 'admin');
    const second = await insert('admin-two', 'admin');
    const outcomes = await Promise.all([
      repositories[0].updateGuarded(first.id, { role: 'user', revokeSessions: true }),
      repositories[1].updateGuarded(second.id, { role: 'user', revokeSessions: true }),
    ]);
    expect(outcomes.sort()).toEqual(['done', 'last_admin']);
    expect(await sources[0].getRepository(UserEntity).countBy({ role: 'admin', disabled: false })).toBe(1);
  });

  it('refuses to delete or disable the last active admin but allows other changes', async () => {
    const admin = await insert('only-admin', 'admin');
    expect(await repositories[0].deleteGuarded(admin.id)).toBe('last_admin');
    expect(await repositories[0].updateGuarded(admin.id, { disabled: true })).toBe('last_admin');
    expect(await repositories[0].updateGuarded(admin.id, { role: 'admin' })).toBe('done');
    const user = await insert('plain');
    expect(await repositories[0].deleteGuarded(user.id)).toBe('done');
    expect(await repositories[0].deleteGuarded(user.id)).toBe('not_found');
  });

  it('bumps the token version when sessions are revoked', async () => {
    const user = await insert('erin');
    await repositories[0].update(user.id, { revokeSessions: true });
    expect(await repositories[1].sessionState(user.id)).toEqual({ tokenVersion: 1, disabled: false });
  });
});
