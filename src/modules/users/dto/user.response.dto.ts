import { ApiProperty } from '@nestjs/swagger';
import type { UserRole } from '../../../common/auth/principal.js';
import type { UserEntity } from '../user.entity.js';

export class UserResponseDto {
  @ApiProperty({ format: 'uuid', example: '5b0a3c38-3f7e-4f4b-9a55-7d8e0c1b2a11' }) id!: string;
  @ApiProperty({ example: 'alice' }) username!: string;
  @ApiProperty({ enum: ['admin', 'user'], example: 'user' }) role!: UserRole;
  @ApiProperty({ example: false }) disabled!: boolean;
  @ApiProperty({ example: false }) mfaEnabled!: boolean;
  @ApiProperty({ nullable: true, type: String, description: 'Set while the account is locked after failed logins' })
  lockedUntil!: string | null;
  @ApiProperty({ example: '2026-11-25T10:00:00.000Z' }) createdAt!: string;
  @ApiProperty({ example: '2026-11-25T10:00:00.000Z' }) updatedAt!: string;
}

export const toUserResponse = (user: UserEntity): UserResponseDto => ({
  id: user.id,
  username: user.username,
  role: user.role,
  disabled: user.disabled,
  mfaEnabled: user.mfaEnabled,
  lockedUntil: user.lockedUntil && user.lockedUntil.getTime() > Date.now() ? user.lockedUntil.toISOString() : null,
  createdAt: user.createdAt.toISOString(),
  updatedAt: user.updatedAt.toISOString(),
});
