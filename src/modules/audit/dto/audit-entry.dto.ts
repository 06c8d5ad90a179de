import { ApiProperty } from '@nestjs/swagger';
import type { AuditLogEntity, AuditOutcome } from '../audit-log.entity.js';

export class AuditEntryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '2026-11-25T10:00:00.000Z' }) at!: string;
  @ApiProperty({ enum: ['user', 'agent', 'hub-token', 'system', 'anonymous'], example: 'user' }) actorType!: string;
  @ApiProperty({ nullable: true, type: String, example: '5b0a3c38-3f7e-4f4b-9a55-7d8e0c1b2a11' }) actorId!:
    string | null;
  @ApiProperty({ nullable: true, type: String, example: 'admin' }) username!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '203.0.113.7' }) ip!: string | null;
  @ApiProperty({ example: 'auth.login_succeeded' }) action!: string;
  @ApiProperty({ nullable: true, type: String, example: 'user' }) targetType!: string | null;
  @ApiProperty({ nullable: true, type: String }) targetId!: string | null;
  @ApiProperty({ enum: ['success', 'failure', 'denied'] }) outcome!: AuditOutcome;
  @ApiProperty({ nullable: true, type: String }) requestId!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { role: 'admin' } }) details!: Record<
    string,
    unknown
  >;
}

export const toAuditEntry = (entry: AuditLogEntity): AuditEntryDto => ({
  id: entry.id,
  at: entry.at.toISOString(),
  actorType: entry.actorType,
  actorId: entry.actorId,
  username: entry.username,
  ip: entry.ip,
  action: entry.action,
  targetType: entry.targetType,
  targetId: entry.targetId,
  outcome: entry.outcome,
  requestId: entry.requestId,
  details: entry.details,
});
