import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { ScheduledTaskEntity } from './scheduled-task.entity.js';

/**
 * How a run ended: it made its task, it failed, the overlap policy held it back, or every instance was down at
 * its time and it fell outside the schedule's catch-up window.
 */
export type RunOutcome = 'succeeded' | 'failed' | 'skipped' | 'buffered' | 'missed';

/**
 * One run of a schedule. A timetable occurrence is unique per (schedule, scheduled time): inserting the row
 * claims it, so however many instances find it due, one creates the task. Manual runs ("run now") are
 * extra and never collide with each other or with the timetable.
 */
@Entity({ name: 'scheduled_task_runs' })
@Index('scheduled_task_runs_occurrence_key', ['scheduledTaskId', 'scheduledAt'], {
  unique: true,
  where: 'NOT "manual"',
})
@Index('scheduled_task_runs_scheduled_task_id_idx', ['scheduledTaskId', 'scheduledAt'])
// Every scheduler pass looks for held-back (and abandoned) timetable runs: a few rows among the whole history.
@Index('scheduled_task_runs_pending_idx', ['scheduledTaskId'], {
  where: `NOT "manual" AND ("outcome" IS NULL OR "outcome" = 'buffered')`,
})
export class ScheduledTaskRunEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'scheduled_task_runs_pkey' })
  id!: string;

  @Column({ name: 'scheduled_task_id', type: 'uuid' })
  scheduledTaskId!: string;

  @ManyToOne(() => ScheduledTaskEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'scheduled_task_id', foreignKeyConstraintName: 'scheduled_task_runs_scheduled_task_id_fkey' })
  scheduledTask?: Relation<ScheduledTaskEntity>;

  @Column({ name: 'scheduled_at', type: 'timestamptz' })
  scheduledAt!: Date;

  @Column({ type: 'boolean', default: false })
  manual!: boolean;

  @Column({ name: 'started_at', type: 'timestamptz', default: () => 'now()' })
  startedAt!: Date;

  @Column({ name: 'task_id', type: 'uuid', nullable: true })
  taskId!: string | null;

  /** Null while running; `skipped` and `buffered` by the overlap policy; `missed` outside the catch-up window. */
  @Column({ type: 'varchar', length: 16, nullable: true })
  outcome!: RunOutcome | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;
}
