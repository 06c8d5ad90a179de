import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One claimed tick of a system job. The primary key (job, fire time) is the claim: of all instances whose
 * timers fire for the same slot, exactly one inserts the row and runs the job.
 */
@Entity({ name: 'system_job_runs' })
export class SystemJobRunEntity {
  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'system_job_runs_pkey' })
  job!: string;

  @PrimaryColumn({ name: 'fire_at', type: 'timestamptz', primaryKeyConstraintName: 'system_job_runs_pkey' })
  fireAt!: Date;

  @Column({ type: 'varchar', length: 128 })
  instance!: string;

  @Column({ name: 'started_at', type: 'timestamptz', default: () => 'now()' })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  outcome!: 'succeeded' | 'failed' | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;
}
