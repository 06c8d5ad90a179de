import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  type Relation,
  UpdateDateColumn,
} from 'typeorm';
import { TeamEntity } from '../../teams/team.entity.js';

/**
 * At most `maxActive` tasks with this concurrency key, or of this team, `assigned` or `in_progress` at once
 * through claims. Exactly one of `concurrencyKey` and `teamId` is set.
 */
@Entity({ name: 'concurrency_limits' })
@Index('concurrency_limits_concurrency_key_key', ['concurrencyKey'], { unique: true })
@Index('concurrency_limits_team_id_key', ['teamId'], { unique: true })
@Check('concurrency_limits_one_subject_check', `("concurrency_key" IS NULL) <> ("team_id" IS NULL)`)
@Check('concurrency_limits_max_active_check', `"max_active" >= 0`)
export class ConcurrencyLimitEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'concurrency_limits_pkey' })
  id!: string;

  @Column({ name: 'concurrency_key', type: 'varchar', length: 100, nullable: true })
  concurrencyKey!: string | null;

  @Column({ name: 'team_id', type: 'uuid', nullable: true })
  teamId!: string | null;

  @ManyToOne(() => TeamEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'team_id', foreignKeyConstraintName: 'concurrency_limits_team_id_fkey' })
  team?: Relation<TeamEntity>;

  /** 0 holds every task of the key or team back (a pause). */
  @Column({ name: 'max_active', type: 'integer' })
  maxActive!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** The next fair rank of each concurrency key (written by the trigger `tasks_fair_rank` only). */
@Entity({ name: 'concurrency_key_ranks' })
export class ConcurrencyKeyRankEntity {
  @PrimaryColumn({
    name: 'concurrency_key',
    type: 'varchar',
    length: 100,
    primaryKeyConstraintName: 'concurrency_key_ranks_pkey',
  })
  concurrencyKey!: string;

  @Column({ name: 'next_rank', type: 'bigint' })
  nextRank!: string;
}
