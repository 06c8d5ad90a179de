import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { AgentEntity } from '../agents/agent.entity.js';
import { TemplateEntity } from '../templates/template.entity.js';
import { RoleEntity } from './role.entity.js';
import { TeamEntity } from './team.entity.js';

/** An agent in a team, in one role; an agent is in a team at most once. */
@Entity({ name: 'team_members' })
@Index('team_members_team_id_agent_id_key', ['teamId', 'agentId'], { unique: true })
@Index('team_members_agent_id_idx', ['agentId'])
@Index('team_members_role_id_idx', ['roleId'])
export class TeamMemberEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'team_members_pkey' })
  id!: string;

  @Column({ name: 'team_id', type: 'uuid' })
  teamId!: string;

  @ManyToOne(() => TeamEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'team_id', foreignKeyConstraintName: 'team_members_team_id_fkey' })
  team?: Relation<TeamEntity>;

  @Column({ name: 'agent_id', type: 'uuid' })
  agentId!: string;

  @ManyToOne(() => AgentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'agent_id', foreignKeyConstraintName: 'team_members_agent_id_fkey' })
  agent?: Relation<AgentEntity>;

  @Column({ name: 'role_id', type: 'uuid' })
  roleId!: string;

  @ManyToOne(() => RoleEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'role_id', foreignKeyConstraintName: 'team_members_role_id_fkey' })
  role?: Relation<RoleEntity>;

  @Column({ name: 'custom_template_id', type: 'uuid', nullable: true })
  customTemplateId!: string | null;

  @ManyToOne(() => TemplateEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'custom_template_id', foreignKeyConstraintName: 'team_members_custom_template_id_fkey' })
  customTemplate?: Relation<TemplateEntity>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
