import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, MaxLength, MinLength } from 'class-validator';
import { UserResponseDto } from '../../users/dto/user.response.dto.js';

export class LoginDto {
  @ApiProperty({ example: 'admin' }) @IsString() @MinLength(1) @MaxLength(64) username!: string;
  @ApiProperty({ example: 'Correct-Horse-42!' }) @IsString() @MinLength(1) @MaxLength(1024) password!: string;

  @ApiPropertyOptional({ description: 'A current 6-digit TOTP code or a backup code', example: '123456' })
  @IsOptional()
  @IsString()
  @Length(6, 32)
  mfaCode?: string;
}

export class RefreshTokenDto {
  @ApiProperty({ description: 'The refresh token from login or the last refresh' })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  refreshToken!: string;
}

export class TokenPairDto {
  @ApiProperty({ description: 'Send as `Authorization: Bearer <accessToken>`' }) accessToken!: string;
  @ApiProperty({ description: 'Opaque; exchange at /api/auth/refresh (single use)' }) refreshToken!: string;
  @ApiProperty({ enum: ['Bearer'], example: 'Bearer' }) tokenType!: 'Bearer';
  @ApiProperty({ example: 900, description: 'Seconds until the access token expires' }) expiresIn!: number;
  @ApiProperty({ type: UserResponseDto }) user!: UserResponseDto;
}

/** Either the token pair, or (for an MFA user who sent no code) only `mfaRequired: true`. */
export class LoginResponseDto {
  @ApiPropertyOptional({ description: 'Present (true) only when a code is needed; no tokens are issued then' })
  mfaRequired?: true;
  @ApiPropertyOptional() accessToken?: string;
  @ApiPropertyOptional() refreshToken?: string;
  @ApiPropertyOptional({ enum: ['Bearer'] }) tokenType?: 'Bearer';
  @ApiPropertyOptional({ example: 900 }) expiresIn?: number;
  @ApiPropertyOptional({ type: UserResponseDto }) user?: UserResponseDto;
}
