import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { pino } from 'pino';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app/create-app.js';
import { LeaseExpiryJob } from '../../src/modules/scheduler/jobs/lease-expiry.job.js';
import { TaskRetentionJob } from '../../src/modules/scheduler/jobs/task-retention.job.js';
import { createUser, tokenFor } from '../factories/user.factory.js';
import { allAuditEntries, dataOf, fieldsOf, refusal, sorted } from '../utils/api.js';
import type { Page, TaskDto, TaskPriority, TaskStatus } from '../utils/payloads.js';
import {
  addMember,
  type ArchivedTaskDto,
  type CreateTaskBody,
  claim,
  claimedId,
  claimOutcome,
  claimUntilEmpty,
  countType,
  createRole,
  createTask,
  createTeam,
  historyTypes,
  moveTo,
  type QueueAgent,
  registerAgent,
  renew,
  setCreatedAgo,
  taskRow,
} from '../utils/queue-helpers.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import { TEST_AGENT_TOKEN, testConfig } from '../utils/test-config.js';
import { bearer, type Headers } from '../utils/tokens.js';

// Both instances archive after 1 day and purge after 2 (SPEC section 11), so the retention job can be driven
// by moving timestamps in SQL; TRUST_PROXY lets every agent registration name its own client address.
const ENV = { TRUST_PROXY: 'true', TASKS_RETENTION_DAYS: '1', ARCHIVED_TASKS_RETENTION_DAYS: '2' };
const LEASE_EXPIRY_PERIOD_SECONDS = 15;
const RETENTION_PERIOD_SECONDS = 600;
/** Far from the real clock and aligned to both periods: the ticks this file drives never meet a real one. */
const SLOT_BASE_MS = Date.UTC(2031, 0, 1);

const hubToken = (): Headers => bearer(TEST_AGENT_TOKEN);

/** Milliseconds between two ISO timestamps of an answer. */
const msBetween = (from: string, to: string): number => Date.parse(to) - Date.parse(from);

describe('Work queue, leases, archive and retention (SPEC sections 7, 8, 12)', () => {
  let hub: TestApp;
  /** A second instance on the same database. */
  let peer: NestFastifyApplication;
  let peerServer: Server;
  let userHeaders: Headers;
  let adminToken: string;
  let adminHeaders: Headers;
  let adminName: string;
  let leaseSlot = 0;
  let retentionSlot = 0;

  beforeAll(async () => {
    hub = await startTestApp({ env: ENV });
    peer = await createApp(testConfig({ DATABASE_URL: hub.database.url, ...ENV }), {
      logger: pino({ level: 'silent' }),
    });
    peerServer = peer.getHttpServer();
    userHeaders = bearer(tokenFor(hub.config, (await createUser(hub.app, { role: 'user' })).user));
    const admin = (await createUser(hub.app, { role: 'admin' })).user;
    adminName = admin.username;
    adminToken = tokenFor(hub.config, admin);
    adminHeaders = bearer(adminToken);
  });
  afterAll(async () => {
    await peer?.close();
    await hub?.close();
  });

  // The queue is global: every test starts from empty task tables so that no other test's task is claimable.
  beforeEach(async () => {
    await db().query('DELETE FROM tasks');
    await db().query('DELETE FROM archived_tasks');
  });

  const db = (): DataSource => hub.app.get(DataSource);
  const agent = (label: string): Promise<QueueAgent> => registerAgent(hub.server, hubToken(), label);
  const task = (title: string, extra: Omit<CreateTaskBody, 'title'> = {}) =>
    createTask(hub.server, adminHeaders, { title, ...extra });
  const getTask = (id: string) => request(hub.server).get(`/api/tasks/${id}`).set(adminHeaders);
  const archive = (id: string, headers: Headers = adminHeaders) =>
    request(hub.server).post(`/api/tasks/${id}/archive`).set(headers).send({});
  const restore = (id: string, headers: Headers = adminHeaders) =>
    request(hub.server).post(`/api/tasks/archived/${id}/restore`).set(headers).send({});
  const archivedList = async (): Promise<ArchivedTaskDto[]> =>
    dataOf<Page<ArchivedTaskDto>>(
      await request(hub.server).get('/api/tasks/archived?limit=500').set(adminHeaders).expect(200),
    ).items;
  const ids = async (table: 'tasks' | 'archived_tasks'): Promise<string[]> =>
    sorted((await db().query<Array<{ id: string }>>(`SELECT id FROM ${table}`)).map((row) => row.id));

  const nextLeaseSlot = (): Date => {
    leaseSlot += 1;
    return new Date(SLOT_BASE_MS + leaseSlot * LEASE_EXPIRY_PERIOD_SECONDS * 1000);
  };
  const nextRetentionSlot = (): Date => {
    retentionSlot += 1;
    return new Date(SLOT_BASE_MS + retentionSlot * RETENTION_PERIOD_SECONDS * 1000);
  };
  const leaseExpiry = (app: NestFastifyApplication): LeaseExpiryJob => app.get(LeaseExpiryJob, { strict: false });
  const retention = (app: NestFastifyApplication): TaskRetentionJob => app.get(TaskRetentionJob, { strict: false });
  const expireLease = (id: string) =>
    db().query(`UPDATE tasks SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [id]);

  /** Claims as `who` and expects a task; returns it. */
  async function claimOne(who: QueueAgent, body: object = {}, server: Server = hub.server): Promise<TaskDto> {
    const response = await claim(server, who.headers, body);
    expect(claimOutcome(response).status).toBe(200);
    return dataOf<TaskDto>(response);
  }

  /** Claims as `who` and expects 204 with an empty body. */
  async function expectNothing(who: Headers, body: object = {}, server: Server = hub.server): Promise<void> {
    const response = await claim(server, who, body);
    expect({ status: response.status, body: response.text }).toEqual({ status: 204, body: '' });
  }

  describe('claim order and eligibility', () => {
    // Order, todo-only, dependencies, tasks of other agents and team/role scoping are covered on real
    // PostgreSQL in task-queue.repository.int-spec.ts; the tests here are what a client sees over HTTP.
    it('hands a task with assignedRoleId only to a member of its team holding that role', async () => {
      const team = await createTeam(hub.server, hubToken());
      const otherTeam = await createTeam(hub.server, hubToken());
      const developer = await createRole(hub.server, hubToken());
      const tester = await createRole(hub.server, hubToken());
      const dev = await agent('dev');
      const qa = await agent('qa');
      const qaElsewhere = await agent('qa-elsewhere');
      await addMember(hub.server, hubToken(), team, dev.id, developer);
      await addMember(hub.server, hubToken(), team, qa.id, tester);
      await addMember(hub.server, hubToken(), otherTeam, qaElsewhere.id, tester);
      const forTesters = await task('for testers', { priority: 'critical', teamId: team, assignedRoleId: tester });
      await setCreatedAgo(db(), forTesters.id, 3600);
      const forAnyone = await task('for any member', { priority: 'low', teamId: team });

      expect((await claimOne(dev)).id).toBe(forAnyone.id);
      await expectNothing(dev.headers);
      // Holding the role in another team is not enough.
      await expectNothing(qaElsewhere.headers);
      expect((await taskRow(db(), forTesters.id))?.status).toBe('todo');
      expect((await claimOne(qa)).id).toBe(forTesters.id);
    });

    it('restricts a claim to the teamId and roleId it names', async () => {
      const worker = await agent('filters');
      const teamOne = await createTeam(hub.server, hubToken());
      const teamTwo = await createTeam(hub.server, hubToken());
      const developer = await createRole(hub.server, hubToken());
      await addMember(hub.server, hubToken(), teamOne, worker.id, developer);
      await addMember(hub.server, hubToken(), teamTwo, worker.id, developer);
      const oneLow = await task('team one, low', { priority: 'low', teamId: teamOne });
      const twoCritical = await task('team two, critical', { priority: 'critical', teamId: teamTwo });
      const teamlessCritical = await task('teamless, critical', { priority: 'critical' });
      const twoDeveloperLow = await task('team two, developers, low', {
        priority: 'low',
        teamId: teamTwo,
        assignedRoleId: developer,
      });
      await setCreatedAgo(db(), teamlessCritical.id, 400);
      await setCreatedAgo(db(), twoCritical.id, 300);
      await setCreatedAgo(db(), oneLow.id, 200);
      await setCreatedAgo(db(), twoDeveloperLow.id, 100);

      expect((await claimOne(worker, { teamId: teamOne })).id).toBe(oneLow.id);
      await expectNothing(worker.headers, { teamId: teamOne });
      expect((await claimOne(worker, { roleId: developer })).id).toBe(twoDeveloperLow.id);
      await expectNothing(worker.headers, { roleId: developer });
      expect((await claimOne(worker, { teamId: teamTwo })).id).toBe(twoCritical.id);
      await expectNothing(worker.headers, { teamId: teamTwo });
      expect((await claimOne(worker)).id).toBe(teamlessCritical.id);
      await expectNothing(worker.headers);
    });

    it('answers 204 with an empty body when nothing is available, on either instance', async () => {
      const worker = await agent('empty');
      await expectNothing(worker.headers);
      await expectNothing(worker.headers, {}, peerServer);
      const finished = await task('finished');
      await moveTo(hub.server, adminHeaders, finished.id, 'completed');
      await expectNothing(worker.headers);
      await expectNothing(worker.headers, { leaseSeconds: 60 }, peerServer);
    });
  });

  describe('who may claim, and lease bounds', () => {
    it('refuses a plain user with 403 and takes nothing', async () => {
      const open = await task('open');
      const worker = await agent('user-target');
      expect(refusal(await claim(hub.server, userHeaders))).toEqual({ status: 403, code: 'forbidden' });
      expect(refusal(await claim(hub.server, userHeaders, { agentId: worker.id }))).toEqual({
        status: 403,
        code: 'forbidden',
      });
      expect(await taskRow(db(), open.id)).toMatchObject({ status: 'todo', assigned_agent_id: null });
    });

    it('refuses the hub token without agentId with 400 naming agentId', async () => {
      const open = await task('open');
      const response = await claim(hub.server, hubToken());
      expect(refusal(response)).toEqual({ status: 400, code: 'validation_failed' });
      expect(fieldsOf(response)).toContain('agentId');
      expect(await taskRow(db(), open.id)).toMatchObject({ status: 'todo', assigned_agent_id: null });
    });

    it('lets the hub token and an admin claim for the agent they name; that agent then holds the lease', async () => {
      const worker = await agent('on-behalf');
      const first = await task('first', { priority: 'high' });
      const second = await task('second', { priority: 'low' });

      expect(refusal(await claim(hub.server, hubToken(), { agentId: randomUUID() }))).toEqual({
        status: 404,
        code: 'agent_not_found',
      });
      expect(await db().query('SELECT id FROM tasks WHERE assigned_agent_id IS NOT NULL')).toEqual([]);

      const byHubToken = dataOf<TaskDto>(await claim(hub.server, hubToken(), { agentId: worker.id }).expect(200));
      const byAdmin = dataOf<TaskDto>(await claim(hub.server, adminHeaders, { agentId: worker.id }).expect(200));

      expect([byHubToken.id, byAdmin.id]).toEqual([first.id, second.id]);
      for (const claimed of [byHubToken, byAdmin]) {
        expect(claimed).toMatchObject({ status: 'assigned', assignedAgentId: worker.id });
        expect(await taskRow(db(), claimed.id)).toMatchObject({
          assigned_agent_id: worker.id,
          lease_holder_id: worker.id,
        });
        expect(claimed.history.at(-1)).toMatchObject({ type: 'claimed', details: { agentId: worker.id } });
        await renew(hub.server, worker.headers, claimed.id).expect(200);
      }
    });

    it('refuses an agent naming another agentId with 403; naming itself is fine', async () => {
      const worker = await agent('self');
      const other = await agent('someone-else');
      const open = await task('open');

      expect(refusal(await claim(hub.server, worker.headers, { agentId: other.id }))).toEqual({
        status: 403,
        code: 'forbidden',
      });
      expect(await taskRow(db(), open.id)).toMatchObject({ status: 'todo', assigned_agent_id: null });
      expect((await claimOne(worker, { agentId: worker.id })).assignedAgentId).toBe(worker.id);
    });

    it('accepts leaseSeconds from 10 to 3600 (default 120) and refuses 5, 9, 3601 and 4000 with 400', async () => {
      const worker = await agent('bounds');
      for (const title of ['a', 'b', 'c']) {
        await task(title);
      }
      for (const leaseSeconds of [5, 9, 3601, 4000]) {
        const response = await claim(hub.server, worker.headers, { leaseSeconds });
        expect({ leaseSeconds, ...refusal(response) }).toEqual({
          leaseSeconds,
          status: 400,
          code: 'validation_failed',
        });
        expect(fieldsOf(response)).toContain('leaseSeconds');
      }
      expect(await db().query('SELECT id FROM tasks WHERE assigned_agent_id IS NOT NULL')).toEqual([]);

      // The lease runs from the claim: leaseExpiresAt - updatedAt (both written by the claim) is the lease.
      for (const [body, seconds] of [
        [{ leaseSeconds: 10 }, 10],
        [{ leaseSeconds: 3600 }, 3600],
        [{}, 120],
      ] as const) {
        const claimed = await claimOne(worker, body);
        expect({ body, lease: msBetween(claimed.updatedAt, claimed.leaseExpiresAt!) }).toEqual({
          body,
          lease: seconds * 1000,
        });
      }
    });
  });

  describe('leases', () => {
    it('lets the holder renew and extend its lease; another agent gets 409 lease_not_held and changes nothing', async () => {
      const holder = await agent('renew-holder');
      const stranger = await agent('renew-stranger');
      const claimedTask = await task('leased');
      const claimed = await claimOne(holder, { leaseSeconds: 10 });
      expect(claimed.id).toBe(claimedTask.id);

      const renewed = dataOf<TaskDto>(await renew(hub.server, holder.headers, claimed.id, { leaseSeconds: 3600 }));
      expect(Date.parse(renewed.leaseExpiresAt!)).toBeGreaterThan(Date.parse(claimed.leaseExpiresAt!));
      expect(msBetween(renewed.updatedAt, renewed.leaseExpiresAt!)).toBe(3600 * 1000);
      const before = await taskRow(db(), claimed.id);
      expect(before?.lease_expires_at?.toISOString()).toBe(renewed.leaseExpiresAt);

      const refused = await renew(hub.server, stranger.headers, claimed.id, { leaseSeconds: 3600 });
      expect(refusal(refused)).toEqual({ status: 409, code: 'lease_not_held' });
      expect(await taskRow(db(), claimed.id)).toEqual(before);
    });

    it('keeps the lease renewable in progress, and completing the task clears it', async () => {
      const holder = await agent('progress');
      await task('work');
      const claimed = await claimOne(holder, { leaseSeconds: 30 });

      await changeStatusOk(holder.headers, claimed.id, 'in_progress');
      const renewed = dataOf<TaskDto>(await renew(hub.server, holder.headers, claimed.id, { leaseSeconds: 600 }));
      expect(renewed).toMatchObject({ status: 'in_progress', assignedAgentId: holder.id });
      expect(Date.parse(renewed.leaseExpiresAt!)).toBeGreaterThan(Date.parse(claimed.leaseExpiresAt!));

      const completed = await changeStatusOk(holder.headers, claimed.id, 'completed');
      expect(completed.leaseExpiresAt).toBeNull();
      expect(await taskRow(db(), claimed.id)).toMatchObject({
        status: 'completed',
        lease_holder_id: null,
        lease_expires_at: null,
      });
      expect(refusal(await renew(hub.server, holder.headers, claimed.id))).toEqual({
        status: 409,
        code: 'lease_not_held',
      });
    });

    it('returns tasks with an expired lease to todo on a lease-expiry tick; valid leases are untouched', async () => {
      const first = await agent('expiry-first');
      const second = await agent('expiry-second');
      const keeper = await agent('expiry-keeper');
      const assignedTask = await task('expires while assigned', { priority: 'critical' });
      const inProgressTask = await task('expires in progress', { priority: 'high' });
      const keptTask = await task('keeps its lease', { priority: 'low' });
      expect((await claimOne(first, { leaseSeconds: 10 })).id).toBe(assignedTask.id);
      expect((await claimOne(first, { leaseSeconds: 10 })).id).toBe(inProgressTask.id);
      await changeStatusOk(first.headers, inProgressTask.id, 'in_progress');
      expect((await claimOne(keeper, { leaseSeconds: 3600 })).id).toBe(keptTask.id);
      await expireLease(assignedTask.id);
      await expireLease(inProgressTask.id);
      const kept = await taskRow(db(), keptTask.id);

      // A lease that ran out cannot be renewed, even before the job has returned the task.
      expect(refusal(await renew(hub.server, first.headers, assignedTask.id))).toEqual({
        status: 409,
        code: 'lease_not_held',
      });

      expect(await leaseExpiry(hub.app).tick(nextLeaseSlot())).toBe(true);

      for (const id of [assignedTask.id, inProgressTask.id]) {
        const returned = dataOf<TaskDto>(await getTask(id).expect(200));
        expect(returned).toMatchObject({ status: 'todo', assignedAgentId: null, leaseExpiresAt: null });
        expect(returned.history.at(-1)?.type).toBe('lease_expired');
        expect(countType(returned.history, 'lease_expired')).toBe(1);
        expect(await taskRow(db(), id)).toMatchObject({ lease_holder_id: null, lease_expires_at: null });
        expect(refusal(await renew(hub.server, first.headers, id))).toEqual({ status: 409, code: 'lease_not_held' });
      }
      expect(await taskRow(db(), keptTask.id)).toEqual(kept);
      expect(kept).toMatchObject({ status: 'assigned', assigned_agent_id: keeper.id, lease_holder_id: keeper.id });

      const reclaimed = await claimUntilEmpty(hub.server, second.headers);
      expect(reclaimed.map(claimOutcome)).toEqual([
        { status: 200, id: assignedTask.id },
        { status: 200, id: inProgressTask.id },
        { status: 204, id: null },
      ]);
      expect(dataOf<TaskDto>(reclaimed[0]).assignedAgentId).toBe(second.id);
    });

    it('runs a lease-expiry tick once when both instances fire for the same slot', async () => {
      const worker = await agent('two-instances');
      const leased = await task('leased twice over');
      await claimOne(worker, { leaseSeconds: 10 });
      await expireLease(leased.id);
      const slot = nextLeaseSlot();

      const ran = await Promise.all([leaseExpiry(hub.app).tick(slot), leaseExpiry(peer).tick(slot)]);

      expect(sorted(ran.map(String))).toEqual(['false', 'true']);
      const history = (await taskRow(db(), leased.id))?.history ?? [];
      expect(countType(history, 'lease_expired')).toBe(1);
      expect(await leaseExpiry(peer).tick(new Date(slot.getTime() + 14_000))).toBe(false);
      const runs = await db().query<unknown[]>('SELECT 1 FROM system_job_runs WHERE job = $1 AND fire_at = $2', [
        'tasks.lease-expiry',
        slot,
      ]);
      expect(runs).toHaveLength(1);
    });
  });

  describe('concurrency', () => {
    it('6 agents on two instances claiming 60 tasks at once: every task is claimed exactly once', async () => {
      const priorities: TaskPriority[] = ['low', 'medium', 'high', 'critical'];
      const created: string[] = [];
      for (let index = 0; index < 60; index += 1) {
        created.push((await task(`concurrent ${index}`, { priority: priorities[index % 4] })).id);
      }
      const agents: QueueAgent[] = [];
      for (let index = 1; index <= 6; index += 1) {
        agents.push(await agent(`concurrent-${index}`));
      }

      // Agents 1–3 claim through instance A, 4–6 through instance B, all six loops in parallel.
      const runs = await Promise.all(
        agents.map((worker, index) =>
          claimUntilEmpty(index < 3 ? hub.server : peerServer, worker.headers, { leaseSeconds: 3600 }, 100),
        ),
      );

      const unexpected = runs.flat().filter((response) => response.status !== 200 && response.status !== 204);
      expect(unexpected.map((response) => `${response.status} ${response.text}`)).toEqual([]);
      expect(runs.map((responses) => responses.at(-1)?.status)).toEqual([204, 204, 204, 204, 204, 204]);
      const claims = runs.flatMap((responses, index) =>
        responses
          .filter((response) => response.status === 200)
          .map((response) => ({ taskId: claimedId(response), agentId: agents[index].id })),
      );
      expect(claims).toHaveLength(60);
      expect(sorted(claims.map((entry) => entry.taskId))).toEqual(sorted(created));

      const rows = await db().query<
        Array<{ id: string; assigned_agent_id: string; lease_holder_id: string; history: TaskDto['history'] }>
      >('SELECT id, assigned_agent_id, lease_holder_id, history FROM tasks');
      const rowById = new Map(rows.map((row) => [row.id, row]));
      for (const { taskId, agentId } of claims) {
        const row = rowById.get(taskId);
        const claimedEntries = (row?.history ?? []).filter((entry) => entry.type === 'claimed');
        expect({
          taskId,
          agent: row?.assigned_agent_id,
          leaseHolder: row?.lease_holder_id,
          claimedEntries: claimedEntries.map((entry) => entry.details.agentId),
        }).toEqual({ taskId, agent: agentId, leaseHolder: agentId, claimedEntries: [agentId] });
      }
    });
  });

  describe('archive and restore', () => {
    it('moves a task to the archive with its fields and history, and restores it with its status and history', async () => {
      const worker = await agent('archive');
      const created = await task('to be archived', { priority: 'high' });
      await claimOne(worker);
      await changeStatusOk(worker.headers, created.id, 'in_progress');
      const before = dataOf<TaskDto>(await getTask(created.id).expect(200));
      expect(historyTypes(before.history)).toEqual(['created', 'claimed', 'status_changed']);

      const archived = dataOf<ArchivedTaskDto>(await archive(created.id).expect(200));
      const { archivedAt, ...archivedFields } = archived;
      expect(Number.isNaN(Date.parse(archivedAt))).toBe(false);
      expect(archivedFields).toEqual(before);
      expect(refusal(await getTask(created.id))).toEqual({ status: 404, code: 'task_not_found' });
      expect((await archivedList()).filter((item) => item.id === created.id)).toEqual([archived]);
      expect(refusal(await archive(created.id))).toEqual({ status: 404, code: 'task_not_found' });

      const restored = dataOf<TaskDto>(await restore(created.id).expect(200));
      expect(restored).toMatchObject({
        id: before.id,
        title: before.title,
        priority: before.priority,
        status: 'in_progress',
        history: before.history,
        createdAt: before.createdAt,
      });
      expect(dataOf<TaskDto>(await getTask(created.id).expect(200))).toEqual(restored);
      expect((await archivedList()).map((item) => item.id)).not.toContain(created.id);
      expect(await ids('archived_tasks')).toEqual([]);
      expect(refusal(await restore(created.id))).toEqual({ status: 404, code: 'archived_task_not_found' });

      for (const action of ['task.archived', 'task.restored']) {
        const entries = await allAuditEntries(hub.server, adminToken, `action=${action}&targetId=${created.id}`);
        expect(
          entries.map((entry) => ({ action: entry.action, username: entry.username, outcome: entry.outcome })),
        ).toEqual([{ action, username: adminName, outcome: 'success' }]);
      }
    });

    it('restores a task whose team and agent were deleted meanwhile without them, keeping the role that exists', async () => {
      const worker = await agent('archive-gone');
      const teamId = await createTeam(hub.server, adminHeaders);
      const roleId = await createRole(hub.server, adminHeaders);
      const created = await task('references go away', { teamId, assignedRoleId: roleId });
      await request(hub.server)
        .post(`/api/tasks/${created.id}/assign`)
        .set(adminHeaders)
        .send({ agentId: worker.id })
        .expect(200);
      await archive(created.id).expect(200);
      await request(hub.server).delete(`/api/agents/${worker.id}`).set(adminHeaders).expect(204);
      await request(hub.server).delete(`/api/teams/${teamId}`).set(adminHeaders).expect(204);

      const restored = dataOf<TaskDto>(await restore(created.id).expect(200));
      expect(restored).toMatchObject({
        teamId: null,
        assignedAgentId: null,
        assignedRoleId: roleId,
        status: 'assigned',
      });
      expect(await taskRow(db(), created.id)).toMatchObject({ assigned_agent_id: null, status: 'assigned' });
    });

    it('answers 404 for unknown ids on archive and restore', async () => {
      const unknown = randomUUID();
      expect(refusal(await archive(unknown))).toEqual({ status: 404, code: 'task_not_found' });
      expect(refusal(await restore(unknown))).toEqual({ status: 404, code: 'archived_task_not_found' });
      // An active task is not an archived one.
      const active = await task('active');
      expect(refusal(await restore(active.id))).toEqual({ status: 404, code: 'archived_task_not_found' });
      expect((await taskRow(db(), active.id))?.status).toBe('todo');
    });

    it('refuses a new task with the id of an archived one (409), so the archived task can still be restored', async () => {
      const shelved = await task('archived, id kept');
      await archive(shelved.id).expect(200);
      const reused = await request(hub.server)
        .post('/api/tasks')
        .set(adminHeaders)
        .send({ id: shelved.id, title: 'same id' });
      expect(refusal(reused)).toEqual({ status: 409, code: 'conflict' });
      expect(await ids('tasks')).not.toContain(shelved.id);
      expect(dataOf<TaskDto>(await restore(shelved.id).expect(200)).title).toBe(shelved.title);
    });

    it('refuses agents with 403 on archive and restore; nothing moves', async () => {
      const worker = await agent('archive-agent');
      const own = await task('the agent’s own task');
      await claimOne(worker);
      const shelved = await task('already archived');
      await archive(shelved.id).expect(200);

      expect(refusal(await archive(own.id, worker.headers))).toEqual({ status: 403, code: 'forbidden' });
      expect(refusal(await restore(shelved.id, worker.headers))).toEqual({ status: 403, code: 'forbidden' });
      expect(await ids('tasks')).toEqual([own.id]);
      expect(await ids('archived_tasks')).toEqual([shelved.id]);
    });
  });

  describe('retention job', () => {
    it('archives only finished tasks older than TASKS_RETENTION_DAYS, then purges archived ones older than ARCHIVED_TASKS_RETENTION_DAYS', async () => {
      const age = (id: string, interval: string) =>
        db().query(`UPDATE tasks SET updated_at = now() - $2::interval WHERE id = $1`, [id, interval]);
      const byStatus = async (status: TaskStatus, interval: string | null): Promise<TaskDto> => {
        const created = await task(`${status} ${interval ?? 'fresh'}`);
        await moveTo(hub.server, adminHeaders, created.id, status);
        if (interval) {
          await age(created.id, interval);
        }
        return dataOf<TaskDto>(await getTask(created.id).expect(200));
      };
      const oldFinished = [
        await byStatus('completed', '2 days'),
        await byStatus('failed', '2 days'),
        await byStatus('cancelled', '2 days'),
      ];
      const youngFinished = [await byStatus('completed', null), await byStatus('failed', '12 hours')];
      const oldUnfinished = [
        await byStatus('todo', '2 days'),
        await byStatus('in_progress', '2 days'),
        await byStatus('blocked', '2 days'),
      ];
      const worker = await agent('retention');
      const claimedOld = await task('assigned 2 days', { priority: 'critical' });
      expect((await claimOne(worker, { leaseSeconds: 3600 })).id).toBe(claimedOld.id);
      await age(claimedOld.id, '2 days');
      oldUnfinished.push(dataOf<TaskDto>(await getTask(claimedOld.id).expect(200)));
      const firstSlot = nextRetentionSlot();

      expect(await retention(hub.app).tick(firstSlot)).toBe(true);

      const stayed = [...youngFinished, ...oldUnfinished];
      expect(await ids('tasks')).toEqual(sorted(stayed.map((item) => item.id)));
      expect(await ids('archived_tasks')).toEqual(sorted(oldFinished.map((item) => item.id)));
      const archivedNow = await archivedList();
      for (const original of oldFinished) {
        const moved = archivedNow.find((item) => item.id === original.id);
        const { archivedAt, ...fields } = moved ?? ({} as ArchivedTaskDto);
        expect(Number.isNaN(Date.parse(archivedAt))).toBe(false);
        expect(fields).toEqual(original);
      }
      for (const kept of stayed) {
        expect((await taskRow(db(), kept.id))?.status).toBe(kept.status);
      }

      // Purge: two archived rows 3 days old go, one 1 day old and one fresh stay.
      const manual = youngFinished[0];
      await archive(manual.id).expect(200);
      const setArchivedAgo = (id: string, interval: string) =>
        db().query(`UPDATE archived_tasks SET archived_at = now() - $2::interval WHERE id = $1`, [id, interval]);
      await setArchivedAgo(oldFinished[0].id, '3 days');
      await setArchivedAgo(manual.id, '3 days');
      await setArchivedAgo(oldFinished[1].id, '1 day');
      const tasksBefore = await ids('tasks');

      const nextSlot = nextRetentionSlot();
      expect(nextSlot.getTime() - firstSlot.getTime()).toBe(RETENTION_PERIOD_SECONDS * 1000);
      expect(await retention(hub.app).tick(nextSlot)).toBe(true);

      expect(await ids('archived_tasks')).toEqual(sorted([oldFinished[1].id, oldFinished[2].id]));
      expect(await ids('tasks')).toEqual(tasksBefore);
    });
  });

  async function changeStatusOk(headers: Headers, id: string, status: TaskStatus): Promise<TaskDto> {
    const response = await request(hub.server).post(`/api/tasks/${id}/status`).set(headers).send({ status });
    expect({ id, status, answer: response.status }).toEqual({ id, status, answer: 200 });
    return dataOf<TaskDto>(response);
  }
});
