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
import { TeamTypeEntity } from './team-type.entity.js';

@Entity({ name: 'teams' })
@Index('teams_name_key', ['name'], { unique: true })
@Index('teams_team_type_id_idx', ['teamTypeId'])
@Index('teams_single_active_key', { synchronize: false }) // partial unique index, see the migration
export class TeamEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'teams_pkey' })
  id!: string;

  @Column({ type: 'varchar', length: 128 })
  name!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ name: 'team_type_id', type: 'uuid', nullable: true })
  teamTypeId!: string | null;

  @ManyToOne(() => TeamTypeEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'team_type_id', foreignKeyConstraintName: 'teams_team_type_id_fkey' })
  teamType?: Relation<TeamTypeEntity>;

  @Column({ name: 'is_active', type: 'boolean', default: false })
  isActive!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
