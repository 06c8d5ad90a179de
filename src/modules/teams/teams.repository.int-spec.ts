import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { createAgent } from '../../../test/factories/agent.factory.js';
import {
  addMember,
  createRole,
  createTeam,
  createTeamType,
  teamsRepository,
} from '../../../test/factories/team.factory.js';
import { createTemplate } from '../../../test/factories/template.factory.js';
import { openTestInstances, type TestInstances } from '../../../test/utils/test-database.js';
import { sqlState } from '../../common/errors/database-errors.js';
import { TeamsRepository } from './teams.repository.js';

/** How a write failed: its SQLSTATE and the constraint PostgreSQL names. */
const violationOf = (error: unknown): { code?: string; constraint?: string } => ({
  code: sqlState(error),
  constraint: (error as { driverError?: { constraint?: string } }).driverError?.constraint,
});

async function violation(write: Promise<unknown>): Promise<{ code?: string; constraint?: string }> {
  try {
    await write;
  } catch (error) {
    return violationOf(error);
  }
  throw new Error('the write succeeded');
}

describe(TeamsRepository.name, () => {
  let instances: TestInstances;
  const sources: DataSource[] = [];
  let repositories: TeamsRepository[];
  let source: DataSource;
  let teams: TeamsRepository;

  beforeAll(async () => {
    // Three independent pools stand in for three hub instances.
    instances = await openTestInstances(3);
    sources.push(...instances.sources);
    repositories = sources.map(teamsRepository);
    [source] = sources;
    [teams] = repositories;
  });
  afterAll(async () => {
    await instances.close();
  });
  beforeEach(async () => {
    await source.query('TRUNCATE teams CASCADE');
  });

  const activeIds = async (): Promise<string[]> =>
    (await source.query<Array<{ id: string }>>('SELECT id FROM teams WHERE is_active ORDER BY id')).map((r) => r.id);
  const memberIds = async (teamId: string): Promise<string[]> =>
    (await source.query<Array<{ id: string }>>('SELECT id FROM team_members WHERE team_id = $1', [teamId])).map(
      (row) => row.id,
    );

  describe('save and the active team', () => {
    it('creates an inactive team unless told otherwise, and leaves the active one alone', async () => {
      const active = await teams.save({ name: 'first', description: null, teamTypeId: null, isActive: true });
      const quiet = await teams.save({ name: 'second', description: 'quiet', teamTypeId: null });
      expect(quiet).toMatchObject({ name: 'second', description: 'quiet', teamTypeId: null, isActive: false });
      expect(await activeIds()).toEqual([active.id]);
    });

    it('deactivates every other team when it creates an active one', async () => {
      const first = await teams.save({ name: 'first', description: null, teamTypeId: null, isActive: true });
      const second = await teams.save({ name: 'second', description: null, teamTypeId: null, isActive: true });
      expect(second.isActive).toBe(true);
      expect(await activeIds()).toEqual([second.id]);
      expect((await teams.getById(first.id))?.isActive).toBe(false);
    });

    it('deactivates the others when it makes an existing team active, and keeps it active when it already is', async () => {
      const first = await teams.save({ name: 'first', description: null, teamTypeId: null, isActive: true });
      const quiet = await createTeam(source);
      expect(await teams.save({ isActive: true }, quiet.id)).toMatchObject({ id: quiet.id, isActive: true });
      expect(await activeIds()).toEqual([quiet.id]);
      expect((await teams.getById(first.id))?.isActive).toBe(false);

      await teams.save({ isActive: true }, quiet.id);
      expect(await activeIds()).toEqual([quiet.id]);
    });

    it('changes only the fields given, and a team switched off leaves no team active', async () => {
      const type = await createTeamType(source);
      const team = await teams.save({ name: 'only', description: 'before', teamTypeId: null, isActive: true });
      const changed = await teams.save({ description: 'after', teamTypeId: type.id }, team.id);
      expect(changed).toMatchObject({ name: 'only', description: 'after', teamTypeId: type.id, isActive: true });
      await teams.save({ isActive: false }, team.id);
      expect(await activeIds()).toEqual([]);
    });

    it('keeps one active team when three instances create and activate teams at the same time', async () => {
      const existing = await Promise.all([createTeam(source), createTeam(source), createTeam(source)]);
      for (let round = 0; round < 8; round += 1) {
        const outcomes = await Promise.allSettled(
          repositories.flatMap((repository, instance) => [
            repository.save({ name: `r${round}-i${instance}`, description: null, teamTypeId: null, isActive: true }),
            repository.save({ isActive: true }, existing[instance].id),
          ]),
        );
        // A save that loses the race fails on the partial unique index; it never leaves a second active team.
        const failures = outcomes.flatMap((outcome) =>
          outcome.status === 'rejected' ? [violationOf(outcome.reason)] : [],
        );
        expect(failures.filter((failure) => failure.constraint !== 'teams_single_active_key')).toEqual([]);
        expect(failures.every((failure) => failure.code === '23505')).toBe(true);
        expect(failures.length).toBeLessThan(outcomes.length);
        expect(await activeIds()).toHaveLength(1);
      }
    });
  });

  describe('members', () => {
    it('puts an agent into a team only once, whatever the role, and into other teams as well', async () => {
      const [team, other] = [await createTeam(source), await createTeam(source)];
      const [developer, reviewer] = [await createRole(source), await createRole(source)];
      const agent = await createAgent(source);
      const first = await addMember(source, { teamId: team.id, agentId: agent.id, roleId: developer.id });
      for (const roleId of [developer.id, reviewer.id]) {
        expect(await violation(addMember(source, { teamId: team.id, agentId: agent.id, roleId }))).toEqual({
          code: '23505',
          constraint: 'team_members_team_id_agent_id_key',
        });
      }
      await addMember(source, { teamId: other.id, agentId: agent.id, roleId: reviewer.id });
      expect(await memberIds(team.id)).toEqual([first.id]);
      expect(await memberIds(other.id)).toHaveLength(1);
    });

    it('stores the member with its role and custom template, and lists members in the order they joined', async () => {
      const team = await createTeam(source);
      const role = await createRole(source);
      const template = await createTemplate(source);
      const [alpha, beta] = [await createAgent(source), await createAgent(source)];
      const first = await addMember(source, { teamId: team.id, agentId: alpha.id, roleId: role.id });
      const second = await addMember(source, {
        teamId: team.id,
        agentId: beta.id,
        roleId: role.id,
        customTemplateId: template.id,
      });
      expect(first).toMatchObject({ teamId: team.id, agentId: alpha.id, roleId: role.id, customTemplateId: null });
      expect(second).toMatchObject({ agentId: beta.id, customTemplateId: template.id });
      expect((await teams.membersOf([team.id])).map((member) => member.id)).toEqual([first.id, second.id]);
      expect(await teams.membersOf([])).toEqual([]);
    });

    it('reads a member only through its own team', async () => {
      const [home, other] = [await createTeam(source), await createTeam(source)];
      const role = await createRole(source);
      const member = await addMember(source, {
        teamId: home.id,
        agentId: (await createAgent(source)).id,
        roleId: role.id,
      });
      expect(await teams.getMember(other.id, member.id)).toBeNull();
      expect(await teams.getMember(home.id, member.id)).toMatchObject({ id: member.id, teamId: home.id });
      await teams.removeMember(member.id);
      expect(await teams.getMember(home.id, member.id)).toBeNull();
    });

    it("lists the agent's memberships with their roles, and no one else's, fresh after a removal", async () => {
      const [team, other, foreign] = [await createTeam(source), await createTeam(source), await createTeam(source)];
      const [developer, reviewer] = [await createRole(source), await createRole(source)];
      const [agent, stranger] = [await createAgent(source), await createAgent(source)];
      const kept = await addMember(source, { teamId: team.id, agentId: agent.id, roleId: developer.id });
      const removed = await addMember(source, { teamId: other.id, agentId: agent.id, roleId: reviewer.id });
      await addMember(source, { teamId: foreign.id, agentId: stranger.id, roleId: developer.id });

      const byTeam = (a: { teamId: string }, b: { teamId: string }): number => a.teamId.localeCompare(b.teamId);
      expect((await teams.membershipsOfAgent(agent.id)).sort(byTeam)).toEqual(
        [
          { teamId: team.id, roleId: developer.id },
          { teamId: other.id, roleId: reviewer.id },
        ].sort(byTeam),
      );
      await teams.removeMember(removed.id);
      expect(await teams.membershipsOfAgent(agent.id)).toEqual([{ teamId: kept.teamId, roleId: developer.id }]);
      expect(await teams.membershipsOfAgent(randomUUID())).toEqual([]);
    });
  });

  describe('delete', () => {
    it('removes the team with its members, leaving agents, roles and other teams as they are', async () => {
      const [team, other] = [await createTeam(source), await createTeam(source)];
      const role = await createRole(source);
      const [alpha, beta] = [await createAgent(source), await createAgent(source)];
      await addMember(source, { teamId: team.id, agentId: alpha.id, roleId: role.id });
      await addMember(source, { teamId: team.id, agentId: beta.id, roleId: role.id });
      const stays = await addMember(source, { teamId: other.id, agentId: alpha.id, roleId: role.id });

      await teams.delete(team.id);
      expect(await teams.getById(team.id)).toBeNull();
      expect(await memberIds(team.id)).toEqual([]);
      expect(await memberIds(other.id)).toEqual([stays.id]);
      expect(await source.query('SELECT id FROM agents WHERE id = ANY($1)', [[alpha.id, beta.id]])).toHaveLength(2);
      expect(await source.query('SELECT id FROM roles WHERE id = $1', [role.id])).toHaveLength(1);
    });
  });

  describe('list', () => {
    it('filters by type and by activity, ordered by name, with the total', async () => {
      const type = await createTeamType(source);
      const typed = await createTeam(source, { name: 'b-typed', teamTypeId: type.id });
      const active = await teams.save({ name: 'a-active', description: null, teamTypeId: type.id, isActive: true });
      const plain = await createTeam(source, { name: 'c-plain' });
      const ids = async (filter: { teamTypeId?: string; isActive?: boolean }) => {
        const [rows, total] = await teams.list({ ...filter, limit: 10, offset: 0 });
        return { ids: rows.map((row) => row.id), total };
      };
      expect(await ids({})).toEqual({ ids: [active.id, typed.id, plain.id], total: 3 });
      expect(await ids({ teamTypeId: type.id })).toEqual({ ids: [active.id, typed.id], total: 2 });
      expect(await ids({ isActive: false })).toEqual({ ids: [typed.id, plain.id], total: 2 });
      expect(await ids({ teamTypeId: type.id, isActive: false })).toEqual({ ids: [typed.id], total: 1 });
      const [page, total] = await teams.list({ limit: 1, offset: 1 });
      expect({ ids: page.map((row) => row.id), total }).toEqual({ ids: [typed.id], total: 3 });
    });
  });
});
