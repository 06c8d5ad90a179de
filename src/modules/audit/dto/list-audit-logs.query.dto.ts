import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../../common/http/pagination.dto.js';

export class ListAuditLogsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'auth.login_failed' }) @IsOptional() @IsString() @MaxLength(64) action?: string;

  @ApiPropertyOptional({ enum: ['user', 'agent', 'hub-token', 'system', 'anonymous'] })
  @IsOptional()
  @IsIn(['user', 'agent', 'hub-token', 'system', 'anonymous'])
  actorType?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) actorId?: string;
  @ApiPropertyOptional({ example: 'admin' }) @IsOptional() @IsString() @MaxLength(128) username?: string;
  @ApiPropertyOptional({ example: 'user' }) @IsOptional() @IsString() @MaxLength(32) targetType?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) targetId?: string;

  @ApiPropertyOptional({ enum: ['success', 'failure', 'denied'] })
  @IsOptional()
  @IsIn(['success', 'failure', 'denied'])
  outcome?: string;

  @ApiPropertyOptional({ description: 'ISO 8601; entries at or after', example: '2026-11-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'ISO 8601; entries at or before' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}
