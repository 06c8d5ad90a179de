import type { RoleEntity } from '../role.entity.js';
import type { TeamMemberEntity } from '../team-member.entity.js';
import type { TeamTypeEntity } from '../team-type.entity.js';
import type { TeamEntity } from '../team.entity.js';
import type {
  RoleLinkDto,
  RoleResponseDto,
  TeamMemberResponseDto,
  TeamResponseDto,
  TeamTypeResponseDto,
} from './teams.dto.js';

export const toRoleResponse = (role: RoleEntity): RoleResponseDto => ({
  id: role.id,
  name: role.name,
  description: role.description,
  defaultTemplateId: role.defaultTemplateId,
  createdAt: role.createdAt.toISOString(),
  updatedAt: role.updatedAt.toISOString(),
});

export const toTeamTypeResponse = (type: TeamTypeEntity, roles: RoleLinkDto[]): TeamTypeResponseDto => ({
  id: type.id,
  name: type.name,
  description: type.description,
  roles,
  createdAt: type.createdAt.toISOString(),
  updatedAt: type.updatedAt.toISOString(),
});

export const toMemberResponse = (member: TeamMemberEntity): TeamMemberResponseDto => ({
  id: member.id,
  teamId: member.teamId,
  agentId: member.agentId,
  roleId: member.roleId,
  customTemplateId: member.customTemplateId,
  createdAt: member.createdAt.toISOString(),
});

export const toTeamResponse = (team: TeamEntity, members: TeamMemberEntity[]): TeamResponseDto => ({
  id: team.id,
  name: team.name,
  description: team.description,
  teamTypeId: team.teamTypeId,
  isActive: team.isActive,
  members: members.map(toMemberResponse),
  createdAt: team.createdAt.toISOString(),
  updatedAt: team.updatedAt.toISOString(),
});
