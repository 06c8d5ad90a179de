import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A fixed-window request counter shared by every hub instance (an UNLOGGED table: losing it is harmless). */
@Entity({ name: 'rate_limit_buckets' })
export class RateLimitBucketEntity {
  @PrimaryColumn({ type: 'varchar', length: 256, primaryKeyConstraintName: 'rate_limit_buckets_pkey' })
  key!: string;

  @Column({ type: 'integer' })
  hits!: number;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
