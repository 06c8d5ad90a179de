import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { systemContext } from '../../common/auth/request-context.js';
import { AppConfig } from '../../config/app-config.js';
import { InvalidEnvironmentError } from '../../config/env.schema.js';
import { AuditService } from '../audit/audit.service.js';
import { PasswordPolicy } from './password.policy.js';
import { UserPasswordsService } from './user-passwords.service.js';
import { UsersRepository } from './users.repository.js';

/**
 * On the first start (no users at all) creates INITIAL_ADMIN_USERNAME with INITIAL_ADMIN_PASSWORD, or with a
 * generated password printed once to stdout, outside the JSON log. Several instances starting together
 * create exactly one admin.
 */
@Injectable()
export class InitialAdminSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('InitialAdminSeeder');

  constructor(
    private readonly config: AppConfig,
    private readonly users: UsersRepository,
    private readonly passwords: UserPasswordsService,
    private readonly policy: PasswordPolicy,
    private readonly audit: AuditService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { username, password: configured } = this.config.initialAdmin;
    if (configured !== undefined && this.policy.problems('INITIAL_ADMIN_PASSWORD', configured).length > 0) {
      throw new InvalidEnvironmentError([`INITIAL_ADMIN_PASSWORD: must be ${this.policy.description}`]);
    }
    // Every start but the first finds users: skip the argon2 hash (tens of ms of CPU) then.
    if (await this.users.any()) {
      return;
    }
    const password = configured ?? generatePassword();
    const created = await this.users.createIfNoUsers({
      username,
      role: 'admin',
      passwordHash: await this.passwords.hash(password),
    });
    if (!created) {
      return;
    }
    await this.audit.record(systemContext('initial-admin'), {
      action: 'user.created',
      targetType: 'user',
      targetId: created.id,
      details: { username, role: 'admin', initialAdmin: true },
    });
    this.logger.log(`Created the initial administrator "${username}"`);
    if (configured === undefined) {
      // Deliberately not through the logger: the password must not reach log storage as a structured field.
      process.stdout.write(
        `\n  Initial administrator "${username}" created with the generated password:\n\n      ${password}\n\n  It is shown only this once: log in and change it (POST /api/profile/password).\n\n`,
      );
    }
  }
}

/** 24 random characters from four classes, so it always meets the password policy. */
function generatePassword(): string {
  const body = randomBytes(18).toString('base64url');
  return `${body}aA1!`;
}
