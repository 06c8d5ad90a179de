import { randomInt } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import QRCode from 'qrcode';
import type { RequestContext } from '../../common/auth/request-context.js';
import { ConflictError, UnauthenticatedError, ValidationFailedError } from '../../common/errors/domain-errors.js';
import { SecretBoxService } from '../../common/crypto/secret-box.service.js';
import { AppConfig } from '../../config/app-config.js';
import { AuditService } from '../audit/audit.service.js';
import { UserAccountsService } from '../users/user-accounts.service.js';
import type { UserEntity } from '../users/user.entity.js';
import { CredentialCheckerService } from './credential-checker.service.js';
import type { BackupCodesDto, MfaSetupDto } from './dto/profile.dto.js';
import { matchTotp, newTotpSecret, totpUri } from './totp.js';

// 16 characters from 32 unambiguous ones: 80 bits, so a keyed SHA-256 digest is a sufficient store.
const BACKUP_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const normalizeBackupCode = (code: string): string => code.toLowerCase().replace(/[\s-]/g, '');

function newBackupCode(): string {
  const chars = Array.from({ length: 16 }, () => BACKUP_ALPHABET[randomInt(BACKUP_ALPHABET.length)]);
  return chars.join('').replace(/(.{4})(?=.)/g, '$1-');
}

/** TOTP second factor (RFC 6238) with single-use codes and single-use backup codes. */
@Injectable()
export class MfaService {
  private readonly backupCodeCount: number;

  constructor(
    private readonly accounts: UserAccountsService,
    private readonly box: SecretBoxService,
    private readonly credentials: CredentialCheckerService,
    private readonly audit: AuditService,
    config: AppConfig,
  ) {
    this.backupCodeCount = config.auth.mfaBackupCodeCount;
  }

  async setup(user: UserEntity): Promise<MfaSetupDto> {
    if (user.mfaEnabled) {
      throw new ConflictError('MFA is already enabled; disable it first', 'mfa_already_enabled');
    }
    const secret = newTotpSecret();
    await this.accounts.storeMfaSecret(user.id, this.box.seal(secret));
    const otpauthUrl = totpUri(secret, user.username);
    return { secret, otpauthUrl, qrCode: await QRCode.toDataURL(otpauthUrl) };
  }

  async enable(ctx: RequestContext, user: UserEntity, code: string): Promise<BackupCodesDto> {
    if (user.mfaEnabled) {
      throw new ConflictError('MFA is already enabled', 'mfa_already_enabled');
    }
    if (!user.mfaSecretEncrypted) {
      throw new ConflictError('Call /api/profile/mfa/setup first', 'mfa_not_set_up');
    }
    if (!(await this.acceptTotp(user, code))) {
      throw invalidCode();
    }
    const backupCodes = this.newBackupCodes();
    await this.accounts.enableMfa(
      user.id,
      backupCodes.map((c) => this.box.digest(normalizeBackupCode(c))),
    );
    await this.audit.record(ctx, { action: 'auth.mfa_enabled', targetType: 'user', targetId: user.id });
    return { backupCodes };
  }

  async disable(ctx: RequestContext, user: UserEntity, password: string, code: string): Promise<void> {
    await this.reauthenticate(ctx, user, password, code);
    await this.accounts.disableMfa(user.id);
    await this.audit.record(ctx, { action: 'auth.mfa_disabled', targetType: 'user', targetId: user.id });
  }

  async regenerateBackupCodes(
    ctx: RequestContext,
    user: UserEntity,
    password: string,
    code: string,
  ): Promise<BackupCodesDto> {
    await this.reauthenticate(ctx, user, password, code);
    const backupCodes = this.newBackupCodes();
    await this.accounts.replaceBackupCodes(
      user.id,
      backupCodes.map((c) => this.box.digest(normalizeBackupCode(c))),
    );
    await this.audit.record(ctx, {
      action: 'auth.mfa_backup_codes_regenerated',
      targetType: 'user',
      targetId: user.id,
    });
    return { backupCodes };
  }

  /** A current TOTP code (each accepted once) or an unused backup code (consumed). */
  async verifySecondFactor(ctx: RequestContext, user: UserEntity, code: string): Promise<boolean> {
    if (await this.acceptTotp(user, code)) {
      return true;
    }
    const normalized = normalizeBackupCode(code);
    if (normalized.length === 16 && (await this.accounts.consumeBackupCode(user.id, this.box.digest(normalized)))) {
      await this.audit.record(ctx, { action: 'auth.mfa_backup_code_used', targetType: 'user', targetId: user.id });
      return true;
    }
    return false;
  }

  private async reauthenticate(ctx: RequestContext, user: UserEntity, password: string, code: string): Promise<void> {
    if (!user.mfaEnabled) {
      throw new ConflictError('MFA is not enabled', 'mfa_not_enabled');
    }
    await this.credentials.check(ctx, user, user.username, password);
    if (!(await this.verifySecondFactor(ctx, user, code))) {
      await this.credentials.failAndCount(ctx, user, 'wrong_mfa_code');
      throw new UnauthenticatedError('Invalid MFA code');
    }
  }

  private async acceptTotp(user: UserEntity, code: string): Promise<boolean> {
    if (!user.mfaSecretEncrypted) {
      return false;
    }
    const step = await matchTotp(this.box.open(user.mfaSecretEncrypted), code);
    // The step is claimed atomically in the database: a code works once, on every instance.
    return step !== null && (await this.accounts.acceptTotpStep(user.id, step));
  }

  private newBackupCodes(): string[] {
    return Array.from({ length: this.backupCodeCount }, newBackupCode);
  }
}

function invalidCode(): ValidationFailedError {
  return new ValidationFailedError(
    [{ field: 'code', message: 'code is not a valid current TOTP code' }],
    'Invalid MFA code',
  );
}
