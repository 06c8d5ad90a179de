import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { InitialAdmin } from './initial-admin.js';
import { PasswordHasher } from './password-hasher.js';
import { PasswordHistoryEntity } from './password-history.entity.js';
import { PasswordHistoryRepository } from './password-history.repository.js';
import { PasswordPolicy } from './password-policy.js';
import { SessionVersions } from './session-versions.js';
import { UserPasswords } from './user-passwords.js';
import { UserEntity } from './user.entity.js';
import { UsersController } from './users.controller.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';
import { UserAccounts } from './user-accounts.js';

/** People: accounts, passwords, the first admin, session versions, and the admin endpoints. */
@Module({
  imports: [TypeOrmModule.forFeature([UserEntity, PasswordHistoryEntity]), AuditModule],
  controllers: [UsersController],
  providers: [
    UsersService,
    UsersRepository,
    PasswordHistoryRepository,
    PasswordHasher,
    PasswordPolicy,
    UserPasswords,
    SessionVersions,
    InitialAdmin,
    UserAccounts,
  ],
  exports: [UserAccounts, UserPasswords, SessionVersions],
})
export class UsersModule {}
