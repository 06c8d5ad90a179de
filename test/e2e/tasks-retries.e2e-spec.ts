import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { LeaseExpiryJob } from '../../src/modules/scheduler/jobs/lease-expiry.job.js';
import { TaskTimeoutJob } from '../../src/modules/scheduler/jobs/task-timeout.job.js';
import { createUser, tokenFor } from '../factories/user.factory.js';
import { allAuditEntries, dataOf, fieldsOf, refusal } from '../utils/api.js';
import type { Page, TaskDto } from '../utils/payloads.js';
import { claim, historyTypes, type QueueAgent, registerAgent } from '../utils/queue-helpers.js';
import { type HubPair, startHubPair } from '../utils/sessions-helpers.js';
import { TEST_AGENT_TOKEN } from '../utils/test-config.js';
import { bearer, type Headers } from '../utils/tokens.js';

const ENV = { TRUST_PROXY: 'true' };
const PERIOD_MS = 15_000;
/** Tick slots far from the real clock, so the jobs' real timers never take them. */
const SLOT_BASE_MS = Date.UTC(2032, 0, 1);

/**
 * Retries and timeouts per task (issue 12, item 2), on two hub instances sharing one database: a failure, an
 * expired lease or a timeout sends a task with attempts left back to the queue after a backoff; when they run
 * out it ends failed with reason attempts_exhausted, listed as a dead letter; a timeout fires once.
 */
describe('Task retries, backoff, dead letters and timeouts', () => {
  let pair: HubPair;
  let adminToken: string;
  let admin: Headers;
  let slot = 0;
  const hubToken = bearer(TEST_AGENT_TOKEN);

  beforeAll(async () => {
    pair = await startHubPair(ENV);
    adminToken = tokenFor(pair.a.config, (await createUser(pair.a.app, { role: 'admin' })).user);
    admin = bearer(adminToken);
  });
  afterAll(() => pair?.close());
  beforeEach(async () => {
    await db().query('DELETE FROM tasks');
  });

  const server = () => pair.a.server;
  const db = (): DataSource => pair.a.app.get(DataSource);
  const agent = (label: string): Promise<QueueAgent> => registerAgent(server(), hubToken, label);
  const create = async (body: object): Promise<TaskDto> =>
    dataOf<TaskDto>(
      await request(server())
        .post('/api/tasks')
        .set(admin)
        .send({ title: 'retried', ...body })
        .expect(201),
    );
  const read = async (id: string): Promise<TaskDto> =>
    dataOf<TaskDto>(await request(server()).get(`/api/tasks/${id}`).set(admin).expect(200));
  const report = (worker: QueueAgent, id: string, status: string) =>
    request(server())
      .post(`/api/tasks/${id}/status`)
      .set(worker.headers)
      .send({ status, output: `reported ${status}` });
  /** The backoff has passed: the retry becomes claimable now (instead of waiting for it in the test). */
  const backoffOver = (id: string) => db().query(`UPDATE tasks SET available_at = now() WHERE id = $1`, [id]);
  const nextSlot = (): Date => new Date(SLOT_BASE_MS + ++slot * PERIOD_MS);
  /** One tick of a system job, fired by both instances for the same slot. */
  async function tickBoth(type: typeof LeaseExpiryJob | typeof TaskTimeoutJob): Promise<boolean[]> {
    const at = nextSlot();
    const tick = (app: NestFastifyApplication): Promise<boolean> =>
      app.get<LeaseExpiryJob | TaskTimeoutJob>(type, { strict: false }).tick(at);
    return Promise.all([tick(pair.a.app), tick(pair.b.app)]);
  }
  async function claimAndStart(worker: QueueAgent, id: string): Promise<void> {
    expect(dataOf<TaskDto>(await claim(server(), worker.headers).expect(200)).id).toBe(id);
    await report(worker, id, 'in_progress').expect(200);
  }

  it('retries a reported failure after the backoff until attempts run out, then lists it as a dead letter', async () => {
    const worker = await agent('retry');
    const task = await create({ maxAttempts: 3, retryBackoffSeconds: 30 });
    expect(task).toMatchObject({ attempt: 1, maxAttempts: 3, retryBackoffSeconds: 30, availableAt: null });

    for (const attempt of [1, 2]) {
      await claimAndStart(worker, task.id);
      const before = Date.now();
      const retried = dataOf<TaskDto>(await report(worker, task.id, 'failed').expect(200));
      expect(retried).toMatchObject({
        status: 'todo',
        attempt: attempt + 1,
        assignedAgentId: null,
        leaseExpiresAt: null,
        lastOutput: 'reported failed',
        failureReason: null,
      });
      // Between half and all of 30 s doubled per attempt before: not claimable before then.
      const delayMs = Date.parse(retried.availableAt!) - before;
      expect(delayMs).toBeGreaterThanOrEqual(30_000 * 2 ** (attempt - 1) * 0.5 - 1_000);
      expect(delayMs).toBeLessThanOrEqual(30_000 * 2 ** (attempt - 1) + 1_000);
      expect((await claim(server(), worker.headers)).status).toBe(204);
      await backoffOver(task.id);
    }

    await claimAndStart(worker, task.id);
    const dead = dataOf<TaskDto>(await report(worker, task.id, 'failed').expect(200));
    expect(dead).toMatchObject({ status: 'failed', attempt: 3, failureReason: 'attempts_exhausted' });
    expect(historyTypes(dead.history).filter((type) => type === 'retry_scheduled')).toHaveLength(2);
    expect(dead.history.at(-1)).toMatchObject({
      type: 'status_changed',
      details: { from: 'in_progress', to: 'failed', reason: 'attempts_exhausted', attempt: 3 },
    });

    const other = await create({ title: 'failed once, no retries' });
    await claimAndStart(worker, other.id);
    expect(dataOf<TaskDto>(await report(worker, other.id, 'failed').expect(200))).toMatchObject({
      status: 'failed',
      failureReason: null,
    });
    const deadLetters = dataOf<Page<TaskDto>>(
      await request(server()).get('/api/tasks?status=failed&reason=attempts_exhausted').set(admin).expect(200),
    );
    expect(deadLetters.items.map((item) => item.id)).toEqual([task.id]);
  });

  it('counts an expired lease as an attempt when the task has retries, and ends it failed when they run out', async () => {
    const worker = await agent('lease');
    const task = await create({ maxAttempts: 2 });
    await claimAndStart(worker, task.id);
    const expire = () =>
      db().query(`UPDATE tasks SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [task.id]);

    await expire();
    expect((await tickBoth(LeaseExpiryJob)).filter(Boolean)).toHaveLength(1);
    const retried = await read(task.id);
    expect(retried).toMatchObject({ status: 'todo', attempt: 2, assignedAgentId: null });
    expect(retried.history.at(-1)).toMatchObject({ type: 'retry_scheduled', details: { cause: 'lease_expired' } });
    expect(retried.availableAt).not.toBeNull();

    await backoffOver(task.id);
    await claimAndStart(worker, task.id);
    await expire();
    await tickBoth(LeaseExpiryJob);
    expect(await read(task.id)).toMatchObject({ status: 'failed', attempt: 2, failureReason: 'attempts_exhausted' });
  });

  it('still returns a task without retries to todo when its lease expires, uncounted (SPEC section 7)', async () => {
    const worker = await agent('plain-lease');
    const task = await create({});
    await claimAndStart(worker, task.id);
    await db().query(`UPDATE tasks SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [task.id]);
    await tickBoth(LeaseExpiryJob);
    expect(await read(task.id)).toMatchObject({ status: 'todo', attempt: 1, availableAt: null, failureReason: null });
  });

  it('times out an attempt in progress too long exactly once, retrying it while attempts remain', async () => {
    const worker = await agent('timeout');
    const single = await create({ title: 'one attempt', timeoutSeconds: 60 });
    const retried = await create({ title: 'two attempts', timeoutSeconds: 60, maxAttempts: 2 });
    for (const task of [single, retried]) {
      await claimAndStart(worker, task.id);
      expect((await read(task.id)).startedAt).not.toBeNull();
    }
    // Not yet: nothing happens.
    expect((await tickBoth(TaskTimeoutJob)).filter(Boolean)).toHaveLength(1);
    expect((await read(single.id)).status).toBe('in_progress');

    await db().query(`UPDATE tasks SET started_at = now() - interval '61 seconds'`);
    await tickBoth(TaskTimeoutJob);
    await tickBoth(TaskTimeoutJob);
    const failed = await read(single.id);
    expect(failed).toMatchObject({ status: 'failed', failureReason: 'timed_out', startedAt: null });
    expect(historyTypes(failed.history).filter((type) => type === 'timed_out')).toHaveLength(1);
    const again = await read(retried.id);
    expect(again).toMatchObject({ status: 'todo', attempt: 2, failureReason: null });
    expect(historyTypes(again.history).filter((type) => type === 'retry_scheduled')).toHaveLength(1);
    expect(again.history.at(-1)).toMatchObject({ details: { cause: 'timed_out' } });
  });

  it('lets an administrator re-queue a dead letter, starting its attempts over, audited', async () => {
    const worker = await agent('requeue');
    const task = await create({ maxAttempts: 2 });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      await backoffOver(task.id);
      await claimAndStart(worker, task.id);
      await report(worker, task.id, 'failed').expect(200);
    }
    expect((await read(task.id)).failureReason).toBe('attempts_exhausted');

    const requeued = dataOf<TaskDto>(
      await request(server()).post(`/api/tasks/${task.id}/status`).set(admin).send({ status: 'todo' }).expect(200),
    );
    expect(requeued).toMatchObject({ status: 'todo', attempt: 1, availableAt: null, failureReason: null });
    const [entry] = await allAuditEntries(server(), adminToken, `action=task.requeued&targetId=${task.id}`);
    expect(entry).toMatchObject({ outcome: 'success', details: { attempts: 2, reason: 'attempts_exhausted' } });
  });

  it('refuses retry settings out of range with 400 naming the field, creating and changing nothing', async () => {
    for (const [field, value] of [
      ['maxAttempts', 0],
      ['maxAttempts', 101],
      ['maxAttempts', 1.5],
      ['retryBackoffSeconds', 0],
      ['retryBackoffSeconds', 86_401],
      ['timeoutSeconds', 0],
      ['timeoutSeconds', 'soon'],
    ] as const) {
      const response = await request(server())
        .post('/api/tasks')
        .set(admin)
        .send({ title: 'bad', [field]: value });
      expect({ field, value, ...refusal(response) }).toEqual({ field, value, status: 400, code: 'validation_failed' });
      expect(fieldsOf(response)).toContain(field);
    }
    expect(await db().query('SELECT count(*)::int AS n FROM tasks')).toEqual([{ n: 0 }]);

    const task = await create({});
    const patched = dataOf<TaskDto>(
      await request(server())
        .patch(`/api/tasks/${task.id}`)
        .set(admin)
        .send({ maxAttempts: 5, retryBackoffSeconds: 2, timeoutSeconds: null })
        .expect(200),
    );
    expect(patched).toMatchObject({ maxAttempts: 5, retryBackoffSeconds: 2, timeoutSeconds: null });
    const refused = await request(server()).patch(`/api/tasks/${task.id}`).set(admin).send({ maxAttempts: 0 });
    expect(refusal(refused)).toEqual({ status: 400, code: 'validation_failed' });
    expect((await read(task.id)).maxAttempts).toBe(5);
  });
});
