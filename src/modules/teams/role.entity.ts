import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
  UpdateDateColumn,
} from 'typeorm';
import { TemplateEntity } from '../templates/template.entity.js';

@Entity({ name: 'roles' })
@Index('roles_name_key', ['name'], { unique: true })
export class RoleEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'roles_pkey' })
  id!: string;

  @Column({ type: 'varchar', length: 128 })
  name!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ name: 'default_template_id', type: 'uuid', nullable: true })
  defaultTemplateId!: string | null;

  @ManyToOne(() => TemplateEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'default_template_id', foreignKeyConstraintName: 'roles_default_template_id_fkey' })
  defaultTemplate?: Relation<TemplateEntity>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
