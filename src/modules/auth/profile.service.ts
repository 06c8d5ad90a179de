import { Injectable } from '@nestjs/common';
import { callingUser, type RequestContext } from '../../common/auth/request-context.js';
import { UnauthenticatedError } from '../../common/errors/domain-errors.js';
import { AuditService } from '../audit/audit.service.js';
import { UserAccountsService } from '../users/user-accounts.service.js';
import { UserPasswordsService } from '../users/user-passwords.service.js';
import type { UserEntity } from '../users/user.entity.js';
import { CredentialCheckerService } from './credential-checker.service.js';
import type { BackupCodesDto, ChangePasswordDto, MfaSetupDto, ProfileDto } from './dto/profile.dto.js';
import { MfaService } from './mfa.service.js';

/** The signed-in user's own account: profile, password, MFA. */
@Injectable()
export class ProfileService {
  constructor(
    private readonly accounts: UserAccountsService,
    private readonly passwords: UserPasswordsService,
    private readonly credentials: CredentialCheckerService,
    private readonly mfa: MfaService,
    private readonly audit: AuditService,
  ) {}

  async get(ctx: RequestContext): Promise<ProfileDto> {
    const user = await this.me(ctx);
    return {
      id: user.id,
      username: user.username,
      role: user.role,
      mfaEnabled: user.mfaEnabled,
      createdAt: user.createdAt.toISOString(),
    };
  }

  async changePassword(ctx: RequestContext, dto: ChangePasswordDto): Promise<void> {
    const user = await this.me(ctx);
    await this.credentials.check(ctx, user, user.username, dto.currentPassword);
    await this.passwords.replace(user, 'newPassword', dto.newPassword);
    await this.audit.record(ctx, { action: 'auth.password_changed', targetType: 'user', targetId: user.id });
  }

  async setupMfa(ctx: RequestContext): Promise<MfaSetupDto> {
    return this.mfa.setup(await this.me(ctx));
  }

  async enableMfa(ctx: RequestContext, code: string): Promise<BackupCodesDto> {
    return this.mfa.enable(ctx, await this.me(ctx), code);
  }

  async disableMfa(ctx: RequestContext, password: string, code: string): Promise<void> {
    await this.mfa.disable(ctx, await this.me(ctx), password, code);
  }

  async regenerateBackupCodes(ctx: RequestContext, password: string, code: string): Promise<BackupCodesDto> {
    return this.mfa.regenerateBackupCodes(ctx, await this.me(ctx), password, code);
  }

  // The access guard checked the token version, so the user exists; a race with deletion still answers 401.
  private async me(ctx: RequestContext): Promise<UserEntity> {
    const user = await this.accounts.findById(callingUser(ctx).id);
    if (!user) {
      throw new UnauthenticatedError();
    }
    return user;
  }
}
