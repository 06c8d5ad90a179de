import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A runtime configuration value (SPEC section 9): any JSON, at most 64 KiB. */
@Entity({ name: 'config' })
export class ConfigEntryEntity {
  @PrimaryColumn({ type: 'varchar', length: 128, primaryKeyConstraintName: 'config_pkey' })
  key!: string;

  @Column({ type: 'jsonb' })
  value!: unknown;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
