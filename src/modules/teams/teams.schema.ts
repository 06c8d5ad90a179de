import type { ModuleSchema } from '../../database/module-schema.js';
import { CreateAgentsTeamsTemplates1795661000000 } from './migrations/1795661000000-CreateAgentsTeamsTemplates.js';
import { RoleEntity } from './role.entity.js';
import { TeamMemberEntity } from './team-member.entity.js';
import { TeamTypeRoleLinkEntity } from './team-type-role-link.entity.js';
import { TeamTypeEntity } from './team-type.entity.js';
import { TeamEntity } from './team.entity.js';

/**
 * Team types, roles, links, teams and members. Its first migration predates per-module schemas and also
 * created the agents, templates, system job runs and rate-limit tables; it stays whole, since installations
 * have applied it by name.
 */
export const TEAMS_SCHEMA: ModuleSchema = {
  entities: [TeamTypeEntity, RoleEntity, TeamTypeRoleLinkEntity, TeamEntity, TeamMemberEntity],
  migrations: [CreateAgentsTeamsTemplates1795661000000],
};
