import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { StatsSnapshotEntity } from './stats-snapshot.entity.js';

/** The stats snapshot table (SPEC section 9: history with retention). */
@Injectable()
export class StatsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

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
