import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { SendTrigger } from './send-trigger.js';

/** One attempt to send a day's summary, delivered or not: the extension's own table. */
@Entity({ name: 'daily_summary_deliveries' })
@Index('daily_summary_deliveries_sent_at_idx', ['sentAt'])
export class DailySummaryDeliveryEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'daily_summary_deliveries_pkey' })
  id!: string;

  /** The summarised UTC day. */
  @Column({ type: 'date' })
  day!: string;

  @Column({ type: 'varchar', length: 16 })
  trigger!: SendTrigger;

  @Column({ type: 'boolean' })
  delivered!: boolean;

  /** What the receiver answered; null when it was never reached. */
  @Column({ name: 'status_code', type: 'integer', nullable: true })
  statusCode!: number | null;

  @Column({ type: 'integer' })
  completed!: number;

  @CreateDateColumn({ name: 'sent_at', type: 'timestamptz' })
  sentAt!: Date;
}
