import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One failed authentication attempt from a client IP; the per-IP windows count these rows. */
@Entity({ name: 'login_attempts' })
@Index('login_attempts_ip_attempted_at_idx', ['ip', 'attemptedAt'])
@Index('login_attempts_attempted_at_idx', ['attemptedAt'])
export class LoginAttemptEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', primaryKeyConstraintName: 'login_attempts_pkey' })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  ip!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  username!: string | null;

  @CreateDateColumn({ name: 'attempted_at', type: 'timestamptz' })
  attemptedAt!: Date;
}
