import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One `Idempotency-Key` of one caller on one route: "in progress" while `completed_at` is null, then the
 * answer to replay. The primary key is the claim: of concurrent requests with the same key, on any number
 * of instances, exactly one inserts the row and runs the handler.
 */
@Entity({ name: 'idempotency_keys' })
@Index('idempotency_keys_created_at_idx', ['createdAt'])
export class IdempotencyKeyEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'idempotency_keys_pkey' })
  scope!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'idempotency_keys_pkey' })
  route!: string;

  @PrimaryColumn({ type: 'varchar', length: 255, primaryKeyConstraintName: 'idempotency_keys_pkey' })
  key!: string;

  /** SHA-256 (hex) of the request body's canonical JSON. */
  @Column({ type: 'varchar', length: 64 })
  fingerprint!: string;

  /** The attempt that owns the row: only it may complete or release it. */
  @Column({ type: 'uuid' })
  attempt!: string;

  @Column({ name: 'status_code', type: 'integer', nullable: true })
  statusCode!: number | null;

  /** The handler's result as JSON, sealed with the at-rest key (it may carry a freshly issued agent key). */
  @Column({ name: 'response_sealed', type: 'text', nullable: true })
  responseSealed!: string | null;

  /** When the key was first used: it expires 24 hours later. */
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  /** When the owning attempt started: an attempt running far longer than any handler has died. */
  @Column({ name: 'started_at', type: 'timestamptz', default: () => 'now()' })
  startedAt!: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}
