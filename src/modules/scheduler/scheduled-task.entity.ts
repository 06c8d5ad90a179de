import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { RunOutcome } from './scheduled-task-run.entity.js';

/** What each run creates; an optional field may also be null (stored as sent), which means "not set". */
export interface TaskBlueprint {
  title: string;
  description?: string | null;
  priority?: 'low' | 'medium' | 'high' | 'critical' | null;
  teamId?: string | null;
  assignedRoleId?: string | null;
  templateId?: string | null;
  variables?: Record<string, string | number | boolean> | null;
}

/**
 * `allow`: run regardless; `skip`: record the occurrence as skipped; `buffer_one`: hold one occurrence back and
 * run it once the previous task finishes (further ones are skipped meanwhile).
 */
export const OVERLAP_POLICIES = ['allow', 'skip', 'buffer_one'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/** A schedule (SPEC section 8): a cron expression in a time zone, or a fixed interval. */
@Entity({ name: 'scheduled_tasks' })
@Index('scheduled_tasks_due_idx', ['nextRunAt'], { where: '"enabled"' })
@Check('scheduled_tasks_catchup_window_check', `"catchup_window_seconds" >= 0`)
@Check('scheduled_tasks_trigger_check', `("cron" IS NULL) <> ("interval_seconds" IS NULL)`)
export class ScheduledTaskEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'scheduled_tasks_pkey' })
  id!: string;

  @Column({ type: 'varchar', length: 128 })
  name!: string;

  @Column({ type: 'varchar', length: 128, nullable: true })
  cron!: string | null;

  @Column({ type: 'varchar', length: 64, default: 'UTC' })
  timezone!: string;

  @Column({ name: 'interval_seconds', type: 'integer', nullable: true })
  intervalSeconds!: number | null;

  @Column({ type: 'jsonb' })
  task!: TaskBlueprint;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @Column({ name: 'next_run_at', type: 'timestamptz', nullable: true })
  nextRunAt!: Date | null;

  @Column({ name: 'last_run_at', type: 'timestamptz', nullable: true })
  lastRunAt!: Date | null;

  @Column({ name: 'last_outcome', type: 'varchar', length: 16, nullable: true })
  lastOutcome!: RunOutcome | null;

  /** What an occurrence does while the previous occurrence's task is unfinished. */
  @Column({ name: 'overlap_policy', type: 'varchar', length: 16, default: 'allow' })
  overlapPolicy!: OverlapPolicy;

  /**
   * Null: after downtime the schedule runs once (SPEC section 8). Seconds: each occurrence missed less than this
   * long ago runs once, older ones are recorded as `missed`.
   */
  @Column({ name: 'catchup_window_seconds', type: 'integer', nullable: true })
  catchupWindowSeconds!: number | null;

  @Column({ name: 'created_by', type: 'varchar', length: 128, nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
