import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'dead';

/**
 * The outbox of task callbacks: written in the same transaction as the status change, sent by the
 * callback worker, retried with backoff until delivered or dead. Survives restarts.
 */
@Entity({ name: 'callback_deliveries' })
@Index('callback_deliveries_task_id_idx', ['taskId', 'createdAt'])
@Index('callback_deliveries_due_idx', ['nextAttemptAt'], { where: `"status" IN ('pending', 'failed')` })
@Check('callback_deliveries_status_check', `"status" IN ('pending', 'delivered', 'failed', 'dead')`)
export class CallbackDeliveryEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'callback_deliveries_pkey' })
  id!: string;

  @Column({ name: 'task_id', type: 'uuid' })
  taskId!: string;

  @Column({ type: 'varchar', length: 64 })
  event!: string;

  @Column({ type: 'varchar', length: 2048 })
  url!: string;

  /** The exact JSON body that is signed and sent. */
  @Column({ type: 'text' })
  body!: string;

  @Column({ name: 'secret_sealed', type: 'text' })
  secretSealed!: string;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: DeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_status_code', type: 'integer', nullable: true })
  lastStatusCode!: number | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt!: Date;

  /** A worker's claim; another instance may take the delivery only after it passed. */
  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil!: Date | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
