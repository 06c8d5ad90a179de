import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { RoleEntity } from '../../src/modules/teams/role.entity.js';
import { RolesRepository } from '../../src/modules/teams/roles.repository.js';
import { TeamMemberEntity } from '../../src/modules/teams/team-member.entity.js';
import { TeamEntity } from '../../src/modules/teams/team.entity.js';
import { TeamsRepository } from '../../src/modules/teams/teams.repository.js';

let sequence = 0;
const unique = (prefix: string): string => {
  sequence += 1;
  return `${prefix}${sequence}-${randomBytes(3).toString('hex')}`;
};

const teamsRepository = (source: DataSource): TeamsRepository =>
  new TeamsRepository(source.getRepository(TeamEntity), source.getRepository(TeamMemberEntity));

/** Creates an inactive team without a type through the hub's own repository; the stored team. */
export const createTeam = (source: DataSource, overrides: { name?: string } = {}): Promise<TeamEntity> =>
  teamsRepository(source).save({ name: overrides.name ?? unique('team'), description: null, teamTypeId: null });

/** Creates a role without a default template; the stored role. */
export const createRole = (source: DataSource, overrides: { name?: string } = {}): Promise<RoleEntity> =>
  new RolesRepository(source.getRepository(RoleEntity)).create({
    name: overrides.name ?? unique('role'),
    description: null,
    defaultTemplateId: null,
  });

/** Puts the agent into the team in the role (the teams module checks role and type; this does not). */
export const addMember = (
  source: DataSource,
  member: { teamId: string; agentId: string; roleId: string },
): Promise<TeamMemberEntity> => teamsRepository(source).addMember({ ...member, customTemplateId: null });
