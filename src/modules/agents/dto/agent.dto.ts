import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { AGENT_DEFAULT_SCOPES, type Scope } from '../../../common/auth/scopes.js';
import { PageQueryDto } from '../../../common/http/pagination.dto.js';
import { MaxJsonBytes } from '../../../common/http/byte-size.validators.js';
import { AGENT_STATUSES, type AgentEntity, type AgentStatus } from '../agent.entity.js';

const URL_OPTIONS = {
  protocols: ['http', 'https'],
  require_protocol: true,
  require_tld: false,
  allow_underscores: true,
};
const MAX_CONCURRENT_TASKS = 10_000;
const URL_MESSAGE = 'url must be an http:// or https:// URL';
const ROLE_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;
const ROLE_MESSAGE = 'role must be 1–32 lower-case letters, digits, "_" or "-", starting with a letter';

class AgentDescriptionDto {
  @ApiPropertyOptional({ example: 'worker', pattern: ROLE_PATTERN.source })
  @IsOptional()
  @Matches(ROLE_PATTERN, { message: ROLE_MESSAGE })
  role?: string;

  @ApiPropertyOptional({ type: [String], example: ['python', 'shell'], description: 'What the agent can do' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  capabilities?: string[];

  @ApiPropertyOptional({ example: '1.4.2' }) @IsOptional() @IsString() @MaxLength(64) version?: string;

  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    minimum: 1,
    maximum: MAX_CONCURRENT_TASKS,
    example: 4,
    description:
      'At most this many tasks assigned to the agent or in progress at once through claims; null removes the limit, leaving it out keeps the current one',
  })
  @IsOptional()
  @ValidateIf((_dto, value) => value !== null)
  @IsInt()
  @Min(1)
  @Max(MAX_CONCURRENT_TASKS)
  maxConcurrentTasks?: number | null;
}

export class RegisterAgentDto extends AgentDescriptionDto {
  @ApiProperty({ example: 'worker-alpha' }) @IsString() @Length(1, 128) name!: string;

  @ApiProperty({ example: 'http://worker-alpha:5001' })
  @IsUrl(URL_OPTIONS, { message: URL_MESSAGE })
  @MaxLength(2048)
  url!: string;

  @ApiPropertyOptional({ description: 'The token the hub sends when it calls this agent (stored encrypted)' })
  @IsOptional()
  @IsString()
  @Length(1, 4096)
  token?: string;

  @ApiPropertyOptional({ description: 'Issue a new agent key even though the agent is already registered' })
  @IsOptional()
  @IsBoolean()
  rotateKey?: boolean;
}

export class UpdateAgentDto extends AgentDescriptionDto {
  @ApiPropertyOptional({ example: 'worker-alpha' }) @IsOptional() @IsString() @Length(1, 128) name?: string;

  @ApiPropertyOptional({ enum: AGENT_STATUSES }) @IsOptional() @IsIn(AGENT_STATUSES) status?: AgentStatus;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'Outbound token; null removes it' })
  @IsOptional()
  @ValidateIf((_dto, value) => value !== null)
  @IsString()
  @Length(1, 4096)
  outboundToken?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: [String],
    enum: AGENT_DEFAULT_SCOPES,
    description:
      "What the agent's key may do (an agent is never an administrator); null restores the default, every scope but admin",
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(AGENT_DEFAULT_SCOPES.length)
  @ArrayUnique()
  @IsIn(AGENT_DEFAULT_SCOPES, { each: true })
  scopes?: Scope[] | null;
}

export class HeartbeatDto {
  @ApiPropertyOptional({ enum: ['online', 'busy'], default: 'online' })
  @IsOptional()
  @IsIn(['online', 'busy'])
  status?: 'online' | 'busy';

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { cpu: 0.42, runningTasks: 2 } })
  @IsOptional()
  @IsObject()
  @MaxJsonBytes(4096)
  load?: Record<string, unknown>;
}

export class ListAgentsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: AGENT_STATUSES }) @IsOptional() @IsIn(AGENT_STATUSES) status?: AgentStatus;
  @ApiPropertyOptional({ example: 'worker' })
  @IsOptional()
  @Matches(ROLE_PATTERN, { message: ROLE_MESSAGE })
  role?: string;
}

export class AgentResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'worker-alpha' }) name!: string;
  @ApiProperty({ example: 'http://worker-alpha:5001' }) url!: string;
  @ApiProperty({ example: 'worker' }) role!: string;
  @ApiProperty({ enum: AGENT_STATUSES }) status!: AgentStatus;
  @ApiProperty({ type: [String], example: ['python'] }) capabilities!: string[];
  @ApiProperty({ nullable: true, type: String, example: '1.4.2' }) version!: string | null;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true }) load!: object | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Claims never give the agent more tasks at once' })
  maxConcurrentTasks!: number | null;
  @ApiProperty({ type: [String], enum: AGENT_DEFAULT_SCOPES, description: "What the agent's key may do" })
  scopes!: readonly Scope[];
  @ApiProperty({ nullable: true, type: String }) lastSeenAt!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class RegistrationResponseDto {
  @ApiProperty({ type: AgentResponseDto }) agent!: AgentResponseDto;

  @ApiPropertyOptional({ description: 'Only when newly issued; shown once. Use as `Authorization: Bearer <key>`.' })
  agentKey?: string;
}

export class AgentKeyResponseDto {
  @ApiProperty({ description: 'Shown once; the previous key stopped working', example: 'ak_…' }) agentKey!: string;
}

/** Never includes the key hash or the outbound token. */
export const toAgentResponse = (agent: AgentEntity): AgentResponseDto => ({
  id: agent.id,
  name: agent.name,
  url: agent.url,
  role: agent.role,
  status: agent.status,
  capabilities: agent.capabilities,
  version: agent.version,
  load: agent.load,
  maxConcurrentTasks: agent.maxConcurrentTasks,
  scopes: agent.scopes ?? AGENT_DEFAULT_SCOPES,
  lastSeenAt: agent.lastSeenAt?.toISOString() ?? null,
  createdAt: agent.createdAt.toISOString(),
  updatedAt: agent.updatedAt.toISOString(),
});
