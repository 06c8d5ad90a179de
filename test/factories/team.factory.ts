import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { RoleEntity } from '../../src/modules/teams/role.entity.js';
import { RolesRepository } from '../../src/modules/teams/roles.repository.js';
import { TeamMemberEntity } from '../../src/modules/teams/team-member.entity.js';
import { TeamTypeRoleLinkEntity } from '../../src/modules/teams/team-type-role-link.entity.js';
import { TeamTypeEntity } from '../../src/modules/teams/team-type.entity.js';
import { TeamTypesRepository } from '../../src/modules/teams/team-types.repository.js';
import { TeamEntity } from '../../src/modules/teams/team.entity.js';
import { TeamsRepository } from '../../src/modules/teams/teams.repository.js';

let sequence = 0;
const unique = (prefix: string): string => {
  sequence += 1;
  return `${prefix}${sequence}-${randomBytes(3).toString('hex')}`;
};

export const teamsRepository = (source: DataSource): TeamsRepository =>
  new TeamsRepository(source.getRepository(TeamEntity), source.getRepository(TeamMemberEntity));

export const teamTypesRepository = (source: DataSource): TeamTypesRepository =>
  new TeamTypesRepository(source.getRepository(TeamTypeEntity), source.getRepository(TeamTypeRoleLinkEntity));

/** Creates an inactive team (without a type unless given) through the hub's own repository; the stored team. */
export const createTeam = (
  source: DataSource,
  overrides: { name?: string; teamTypeId?: string | null } = {},
): Promise<TeamEntity> =>
  teamsRepository(source).save({
    name: overrides.name ?? unique('team'),
    description: null,
    teamTypeId: overrides.teamTypeId ?? null,
  });

/** Creates a role (without a default template unless given); the stored role. */
export const createRole = (
  source: DataSource,
  overrides: { name?: string; defaultTemplateId?: string | null } = {},
): Promise<RoleEntity> =>
  new RolesRepository(source.getRepository(RoleEntity)).create({
    name: overrides.name ?? unique('role'),
    description: null,
    defaultTemplateId: overrides.defaultTemplateId ?? null,
  });

/** Creates a team type without links; the stored type. */
export const createTeamType = (source: DataSource, overrides: { name?: string } = {}): Promise<TeamTypeEntity> =>
  teamTypesRepository(source).create({ name: overrides.name ?? unique('type'), description: null });

/** Lets teams of the type take the role, with a per-type template when given. */
export const linkRole = (
  source: DataSource,
  link: { teamTypeId: string; roleId: string; templateId?: string | null },
): Promise<void> => teamTypesRepository(source).link(link.teamTypeId, link.roleId, link.templateId ?? null);

/** Puts the agent into the team in the role (the teams module checks role and type; this does not). */
export const addMember = (
  source: DataSource,
  member: { teamId: string; agentId: string; roleId: string; customTemplateId?: string | null },
): Promise<TeamMemberEntity> =>
  teamsRepository(source).addMember({ ...member, customTemplateId: member.customTemplateId ?? null });
