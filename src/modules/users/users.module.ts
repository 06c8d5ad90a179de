import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { InitialAdminSeeder } from './initial-admin.seeder.js';
import { OidcIdentitiesService } from './oidc-identities.service.js';
import { PasswordHasherService } from './password-hasher.service.js';
import { PasswordHistoryEntity } from './password-history.entity.js';
import { PasswordHistoryRepository } from './password-history.repository.js';
import { PasswordPolicy } from './password.policy.js';
import { SessionVersionsService } from './session-versions.service.js';
import { UserPasswordsService } from './user-passwords.service.js';
import { UserOidcIdentityController } from './user-oidc-identity.controller.js';
import { UserEntity } from './user.entity.js';
import { UsersController } from './users.controller.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';
import { UserAccountsService } from './user-accounts.service.js';

/** People: accounts, passwords, the first admin, session versions, and the admin endpoints. */
@Module({
  imports: [TypeOrmModule.forFeature([UserEntity, PasswordHistoryEntity]), AuditModule],
  controllers: [UsersController, UserOidcIdentityController],
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
    OidcIdentitiesService,
  ],
  exports: [UserAccountsService, UserPasswordsService, SessionVersionsService, OidcIdentitiesService],
})
export class UsersModule {}
