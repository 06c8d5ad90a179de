import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../../common/auth/request-context.js';
import { NotFoundError } from '../../../common/errors/domain-errors.js';
import { type Page, pageOf, type PageQueryDto } from '../../../common/http/pagination.dto.js';
import { AuditService } from '../../audit/audit.service.js';
import { TeamsService } from '../../teams/teams.service.js';
import { type ConcurrencyLimitDto, toConcurrencyLimitResponse } from './concurrency-limit.dto.js';
import { ConcurrencyLimitsRepository, type LimitSubject } from './concurrency-limits.repository.js';

const notFound = (): NotFoundError => new NotFoundError('concurrency_limit');

/** Administrators set how many tasks of a concurrency key, or of a team, claims may have under way at once. */
@Injectable()
export class ConcurrencyLimitsService {
  constructor(
    private readonly limits: ConcurrencyLimitsRepository,
    private readonly teams: TeamsService,
    private readonly audit: AuditService,
  ) {}

  async list(query: PageQueryDto): Promise<Page<ConcurrencyLimitDto>> {
    const [rows, total] = await this.limits.list(query.limit, query.offset);
    return pageOf(rows.map(toConcurrencyLimitResponse), total, query);
  }

  async get(subject: LimitSubject): Promise<ConcurrencyLimitDto> {
    const limit = await this.limits.get(subject);
    if (!limit) {
      throw notFound();
    }
    return toConcurrencyLimitResponse(limit);
  }

  async set(ctx: RequestContext, subject: LimitSubject, maxActive: number): Promise<ConcurrencyLimitDto> {
    if (subject.teamId !== undefined && !(await this.teams.exists(subject.teamId))) {
      throw new NotFoundError('team');
    }
    const previous = await this.limits.set(subject, maxActive);
    await this.audit.record(ctx, {
      action: 'concurrency_limit.set',
      ...target(subject),
      details: { limit: maxActive, previous },
    });
    return this.get(subject);
  }

  async remove(ctx: RequestContext, subject: LimitSubject): Promise<void> {
    if (!(await this.limits.delete(subject))) {
      throw notFound();
    }
    await this.audit.record(ctx, { action: 'concurrency_limit.deleted', ...target(subject) });
  }
}

const target = (subject: LimitSubject): { targetType: string; targetId: string } =>
  subject.teamId === undefined
    ? { targetType: 'concurrency_key', targetId: subject.concurrencyKey }
    : { targetType: 'team', targetId: subject.teamId };
