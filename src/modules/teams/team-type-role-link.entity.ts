import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { TemplateEntity } from '../templates/template.entity.js';
import { RoleEntity } from './role.entity.js';
import { TeamTypeEntity } from './team-type.entity.js';

/** A role a team type allows, with an optional template specific to that type. */
@Entity({ name: 'team_type_role_links' })
@Index('team_type_role_links_role_id_idx', ['roleId'])
export class TeamTypeRoleLinkEntity {
  @PrimaryColumn({ name: 'team_type_id', type: 'uuid', primaryKeyConstraintName: 'team_type_role_links_pkey' })
  teamTypeId!: string;

  @PrimaryColumn({ name: 'role_id', type: 'uuid', primaryKeyConstraintName: 'team_type_role_links_pkey' })
  roleId!: string;

  @Column({ name: 'template_id', type: 'uuid', nullable: true })
  templateId!: string | null;

  @ManyToOne(() => TeamTypeEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'team_type_id', foreignKeyConstraintName: 'team_type_role_links_team_type_id_fkey' })
  teamType?: Relation<TeamTypeEntity>;

  @ManyToOne(() => RoleEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'role_id', foreignKeyConstraintName: 'team_type_role_links_role_id_fkey' })
  role?: Relation<RoleEntity>;

  @ManyToOne(() => TemplateEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'template_id', foreignKeyConstraintName: 'team_type_role_links_template_id_fkey' })
  template?: Relation<TemplateEntity>;
}
