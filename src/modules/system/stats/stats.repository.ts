import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { StatsSnapshotEntity } from './stats-snapshot.entity.js';

export type Counts = Record<string, number>;

/** Aggregate reads for statistics and metrics, and the snapshot table. */
@Injectable()
export class StatsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private async countBy(sql: string): Promise<Counts> {
    const rows = await this.dataSource.query<Array<{ key: string; count: string }>>(sql);
    return Object.fromEntries(rows.map((row) => [row.key, Number(row.count)]));
  }

  agentsByStatus(): Promise<Counts> {
    return this.countBy('SELECT status AS key, count(*) AS count FROM agents GROUP BY status');
  }

  tasksByStatus(): Promise<Counts> {
    return this.countBy('SELECT status AS key, count(*) AS count FROM tasks GROUP BY status');
  }

  deliveriesByStatus(): Promise<Counts> {
    return this.countBy('SELECT status AS key, count(*) AS count FROM callback_deliveries GROUP BY status');
  }

  schedulerRunsByOutcome(): Promise<Counts> {
    return this.countBy(
      `SELECT COALESCE(outcome, 'running') AS key, count(*) AS count FROM scheduled_task_runs GROUP BY 1`,
    );
  }

  async schedules(): Promise<{ total: number; enabled: number }> {
    const [row] = await this.dataSource.query<Array<{ total: string; enabled: string }>>(
      'SELECT count(*) AS total, count(*) FILTER (WHERE enabled) AS enabled FROM scheduled_tasks',
    );
    return { total: Number(row.total), enabled: Number(row.enabled) };
  }

  async saveSnapshot(stats: object): Promise<void> {
    await this.dataSource.getRepository(StatsSnapshotEntity).insert({ stats });
  }

  history(
    from: Date | undefined,
    to: Date | undefined,
    limit: number,
    offset: number,
  ): Promise<[StatsSnapshotEntity[], number]> {
    const query = this.dataSource.getRepository(StatsSnapshotEntity).createQueryBuilder('snapshot');
    if (from) {
      query.andWhere('snapshot.taken_at >= :from', { from });
    }
    if (to) {
      query.andWhere('snapshot.taken_at <= :to', { to });
    }
    return query.orderBy('snapshot.taken_at', 'DESC').take(limit).skip(offset).getManyAndCount();
  }

  async deleteSnapshotsOlderThan(days: number): Promise<number> {
    const [, count] = await this.dataSource.query<[unknown[], number]>(
      'DELETE FROM stats_snapshots WHERE taken_at < now() - make_interval(days => $1)',
      [days],
    );
    return count;
  }
}
