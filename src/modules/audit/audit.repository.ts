import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AuditLogEntity } from './audit-log.entity.js';

export type AuditInsert = Omit<AuditLogEntity, 'id' | 'at'>;

export interface AuditSearch {
  action?: string;
  actorType?: string;
  actorId?: string;
  username?: string;
  targetType?: string;
  targetId?: string;
  outcome?: string;
  from?: Date;
  to?: Date;
  limit: number;
  offset: number;
}

/** Append and read only: there is deliberately no update or delete here (retention is a system job). */
@Injectable()
export class AuditRepository {
  constructor(@InjectRepository(AuditLogEntity) private readonly repository: Repository<AuditLogEntity>) {}

  async append(entry: AuditInsert): Promise<void> {
    await this.repository.save(this.repository.create(entry), { reload: false });
  }

  search(filter: AuditSearch): Promise<[AuditLogEntity[], number]> {
    const query = this.repository.createQueryBuilder('log');
    const equal = ['action', 'actorType', 'actorId', 'username', 'targetType', 'targetId', 'outcome'] as const;
    for (const field of equal) {
      const value = filter[field];
      if (value !== undefined) {
        query.andWhere(`log.${field} = :${field}`, { [field]: value });
      }
    }
    if (filter.from) {
      query.andWhere('log.at >= :from', { from: filter.from });
    }
    if (filter.to) {
      query.andWhere('log.at <= :to', { to: filter.to });
    }
    return query
      .orderBy('log.at', 'DESC')
      .addOrderBy('log.id', 'DESC')
      .take(filter.limit)
      .skip(filter.offset)
      .getManyAndCount();
  }

  /** The retention job, the only deletion there is: entries older than `days`. */
  async deleteOlderThan(days: number): Promise<number> {
    const [, count] = await this.repository.query<[unknown[], number]>(
      'DELETE FROM audit_logs WHERE at < now() - make_interval(days => $1)',
      [days],
    );
    return count;
  }
}
