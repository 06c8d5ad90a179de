import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { UserRole } from '../../src/common/auth/principal.js';
import type { AppConfig } from '../../src/config/app-config.js';
import { PasswordHasherService } from '../../src/modules/users/password-hasher.service.js';
import type { UserEntity } from '../../src/modules/users/user.entity.js';
import { UsersRepository } from '../../src/modules/users/users.repository.js';
import { userAccessToken } from '../utils/tokens.js';

let sequence = 0;

/** A password that meets the default policy. */
export const strongPassword = (): string => `Pw-${randomBytes(6).toString('hex')}-Aa1!`;

export interface CreatedUser {
  user: UserEntity;
  password: string;
}

/** Inserts a user through the hub's own repository and hasher (as if an admin had created it). */
export async function createUser(
  app: INestApplication,
  overrides: { username?: string; role?: UserRole; password?: string } = {},
): Promise<CreatedUser> {
  sequence += 1;
  const password = overrides.password ?? strongPassword();
  const hasher = app.get(PasswordHasherService, { strict: false });
  const user = await app.get(UsersRepository, { strict: false }).create({
    username: overrides.username ?? `user${sequence}-${randomBytes(3).toString('hex')}`,
    role: overrides.role ?? 'user',
    passwordHash: await hasher.hash(password),
  });
  return { user, password };
}

/** An access token for an existing user, exactly as login would issue it. */
export const tokenFor = (config: AppConfig, user: UserEntity): string =>
  userAccessToken(config, { sub: user.id, username: user.username, role: user.role, ver: user.tokenVersion });
