import { Check, Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One thing that happened, written by triggers in the transaction that made it happen (migration
 * `CreateHubEvents`), so an acknowledged change always has its event and a rolled-back one never does.
 * `tx` is the writing transaction's id: events are read in (tx, id) order and only below the oldest running
 * transaction, which makes that order final — nothing can later appear before an event already delivered.
 */
@Entity({ name: 'hub_events' })
@Index('hub_events_position_idx', ['tx', 'id'], { unique: true })
@Index('hub_events_occurred_at_idx', ['occurredAt'])
export class HubEventEntity {
  @PrimaryGeneratedColumn('identity', {
    type: 'bigint',
    generatedIdentity: 'ALWAYS',
    primaryKeyConstraintName: 'hub_events_pkey',
  })
  id!: string;

  /** `pg_current_xact_id()` of the writing transaction, as a number (TypeORM knows no `xid8`). */
  @Column({ type: 'bigint' })
  tx!: string;

  @Column({ type: 'varchar', length: 40 })
  type!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz', default: () => 'now()' })
  occurredAt!: Date;

  @Column({ name: 'task_id', type: 'uuid', nullable: true })
  taskId!: string | null;

  @Column({ name: 'team_id', type: 'uuid', nullable: true })
  teamId!: string | null;

  @Column({ name: 'agent_id', type: 'uuid', nullable: true })
  agentId!: string | null;

  @Column({ name: 'schedule_id', type: 'uuid', nullable: true })
  scheduleId!: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  data!: Record<string, unknown>;
}

/**
 * The position of the newest event the retention job deleted: a stream resuming from before it has lost
 * events and is told so (`events.truncated`) instead of silently skipping them.
 */
@Entity({ name: 'hub_event_horizon' })
@Check('hub_event_horizon_one_row', '"slot" = 1')
export class HubEventHorizonEntity {
  @PrimaryColumn({ type: 'smallint', default: 1, primaryKeyConstraintName: 'hub_event_horizon_pkey' })
  slot!: number;

  @Column({ type: 'bigint' })
  tx!: string;

  @Column({ name: 'event_id', type: 'bigint' })
  eventId!: string;
}
