import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { createAgent } from '../../../test/factories/agent.factory.js';
import { buildHistoryEntry, createTask } from '../../../test/factories/task.factory.js';
import { addMember, createRole, createTeam } from '../../../test/factories/team.factory.js';
import { openTestInstances, type TestInstances } from '../../../test/utils/test-database.js';
import type { DatabaseConnection } from '../../database/database-connection.js';
import { PreparedStatementsService } from '../../database/prepared-statements.service.js';
import { TeamMemberEntity } from '../teams/team-member.entity.js';
import { TeamEntity } from '../teams/team.entity.js';
import { TeamsRepository } from '../teams/teams.repository.js';
import { ArchivedTaskEntity } from './archived-task.entity.js';
import { TaskArchiveRepository } from './task-archive.repository.js';
import { type ClaimRequest, TaskQueueRepository } from './task-queue.repository.js';
import { LEASE_EXPIRED_FIELDS, LEASED_STATUSES } from './task-transitions.js';
import { TaskEntity } from './task.entity.js';
import { TasksRepository } from './tasks.repository.js';

describe(TaskQueueRepository.name, () => {
  let instances: TestInstances;
  const sources: DataSource[] = [];
  let queues: TaskQueueRepository[];
  let tasks: TasksRepository;
  let source: DataSource;

  beforeAll(async () => {
    // Three independent pools stand in for three hub instances, each with its own prepared statements.
    instances = await openTestInstances(3);
    sources.push(...instances.sources);
    queues = sources.map((each) => {
      const repository = new TasksRepository(each.getRepository(TaskEntity));
      const prepared = new PreparedStatementsService(each, { preparedStatements: true } as DatabaseConnection);
      return new TaskQueueRepository(each, repository, prepared);
    });
    source = sources[0];
    tasks = new TasksRepository(source.getRepository(TaskEntity));
  });
  afterAll(async () => {
    await instances.close();
  });
  // The queue is global: every test starts without tasks, so nothing of another test is claimable.
  beforeEach(async () => {
    await source.query('TRUNCATE tasks, archived_tasks, callback_deliveries');
  });

  const claim = (agentId: string, extra: Partial<ClaimRequest> = {}, queue = queues[0]) =>
    queue.claim({
      agentId,
      memberships: [],
      leaseSeconds: 120,
      event: buildHistoryEntry('claimed', { agentId }),
      ...extra,
    });
  /** Claims until the queue has nothing for the agent; the ids in claim order. */
  async function claimAll(agentId: string, extra: Partial<ClaimRequest> = {}): Promise<string[]> {
    const ids: string[] = [];
    for (let task = await claim(agentId, extra); task; task = await claim(agentId, extra)) {
      ids.push(task.id);
    }
    return ids;
  }
  const statusOf = async (id: string): Promise<string | undefined> => (await tasks.getById(id))?.status;

  describe('claim', () => {
    it('hands out the highest priority first, then the oldest, and then nothing', async () => {
      const plan = [
        ['low', 50],
        ['high', 300],
        ['medium', 700],
        ['critical', 100],
        ['low', 800],
        ['high', 600],
        ['critical', 500],
        ['medium', 200],
      ] as const;
      const ids = new Map<string, string>();
      for (const [priority, createdSecondsAgo] of plan) {
        const task = await createTask(source, { priority, createdSecondsAgo });
        ids.set(task.id, `${priority} ${createdSecondsAgo}s`);
      }
      const agent = await createAgent(source);
      expect((await claimAll(agent.id)).map((id) => ids.get(id))).toEqual([
        'critical 500s',
        'critical 100s',
        'high 600s',
        'high 300s',
        'medium 700s',
        'medium 200s',
        'low 800s',
        'low 50s',
      ]);
    });

    it('leases the task to the agent: assigned, lease holder and expiry, history, version, updated time', async () => {
      const agent = await createAgent(source);
      const created = await createTask(source);
      const event = buildHistoryEntry('claimed', { agentId: agent.id, leaseSeconds: 45 });
      const claimed = await claim(agent.id, { leaseSeconds: 45, event });
      expect(claimed).toMatchObject({
        id: created.id,
        status: 'assigned',
        assignedAgentId: agent.id,
        leaseHolderId: agent.id,
        version: created.version + 1,
        history: [...created.history, event],
      });
      expect(claimed!.leaseExpiresAt!.getTime() - claimed!.updatedAt.getTime()).toBe(45_000);
      expect(await tasks.getById(created.id)).toEqual(claimed);
    });

    it('claims only todo tasks, however high their priority or old their age', async () => {
      const agent = await createAgent(source);
      const other = await createAgent(source);
      const notTodo = [];
      for (const status of ['assigned', 'in_progress', 'blocked', 'completed', 'failed', 'cancelled'] as const) {
        notTodo.push(await createTask(source, { status, priority: 'critical', createdSecondsAgo: 3600 }));
      }
      notTodo.push(await createTask(source, { status: 'assigned', assignedAgentId: other.id, priority: 'critical' }));
      const todo = await createTask(source, { priority: 'low' });
      expect(await claimAll(agent.id)).toEqual([todo.id]);
      for (const task of notTodo) {
        expect(await tasks.getById(task.id)).toEqual(task);
      }
    });

    it('never hands out a todo task that names another agent, but does hand it to that agent', async () => {
      const holder = await createAgent(source);
      const claimer = await createAgent(source);
      const preassigned = await createTask(source, { priority: 'critical', assignedAgentId: holder.id });
      const free = await createTask(source, { priority: 'low' });
      expect(await claimAll(claimer.id)).toEqual([free.id]);
      expect(await claimAll(holder.id)).toEqual([preassigned.id]);
    });

    it('passes over a task until every dependency is completed (an archived completed one counts)', async () => {
      const agent = await createAgent(source);
      const open = await createTask(source, { status: 'in_progress', priority: 'low' });
      const archivedDone = await createTask(source, { status: 'completed' });
      expect(await new TaskArchiveRepository(source.getRepository(ArchivedTaskEntity)).archive(archivedDone.id)).toBe(
        true,
      );
      const waiting = await createTask(source, { priority: 'critical', dependsOn: [open.id, archivedDone.id] });
      const onArchived = await createTask(source, { priority: 'high', dependsOn: [archivedDone.id] });
      const onFailed = await createTask(source, {
        priority: 'critical',
        dependsOn: [(await createTask(source, { status: 'failed' })).id],
      });
      const onCancelled = await createTask(source, {
        priority: 'critical',
        dependsOn: [(await createTask(source, { status: 'cancelled' })).id],
      });

      expect(await claimAll(agent.id)).toEqual([onArchived.id]);
      await source.query(`UPDATE tasks SET status = 'completed' WHERE id = $1`, [open.id]);
      expect(await claimAll(agent.id)).toEqual([waiting.id]);
      expect([await statusOf(onFailed.id), await statusOf(onCancelled.id)]).toEqual(['todo', 'todo']);
    });

    it('hands a team task only to members of the team, in its role when it names one; teamless tasks to anyone', async () => {
      const [team, otherTeam] = [await createTeam(source), await createTeam(source)];
      const [developer, tester] = [await createRole(source), await createRole(source)];
      const [dev, qa, qaElsewhere, outsider] = [
        await createAgent(source),
        await createAgent(source),
        await createAgent(source),
        await createAgent(source),
      ];
      await addMember(source, { teamId: team.id, agentId: dev.id, roleId: developer.id });
      await addMember(source, { teamId: team.id, agentId: qa.id, roleId: tester.id });
      await addMember(source, { teamId: otherTeam.id, agentId: qaElsewhere.id, roleId: tester.id });
      const forTesters = await createTask(source, {
        priority: 'critical',
        teamId: team.id,
        assignedRoleId: tester.id,
      });
      const forTeam = await createTask(source, { priority: 'high', teamId: team.id });
      const teamless = await createTask(source, { priority: 'low' });
      // The memberships as the teams module hands them to the claim.
      const teams = new TeamsRepository(source.getRepository(TeamEntity), source.getRepository(TeamMemberEntity));
      const membershipsOf = (agentId: string) => teams.membershipsOfAgent(agentId);

      expect(await claimAll(outsider.id, { memberships: [] })).toEqual([teamless.id]);
      // Holding the role in another team is not enough.
      expect(await claimAll(qaElsewhere.id, { memberships: await membershipsOf(qaElsewhere.id) })).toEqual([]);
      expect(await claimAll(dev.id, { memberships: await membershipsOf(dev.id) })).toEqual([forTeam.id]);
      expect(await claimAll(qa.id, { memberships: await membershipsOf(qa.id) })).toEqual([forTesters.id]);
    });

    it('restricts a claim to the teamId and roleId it names', async () => {
      const agent = await createAgent(source);
      const [teamOne, teamTwo] = [(await createTeam(source)).id, (await createTeam(source)).id];
      const developer = (await createRole(source)).id;
      const memberships = [
        { teamId: teamOne, roleId: developer },
        { teamId: teamTwo, roleId: developer },
      ];
      const oneLow = await createTask(source, { priority: 'low', teamId: teamOne, createdSecondsAgo: 200 });
      const twoCritical = await createTask(source, { priority: 'critical', teamId: teamTwo, createdSecondsAgo: 300 });
      const teamless = await createTask(source, { priority: 'critical', createdSecondsAgo: 400 });
      const twoDevelopers = await createTask(source, {
        priority: 'low',
        teamId: teamTwo,
        assignedRoleId: developer,
        createdSecondsAgo: 100,
      });

      expect(await claimAll(agent.id, { memberships, teamId: teamOne })).toEqual([oneLow.id]);
      expect(await claimAll(agent.id, { memberships, roleId: developer })).toEqual([twoDevelopers.id]);
      expect(await claimAll(agent.id, { memberships, teamId: teamTwo })).toEqual([twoCritical.id]);
      expect(await claimAll(agent.id, { memberships })).toEqual([teamless.id]);
    });

    it('writes the callback outbox row of the claim in the same statement', async () => {
      const agent = await createAgent(source);
      const task = await createTask(source, { callbackUrl: 'http://127.0.0.1:9/hook', callbackSecretSealed: 'sealed' });
      await claim(agent.id);
      const rows = await source.query<Array<{ task_id: string; url: string; body: string }>>(
        'SELECT task_id, url, body FROM callback_deliveries',
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ task_id: task.id, url: 'http://127.0.0.1:9/hook' });
      expect(JSON.parse(rows[0].body)).toMatchObject({
        event: 'task.status_changed',
        task: { id: task.id, status: 'assigned' },
      });
    });

    it('gives every task to exactly one of many agents claiming at once on three instances', async () => {
      const created = new Set<string>();
      for (let index = 0; index < 60; index += 1) {
        created.add((await createTask(source, { priority: (['low', 'high', 'critical'] as const)[index % 3] })).id);
      }
      const agents = await Promise.all(Array.from({ length: 9 }, () => createAgent(source)));
      const claims = await Promise.all(
        agents.map(async (agent, index) => {
          const mine: string[] = [];
          for (;;) {
            const task = await claim(agent.id, {}, queues[index % 3]);
            if (!task) {
              return mine;
            }
            mine.push(task.id);
          }
        }),
      );
      const all = claims.flat();
      expect(all).toHaveLength(60);
      expect(new Set(all)).toEqual(created);
      // More than one agent got work, so the claims really ran side by side.
      expect(claims.filter((mine) => mine.length > 0).length).toBeGreaterThan(1);
      const rows = await source.query<Array<{ id: string; agent: string; holder: string; claims: number }>>(
        `SELECT id, assigned_agent_id AS agent, lease_holder_id AS holder,
           (SELECT count(*)::int FROM jsonb_array_elements(history) e WHERE e->>'type' = 'claimed') AS claims
         FROM tasks`,
      );
      const agentOf = new Map(claims.flatMap((mine, index) => mine.map((id) => [id, agents[index].id] as const)));
      for (const row of rows) {
        expect(row).toEqual({ id: row.id, agent: agentOf.get(row.id), holder: agentOf.get(row.id), claims: 1 });
      }
    });
  });

  describe('leases', () => {
    it('lets the holder renew while the lease runs, for the seconds asked, and bumps the version', async () => {
      const agent = await createAgent(source);
      await createTask(source);
      const claimed = (await claim(agent.id, { leaseSeconds: 10 }))!;
      const renewed = await queues[1].renewLease(claimed.id, agent.id, 3600);
      expect(renewed).toMatchObject({ id: claimed.id, version: claimed.version + 1, leaseHolderId: agent.id });
      expect(renewed!.leaseExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 3_590_000);
      await source.query(`UPDATE tasks SET status = 'in_progress' WHERE id = $1`, [claimed.id]);
      expect(await queues[2].renewLease(claimed.id, agent.id, 60)).toMatchObject({ status: 'in_progress' });
    });

    it('renews nothing for another agent, after expiry, or once the task is finished', async () => {
      const agent = await createAgent(source);
      const stranger = await createAgent(source);
      await createTask(source);
      const claimed = (await claim(agent.id))!;
      expect(await queues[0].renewLease(claimed.id, stranger.id, 60)).toBeNull();
      await source.query(`UPDATE tasks SET status = 'completed' WHERE id = $1`, [claimed.id]);
      expect(await queues[0].renewLease(claimed.id, agent.id, 60)).toBeNull();
      await source.query(
        `UPDATE tasks SET status = 'assigned', lease_expires_at = now() - interval '1 second' WHERE id = $1`,
        [claimed.id],
      );
      const before = await tasks.getById(claimed.id);
      expect(await queues[0].renewLease(claimed.id, agent.id, 60)).toBeNull();
      expect(await tasks.getById(claimed.id)).toEqual(before);
      expect(await queues[0].renewLease(randomUUID(), agent.id, 60)).toBeNull();
    });

    it('lists the tasks whose lease ran out while assigned or in progress, and no others', async () => {
      const agent = await createAgent(source);
      const past = new Date(Date.now() - 1000);
      const future = new Date(Date.now() + 60_000);
      const lease = { assignedAgentId: agent.id, leaseHolderId: agent.id };
      const expiredAssigned = await createTask(source, { status: 'assigned', ...lease, leaseExpiresAt: past });
      const expiredRunning = await createTask(source, { status: 'in_progress', ...lease, leaseExpiresAt: past });
      await createTask(source, { status: 'assigned', ...lease, leaseExpiresAt: future });
      await createTask(source, { status: 'blocked', ...lease, leaseExpiresAt: past });
      await createTask(source, { status: 'todo' });
      expect((await queues[1].expiredLeaseIds()).sort()).toEqual([expiredAssigned.id, expiredRunning.id].sort());
      expect(await queues[1].expiredLeaseIds(1)).toHaveLength(1);
    });

    it('returns a task with an expired lease to the queue, where another agent can claim it', async () => {
      const first = await createAgent(source);
      const second = await createAgent(source);
      await createTask(source);
      const claimed = (await claim(first.id, { leaseSeconds: 10 }))!;
      const expiry = {
        fields: LEASE_EXPIRED_FIELDS,
        event: buildHistoryEntry('lease_expired'),
        fromStatuses: LEASED_STATUSES,
        leaseExpired: true,
      };
      // Still running: the expiry job racing a renewal must not take it away.
      expect(await tasks.applyChange(claimed.id, expiry)).toBeNull();
      expect(await claim(second.id)).toBeNull();

      await source.query(`UPDATE tasks SET lease_expires_at = now() - interval '1 second'`);
      const [id] = await queues[0].expiredLeaseIds();
      expect(await tasks.applyChange(id, expiry)).toMatchObject({
        status: 'todo',
        assignedAgentId: null,
        leaseHolderId: null,
        leaseExpiresAt: null,
      });
      expect(await queues[0].expiredLeaseIds()).toEqual([]);
      expect(await claim(second.id, {}, queues[2])).toMatchObject({ id: claimed.id, assignedAgentId: second.id });
    });
  });
});
