import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, MaxLength, MinLength } from 'class-validator';
import type { UserRole } from '../../../common/auth/principal.js';

export class ProfileDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'alice' }) username!: string;
  @ApiProperty({ enum: ['admin', 'user'] }) role!: UserRole;
  @ApiProperty({ example: false }) mfaEnabled!: boolean;
  @ApiProperty({ example: '2026-11-25T10:00:00.000Z' }) createdAt!: string;
}

export class ChangePasswordDto {
  @ApiProperty({ example: 'Correct-Horse-42!' }) @IsString() @MinLength(1) @MaxLength(1024) currentPassword!: string;
  @ApiProperty({ example: 'Battery-Staple-43?' }) @IsString() @MaxLength(1024) newPassword!: string;
}

export class MfaCodeDto {
  @ApiProperty({ example: '123456', description: 'The current 6-digit code from the authenticator app' })
  @IsString()
  @Length(6, 6)
  code!: string;
}

export class MfaReauthDto {
  @ApiProperty({ example: 'Correct-Horse-42!' }) @IsString() @MinLength(1) @MaxLength(1024) password!: string;

  @ApiProperty({ example: '123456', description: 'A current TOTP code or an unused backup code' })
  @IsString()
  @Length(6, 32)
  code!: string;
}

export class MfaSetupDto {
  @ApiProperty({ example: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', description: 'Base32 TOTP secret (shown once)' })
  secret!: string;
  @ApiProperty({ example: 'otpauth://totp/Ananta:alice?secret=…&issuer=Ananta' }) otpauthUrl!: string;
  @ApiProperty({ example: 'data:image/png;base64,iVBORw0KGgo…' }) qrCode!: string;
}

export class BackupCodesDto {
  @ApiProperty({ type: [String], example: ['abcd-efgh-jkmn-pqrs'], description: 'Single-use; shown only now' })
  backupCodes!: string[];
}
