import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import type { UserRole } from '../../../common/auth/principal.js';
import { PageQueryDto } from '../../../common/http/pagination.dto.js';

export const USERNAME_PATTERN = /^[a-zA-Z0-9._-]{3,64}$/;
const USERNAME_MESSAGE = 'username must be 3–64 characters of letters, digits, ".", "_" and "-"';
const ROLES: UserRole[] = ['admin', 'user'];

export class CreateUserDto {
  @ApiProperty({ example: 'alice', pattern: USERNAME_PATTERN.source })
  @IsString()
  @Matches(USERNAME_PATTERN, { message: USERNAME_MESSAGE })
  username!: string;

  @ApiProperty({ example: 'Correct-Horse-42!', description: 'The password policy applies' })
  @IsString()
  @MaxLength(1024)
  password!: string;

  @ApiPropertyOptional({ enum: ROLES, default: 'user' })
  @IsOptional()
  @IsIn(ROLES)
  role?: UserRole;
}

export class UpdateUserDto {
  @ApiPropertyOptional({ enum: ROLES, description: 'Changing it ends the user’s sessions' })
  @IsOptional()
  @IsIn(ROLES)
  role?: UserRole;

  @ApiPropertyOptional({ description: 'Disabling ends the user’s sessions at once' })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;
}

export class ResetPasswordDto {
  @ApiProperty({ example: 'Fresh-Start-2026!' })
  @IsString()
  @MaxLength(1024)
  newPassword!: string;
}

export class ListUsersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Case-insensitive part of the username', example: 'ali' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  username?: string;
}
