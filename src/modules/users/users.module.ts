import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { InitialAdminSeeder } from './initial-admin.seeder.js';
import { PasswordHasherService } from './password-hasher.service.js';
import { PasswordHistoryEntity } from './password-history.entity.js';
import { PasswordHistoryRepository } from './password-history.repository.js';
import { PasswordPolicy } from './password.policy.js';
import { SessionVersionsService } from './session-versions.service.js';
import { UserPasswordsService } from './user-passwords.service.js';
import { UserEntity } from './user.entity.js';
import { UsersController } from './users.controller.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';
import { UserAccountsService } from './user-accounts.service.js';

/** People: accounts, passwords, the first admin, session versions, and the admin endpoints. */
@Module({
  imports: [TypeOrmModule.forFeature([UserEntity, PasswordHistoryEntity]), AuditModule],
  controllers: [UsersController],
  providers: [
    UsersService,
    UsersRepository,
    PasswordHistoryRepository,
    PasswordHasherService,
    PasswordPolicy,
    UserPasswordsService,
    SessionVersionsService,
    InitialAdminSeeder,
    UserAccountsService,
  ],
  exports: [UserAccountsService, UserPasswordsService, SessionVersionsService],
})
export class UsersModule {}
