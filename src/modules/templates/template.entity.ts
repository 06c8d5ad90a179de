import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A prompt template with `{{variable}}` placeholders (SPEC section 6). */
@Entity({ name: 'templates' })
@Index('templates_name_key', ['name'], { unique: true })
export class TemplateEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'templates_pkey' })
  id!: string;

  @Column({ type: 'varchar', length: 128 })
  name!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ name: 'prompt_template', type: 'text' })
  promptTemplate!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
