import { Injectable } from '@nestjs/common';
import type { Principal } from '../../common/auth/principal.js';
import type { RequestContext } from '../../common/auth/request-context.js';
import { type Page, pageOf } from '../../common/http/pagination.dto.js';
import type { AuditOutcome } from './audit-log.entity.js';
import { AuditRepository } from './audit.repository.js';
import { type AuditEntryDto, toAuditEntry } from './dto/audit-entry.dto.js';
import type { ListAuditLogsQueryDto } from './dto/list-audit-logs.query.dto.js';
import { redactDetails } from './redact.js';

export interface AuditEvent {
  /** Dotted, past tense: `auth.login_succeeded`, `user.created`. */
  action: string;
  outcome?: AuditOutcome;
  targetType?: string;
  targetId?: string;
  /** For actions by nobody in particular (a failed login): whose name was tried. */
  username?: string;
  details?: Record<string, unknown>;
}

function actorOf(principal: Principal): { actorType: string; actorId: string | null; username: string | null } {
  switch (principal.kind) {
    case 'user':
      return { actorType: 'user', actorId: principal.id, username: principal.username };
    case 'agent':
      return { actorType: 'agent', actorId: principal.id, username: principal.name };
    case 'hub-token':
      return { actorType: 'hub-token', actorId: null, username: null };
    case 'metrics-scraper':
      return { actorType: 'metrics-token', actorId: null, username: null };
    case 'system':
      return { actorType: 'system', actorId: principal.id, username: null };
    case 'anonymous':
      return { actorType: 'anonymous', actorId: null, username: null };
  }
}

/** The audit trail every module writes to (SPEC section 9); details are redacted before they are stored. */
@Injectable()
export class AuditService {
  constructor(private readonly audit: AuditRepository) {}

  async record(ctx: RequestContext, event: AuditEvent): Promise<void> {
    const actor = actorOf(ctx.principal);
    await this.audit.append({
      ...actor,
      username: event.username ?? actor.username,
      ip: ctx.ip ?? null,
      action: event.action,
      outcome: event.outcome ?? 'success',
      targetType: event.targetType ?? null,
      targetId: event.targetId ?? null,
      requestId: ctx.requestId,
      details: redactDetails(event.details ?? {}) as Record<string, unknown>,
    });
  }

  /** The retention job: entries older than AUDIT_RETENTION_DAYS go; returns how many. */
  applyRetention(days: number): Promise<number> {
    return this.audit.deleteOlderThan(days);
  }

  async list(query: ListAuditLogsQueryDto): Promise<Page<AuditEntryDto>> {
    const [rows, total] = await this.audit.search({
      ...query,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
    });
    return pageOf(rows.map(toAuditEntry), total, query);
  }
}
