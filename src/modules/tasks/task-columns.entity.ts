import { Column, CreateDateColumn, UpdateDateColumn } from 'typeorm';
import type { FailureReason, TaskPriority, TaskStatus } from './task-status.js';

/** One entry of a task's history (newest 200 kept). */
export interface TaskHistoryEntry {
  at: string;
  type: string;
  actor: { type: string; id: string | null; name: string | null };
  details: Record<string, unknown>;
}

/**
 * The columns `tasks` and `archived_tasks` share (SPEC section 7: the archive has the same columns plus
 * `archivedAt`). Subclasses add the primary key, foreign keys and indexes.
 */
export const STATUS_CHECK = `"status" IN ('todo', 'assigned', 'in_progress', 'blocked', 'completed', 'failed', 'cancelled')`;
export const PRIORITY_CHECK = `"priority" IN ('low', 'medium', 'high', 'critical')`;

export abstract class TaskColumns {
  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'varchar', length: 16, default: 'todo' })
  status!: TaskStatus;

  @Column({ type: 'varchar', length: 8, default: 'medium' })
  priority!: TaskPriority;

  @Column({ name: 'team_id', type: 'uuid', nullable: true })
  teamId!: string | null;

  @Column({ name: 'assigned_agent_id', type: 'uuid', nullable: true })
  assignedAgentId!: string | null;

  @Column({ name: 'assigned_role_id', type: 'uuid', nullable: true })
  assignedRoleId!: string | null;

  @Column({ name: 'parent_task_id', type: 'uuid', nullable: true })
  parentTaskId!: string | null;

  @Column({ name: 'depends_on', type: 'uuid', array: true, default: () => "'{}'" })
  dependsOn!: string[];

  @Column({ type: 'jsonb', default: () => "'[]'" })
  history!: TaskHistoryEntry[];

  @Column({ name: 'last_output', type: 'text', nullable: true })
  lastOutput!: string | null;

  @Column({ name: 'last_exit_code', type: 'integer', nullable: true })
  lastExitCode!: number | null;

  @Column({ name: 'callback_url', type: 'varchar', length: 2048, nullable: true })
  callbackUrl!: string | null;

  /** Sealed with the at-rest key; never returned. */
  @Column({ name: 'callback_secret_sealed', type: 'text', nullable: true })
  callbackSecretSealed!: string | null;

  @Column({ type: 'integer', default: 1 })
  version!: number;

  @Column({ name: 'lease_holder_id', type: 'uuid', nullable: true })
  leaseHolderId!: string | null;

  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt!: Date | null;

  /** How many attempts the task gets: failures, expired leases and timeouts each use one (when above 1). */
  @Column({ name: 'max_attempts', type: 'integer', default: 1 })
  maxAttempts!: number;

  /** The attempt under way or next, from 1. */
  @Column({ type: 'integer', default: 1 })
  attempt!: number;

  /** The first retry's delay; each further one doubles it (capped), with jitter. */
  @Column({ name: 'retry_backoff_seconds', type: 'integer', default: 10 })
  retryBackoffSeconds!: number;

  /** How long an attempt may stay `in_progress` before the hub fails it (`timed_out`); null: no limit. */
  @Column({ name: 'timeout_seconds', type: 'integer', nullable: true })
  timeoutSeconds!: number | null;

  /** Not claimable before this moment (a retry's backoff); null: at once. */
  @Column({ name: 'available_at', type: 'timestamptz', nullable: true })
  availableAt!: Date | null;

  /** When the current attempt went `in_progress` (what a timeout counts from). */
  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  /** Why the hub failed the task: `attempts_exhausted` or `timed_out`; null otherwise. */
  @Column({ name: 'failure_reason', type: 'varchar', length: 32, nullable: true })
  failureReason!: FailureReason | null;

  /** Tasks sharing a key count together against its concurrency limit (`/api/concurrency-limits`). */
  @Column({ name: 'concurrency_key', type: 'varchar', length: 100, nullable: true })
  concurrencyKey!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
