import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
} from 'class-validator';
import { type Scope, SCOPES } from '../../../common/auth/scopes.js';
import type { PersonalAccessTokenEntity } from './personal-access-token.entity.js';

export const MAX_TOKEN_DAYS = 365;
export const DEFAULT_TOKEN_DAYS = 30;

export class CreatePersonalTokenDto {
  @ApiProperty({ example: 'CI pipeline', description: 'What the token is for (shown in the list)' })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({
    type: [String],
    enum: SCOPES,
    example: ['tasks:read', 'tasks:write'],
    description:
      'What the token may do, never more than its owner may at the time; admin (every scope) only for administrators',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SCOPES.length)
  @ArrayUnique()
  @IsIn(SCOPES, { each: true })
  scopes!: Scope[];

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_TOKEN_DAYS, default: DEFAULT_TOKEN_DAYS })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_TOKEN_DAYS)
  expiresInDays?: number;
}

export class PersonalTokenDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ type: [String], enum: SCOPES }) scopes!: Scope[];
  @ApiProperty() expiresAt!: string;
  @ApiProperty({ nullable: true, type: String, description: 'Last use, to the minute' }) lastUsedAt!: string | null;
  @ApiProperty() createdAt!: string;
}

export class CreatedPersonalTokenDto extends PersonalTokenDto {
  @ApiProperty({
    example: 'pat_3q2-7wE…',
    description: 'The token itself: shown this once, the hub keeps only its hash. Send it as `Authorization: Bearer …`',
  })
  token!: string;
}

export const toPersonalTokenResponse = (token: PersonalAccessTokenEntity): PersonalTokenDto => ({
  id: token.id,
  name: token.name,
  scopes: token.scopes,
  expiresAt: token.expiresAt.toISOString(),
  lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
  createdAt: token.createdAt.toISOString(),
});
