import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One periodic snapshot of the live statistics (SPEC section 9). */
@Entity({ name: 'stats_snapshots' })
@Index('stats_snapshots_taken_at_idx', ['takenAt'])
export class StatsSnapshotEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'stats_snapshots_pkey' })
  id!: string;

  @Column({ name: 'taken_at', type: 'timestamptz', default: () => 'now()' })
  takenAt!: Date;

  @Column({ type: 'jsonb' })
  stats!: object;
}
