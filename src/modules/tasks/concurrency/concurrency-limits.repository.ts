import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CLAIMABLE_CHANNEL } from '../claim-wakeups.service.js';
import { ConcurrencyLimitEntity } from './concurrency-limit.entity.js';

/** A limit's subject: a concurrency key, or a team. */
export type LimitSubject = { concurrencyKey: string; teamId?: never } | { teamId: string; concurrencyKey?: never };

export type LimitWithActive = ConcurrencyLimitEntity & { active: number };

const SELECT_WITH_ACTIVE = `SELECT l.id, l.concurrency_key AS "concurrencyKey", l.team_id AS "teamId",
    l.max_active AS "maxActive", l.created_at AS "createdAt", l.updated_at AS "updatedAt",
    CASE WHEN l.concurrency_key IS NOT NULL
      THEN (SELECT count(*)::int FROM tasks a
        WHERE a.concurrency_key = l.concurrency_key AND a.status IN ('assigned', 'in_progress'))
      ELSE (SELECT count(*)::int FROM tasks a WHERE a.team_id = l.team_id AND a.status IN ('assigned', 'in_progress'))
    END AS active
  FROM concurrency_limits l`;

const subjectColumn = (subject: LimitSubject): string =>
  subject.concurrencyKey === undefined ? 'team_id' : 'concurrency_key';

const subjectValue = (subject: LimitSubject): string => subject.concurrencyKey ?? subject.teamId;

/** The limits the claim statement reads (`TaskQueueRepository`); writes wake waiting claims, as room may be free. */
@Injectable()
export class ConcurrencyLimitsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(limit: number, offset: number): Promise<[LimitWithActive[], number]> {
    const [rows, [{ total }]] = await Promise.all([
      this.dataSource.query<LimitWithActive[]>(
        `${SELECT_WITH_ACTIVE} ORDER BY l.concurrency_key NULLS LAST, l.team_id, l.id LIMIT $1 OFFSET $2`,
        [limit, offset],
      ),
      this.dataSource.query<Array<{ total: number }>>(`SELECT count(*)::int AS total FROM concurrency_limits`),
    ]);
    return [rows, total];
  }

  async get(subject: LimitSubject): Promise<LimitWithActive | null> {
    const [row] = await this.dataSource.query<LimitWithActive[]>(
      `${SELECT_WITH_ACTIVE} WHERE l.${subjectColumn(subject)} = $1`,
      [subjectValue(subject)],
    );
    return row ?? null;
  }

  /** Creates or changes the subject's limit; resolves to the previous one (null when there was none). */
  async set(subject: LimitSubject, maxActive: number): Promise<number | null> {
    const column = subjectColumn(subject);
    return this.dataSource.transaction(async (manager) => {
      const [previous] = await manager.query<Array<{ max_active: number }>>(
        `SELECT max_active FROM concurrency_limits WHERE ${column} = $1 FOR UPDATE`,
        [subjectValue(subject)],
      );
      await manager.query(
        `INSERT INTO concurrency_limits (${column}, max_active) VALUES ($1, $2)
         ON CONFLICT (${column}) DO UPDATE SET max_active = EXCLUDED.max_active, updated_at = now()`,
        [subjectValue(subject), maxActive],
      );
      await manager.query(`SELECT pg_notify($1, '')`, [CLAIMABLE_CHANNEL]);
      return previous?.max_active ?? null;
    });
  }

  /** Removes the subject's limit; resolves to whether there was one. */
  async delete(subject: LimitSubject): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const [, affected] = await manager.query<[unknown, number]>(
        `DELETE FROM concurrency_limits WHERE ${subjectColumn(subject)} = $1`,
        [subjectValue(subject)],
      );
      await manager.query(`SELECT pg_notify($1, '')`, [CLAIMABLE_CHANNEL]);
      return affected > 0;
    });
  }
}
