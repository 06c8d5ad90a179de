import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { createAgent } from '../../../test/factories/agent.factory.js';
import { addMember, createRole, createTeam, createTeamType, linkRole } from '../../../test/factories/team.factory.js';
import { openTestInstances, type TestInstances } from '../../../test/utils/test-database.js';
import { RoleEntity } from './role.entity.js';
import { RolesRepository } from './roles.repository.js';

describe(RolesRepository.name, () => {
  let instances: TestInstances;
  let source: DataSource;
  let roles: RolesRepository;

  beforeAll(async () => {
    instances = await openTestInstances();
    [source] = instances.sources;
    roles = new RolesRepository(source.getRepository(RoleEntity));
  });
  afterAll(async () => {
    await instances.close();
  });

  describe('usage', () => {
    it('names the types that link the role and the members that hold it, until neither is left', async () => {
      const role = await createRole(source);
      const [type, second] = [await createTeamType(source), await createTeamType(source)];
      await linkRole(source, { teamTypeId: type.id, roleId: role.id });
      await linkRole(source, { teamTypeId: second.id, roleId: role.id });
      const team = await createTeam(source);
      const member = await addMember(source, {
        teamId: team.id,
        agentId: (await createAgent(source)).id,
        roleId: role.id,
      });
      const bystander = await createRole(source);
      await linkRole(source, { teamTypeId: type.id, roleId: bystander.id });
      await addMember(source, { teamId: team.id, agentId: (await createAgent(source)).id, roleId: bystander.id });

      const usage = await roles.usage(role.id);
      expect({ ...usage, teamTypeIds: usage.teamTypeIds.sort() }).toEqual({
        teamTypeIds: [type.id, second.id].sort(),
        teamMemberIds: [member.id],
      });

      await source.query('DELETE FROM team_members WHERE id = $1', [member.id]);
      await source.query('DELETE FROM team_type_role_links WHERE team_type_id = $1 AND role_id = $2', [
        type.id,
        role.id,
      ]);
      expect(await roles.usage(role.id)).toEqual({ teamTypeIds: [second.id], teamMemberIds: [] });
      await source.query('DELETE FROM team_type_role_links WHERE role_id = $1', [role.id]);
      expect(await roles.usage(role.id)).toEqual({ teamTypeIds: [], teamMemberIds: [] });
    });

    it('counts a member whose role no type links', async () => {
      const role = await createRole(source);
      const member = await addMember(source, {
        teamId: (await createTeam(source)).id,
        agentId: (await createAgent(source)).id,
        roleId: role.id,
      });
      expect(await roles.usage(role.id)).toEqual({ teamTypeIds: [], teamMemberIds: [member.id] });
    });
  });

  describe('delete', () => {
    it('removes a role nothing uses', async () => {
      const role = await createRole(source);
      await roles.delete(role.id);
      expect(await roles.getById(role.id)).toBeNull();
    });
  });
});
