import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'banned_ips' })
export class BannedIpEntity {
  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'banned_ips_pkey' })
  ip!: string;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ name: 'banned_until', type: 'timestamptz' })
  bannedUntil!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
