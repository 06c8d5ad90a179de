import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { pino } from 'pino';
import request from 'supertest';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app/create-app.js';
import { CallbackDispatcherService } from '../../src/modules/tasks/callbacks/callback-dispatcher.service.js';
import { fieldsOf } from '../utils/api.js';
import { CallbackReceiver, closedPort, expectedSignature, RECEIVER_HOST } from '../utils/callback-receiver.js';
import { errorBody, successBody } from '../utils/envelope.js';
import type { TaskDto } from '../utils/payloads.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import { TEST_AGENT_TOKEN, testConfig } from '../utils/test-config.js';
import { bearer } from '../utils/tokens.js';

/**
 * Task callbacks (SPEC sections 7 and 12): the outbox written with the status change, signed delivery, retries
 * with backoff, dead letters, no redirects, timeouts, restarts, two instances, and SSRF refusal at creation
 * and at send time.
 *
 * Network rule: every receiver listens on 127.0.0.1, every URL is an IP literal or `localhost`, and before each
 * dispatch the outbox is checked to hold loopback URLs only, so even a buggy hub cannot send a packet elsewhere.
 */

const LENIENT = { CALLBACK_ALLOW_PRIVATE_NETWORKS: 'true', SCHEDULER_ENABLED: 'false' };
const hubToken = bearer(TEST_AGENT_TOKEN);
const newSecret = (): string => `cb-secret-${randomBytes(16).toString('hex')}`;

interface DeliveryDto {
  id: string;
  event: string;
  status: 'pending' | 'delivered' | 'failed' | 'dead';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
}

interface DeliveryRow {
  id: string;
  task_id: string;
  url: string;
  body: string;
  status: string;
  attempts: number;
  created_at: Date;
}

interface CallbackBody {
  event: string;
  task: {
    id: string;
    status: string;
    parentTaskId: string | null;
    lastOutput: string | null;
    lastExitCode: number | null;
  };
  occurredAt: string;
  deliveryId: string;
}

const DELIVERY_FIELDS = [
  'attempts',
  'deliveredAt',
  'event',
  'id',
  'lastError',
  'lastStatusCode',
  'nextAttemptAt',
  'status',
].sort();

/** The internal spellings a strict hub must refuse (unit file callback-url-policy.spec.ts covers more). */
const INTERNAL_URLS = [
  'http://2130706433/',
  'http://0x7f000001/',
  'http://0177.0.0.1/',
  'http://127.1/',
  'http://[::1]/',
  'http://[::ffff:127.0.0.1]/',
  'http://169.254.169.254/latest/meta-data',
  'http://localhost/',
  'http://10.0.0.5:8080/',
  'http://0.0.0.0/',
];

describe('Task callbacks (SPEC sections 7 and 12)', () => {
  let hub: TestApp;
  const receivers: CallbackReceiver[] = [];
  const peers = new Set<NestFastifyApplication>();

  beforeAll(async () => {
    hub = await startTestApp({ env: LENIENT });
  });

  afterEach(async () => {
    for (const receiver of receivers.splice(0)) {
      await receiver.close();
    }
    for (const app of peers) {
      await app.close();
    }
    peers.clear();
    // Whatever a test left due is parked, so the next test's dispatches send only its own deliveries.
    await db().query(
      `UPDATE callback_deliveries SET next_attempt_at = now() + interval '1 day', locked_until = NULL
       WHERE status IN ('pending', 'failed')`,
    );
  });

  afterAll(async () => {
    for (const app of peers) {
      await app.close();
    }
    await hub?.close();
  });

  const db = (): DataSource => hub.app.get(DataSource);

  /** Another hub instance on the same database (closed after the test unless the test closes it). */
  async function peer(env: Record<string, string>): Promise<NestFastifyApplication> {
    const app = await createApp(testConfig({ DATABASE_URL: hub.database.url, ...env }), {
      logger: pino({ level: 'silent' }),
    });
    peers.add(app);
    return app;
  }

  async function closePeer(app: NestFastifyApplication): Promise<void> {
    peers.delete(app);
    await app.close();
  }

  async function receiver(port = 0): Promise<CallbackReceiver> {
    const started = await CallbackReceiver.start(port);
    receivers.push(started);
    return started;
  }

  /** Network guard: refuses to dispatch while any deliverable row points anywhere but 127.0.0.1. */
  async function assertOutboxIsLoopbackOnly(): Promise<void> {
    const rows = await db().query<Array<{ id: string; url: string }>>(
      `SELECT id, url FROM callback_deliveries WHERE status IN ('pending', 'failed')`,
    );
    const foreign = rows.filter((row) => ![RECEIVER_HOST, 'localhost'].includes(new URL(row.url).hostname));
    if (foreign.length > 0) {
      throw new Error(`network guard: refusing to dispatch deliveries to ${foreign.map((r) => r.url).join(', ')}`);
    }
  }

  /** One batch of due deliveries on `app` (the hub unless named), after the network guard. */
  async function dispatch(app: NestFastifyApplication = hub.app): Promise<number> {
    await assertOutboxIsLoopbackOnly();
    return app.get(CallbackDispatcherService, { strict: false }).dispatchDue();
  }

  /** Makes a scheduled retry due now instead of sleeping until it. */
  async function makeDue(deliveryId: string): Promise<void> {
    await db().query('UPDATE callback_deliveries SET next_attempt_at = now() WHERE id = $1', [deliveryId]);
  }

  async function createTask(body: object, server: Server = hub.server): Promise<Response> {
    return request(server).post('/api/tasks').set(hubToken).send(body);
  }

  async function newTask(body: object, server: Server = hub.server): Promise<TaskDto> {
    const response = await createTask({ title: `callback task ${randomBytes(4).toString('hex')}`, ...body }, server);
    expect(response.status).toBe(201);
    return successBody<TaskDto>(response).data;
  }

  async function changeStatus(id: string, body: object, server: Server = hub.server): Promise<Response> {
    return request(server).post(`/api/tasks/${id}/status`).set(hubToken).send(body);
  }

  async function moveTo(id: string, status: string, extra: object = {}, server: Server = hub.server): Promise<void> {
    const response = await changeStatus(id, { status, ...extra }, server);
    expect(response.status).toBe(200);
    expect(successBody<TaskDto>(response).data.status).toBe(status);
  }

  async function patchTask(id: string, body: object, server: Server = hub.server): Promise<Response> {
    return request(server).patch(`/api/tasks/${id}`).set(hubToken).send(body);
  }

  async function getTask(id: string): Promise<TaskDto> {
    const response = await request(hub.server).get(`/api/tasks/${id}`).set(hubToken);
    expect(response.status).toBe(200);
    return successBody<TaskDto>(response).data;
  }

  async function deliveryLog(taskId: string, server: Server = hub.server): Promise<DeliveryDto[]> {
    const response = await request(server).get(`/api/tasks/${taskId}/callbacks`).set(hubToken);
    expect(response.status).toBe(200);
    return successBody<DeliveryDto[]>(response).data;
  }

  async function onlyDelivery(taskId: string): Promise<DeliveryDto> {
    const log = await deliveryLog(taskId);
    expect(log).toHaveLength(1);
    return log[0];
  }

  async function deliveryRows(taskId: string): Promise<DeliveryRow[]> {
    return db().query<DeliveryRow[]>('SELECT * FROM callback_deliveries WHERE task_id = $1', [taskId]);
  }

  /** A task with a callback to `url` whose status was changed once, and its single delivery. */
  async function taskWithDelivery(
    url: string,
    secret = newSecret(),
    server: Server = hub.server,
  ): Promise<{ task: TaskDto; deliveryId: string; secret: string }> {
    const task = await newTask({ callbackUrl: url, callbackSecret: secret }, server);
    await moveTo(task.id, 'in_progress', {}, server);
    const rows = await deliveryRows(task.id);
    expect(rows).toHaveLength(1);
    return { task, deliveryId: rows[0].id, secret };
  }

  describe('the outbox', () => {
    it('writes no delivery when a task is created or patched without a status change', async () => {
      const secret = newSecret();
      const response = await createTask({
        title: 'outbox: create',
        callbackUrl: 'http://127.0.0.1:9/hook',
        callbackSecret: secret,
      });
      expect(response.status).toBe(201);
      const task = successBody<TaskDto>(response).data;
      expect(task.callbackUrl).toBe('http://127.0.0.1:9/hook');
      expect(JSON.stringify(response.body)).not.toContain(secret);
      expect(Object.keys(task)).not.toContain('callbackSecret');
      expect(await deliveryRows(task.id)).toHaveLength(0);

      const patched = await patchTask(task.id, { title: 'outbox: renamed', description: 'changed', priority: 'high' });
      expect(patched.status).toBe(200);
      expect(JSON.stringify(patched.body)).not.toContain(secret);
      const repointed = await patchTask(task.id, {
        callbackUrl: 'http://127.0.0.1:10/hook',
        callbackSecret: newSecret(),
      });
      expect(repointed.status).toBe(200);
      expect(await deliveryRows(task.id)).toHaveLength(0);
      expect(await deliveryLog(task.id)).toEqual([]);
    });

    it('refuses a callbackUrl without a callbackSecret (400) and stores nothing', async () => {
      const title = `outbox: no secret ${randomBytes(4).toString('hex')}`;
      const response = await createTask({ title, callbackUrl: 'http://127.0.0.1:9/hook' });
      expect(response.status).toBe(400);
      expect(fieldsOf(response)).toContain('callbackSecret');
      const short = await createTask({ title, callbackUrl: 'http://127.0.0.1:9/hook', callbackSecret: 'too-short' });
      expect(short.status).toBe(400);
      expect(fieldsOf(short)).toContain('callbackSecret');
      expect(await db().query('SELECT id FROM tasks WHERE title = $1', [title])).toHaveLength(0);
    });

    it('writes exactly one delivery per status change, in the status change’s transaction', async () => {
      const task = await newTask({ callbackUrl: 'http://127.0.0.1:9/hook', callbackSecret: newSecret() });

      // A "change" to the current status changes nothing and writes nothing (accepted or refused).
      const same = await changeStatus(task.id, { status: 'todo' });
      expect([200, 409]).toContain(same.status);
      expect(await deliveryRows(task.id)).toHaveLength(0);

      await moveTo(task.id, 'in_progress');
      const rows = await deliveryRows(task.id);
      expect(rows).toHaveLength(1);
      expect(rows[0].url).toBe('http://127.0.0.1:9/hook');
      expect((JSON.parse(rows[0].body) as CallbackBody).task.status).toBe('in_progress');
      // now() is the transaction's start: the row and the task's update share it only inside one transaction.
      const [{ updated_at: updatedAt }] = await db().query<Array<{ updated_at: Date }>>(
        'SELECT updated_at FROM tasks WHERE id = $1',
        [task.id],
      );
      expect(rows[0].created_at.toISOString()).toBe(updatedAt.toISOString());

      const log = await deliveryLog(task.id);
      expect(log).toHaveLength(1);
      expect(Object.keys(log[0]).sort()).toEqual(DELIVERY_FIELDS);
      expect(log[0]).toMatchObject({
        id: rows[0].id,
        event: 'task.status_changed',
        status: 'pending',
        attempts: 0,
        lastStatusCode: null,
        lastError: null,
        deliveredAt: null,
      });
      expect(log[0].nextAttemptAt).not.toBeNull();

      await moveTo(task.id, 'completed', { output: 'done', exitCode: 0 });
      expect(await deliveryRows(task.id)).toHaveLength(2);
    });

    it('rolls the status change back when the delivery cannot be written (one transaction)', async () => {
      const task = await newTask({ callbackUrl: 'http://127.0.0.1:9/hook', callbackSecret: newSecret() });
      await db().query(
        `CREATE OR REPLACE FUNCTION test_refuse_callback_delivery() RETURNS trigger LANGUAGE plpgsql AS
         $$ BEGIN RAISE EXCEPTION 'test: the outbox refuses this row'; END $$`,
      );
      await db().query(
        `CREATE TRIGGER test_refuse_callback_delivery BEFORE INSERT ON callback_deliveries FOR EACH ROW
         WHEN (NEW.task_id = '${task.id}') EXECUTE FUNCTION test_refuse_callback_delivery()`,
      );
      try {
        const response = await changeStatus(task.id, { status: 'in_progress' });
        expect(response.status).toBeGreaterThanOrEqual(500);
      } finally {
        await db().query('DROP TRIGGER test_refuse_callback_delivery ON callback_deliveries');
        await db().query('DROP FUNCTION test_refuse_callback_delivery()');
      }
      const after = await getTask(task.id);
      expect(after.status).toBe('todo');
      expect(after.version).toBe(task.version);
      expect(await deliveryRows(task.id)).toHaveLength(0);
    });

    it('writes no delivery for a task without a callback, or after the callback was removed', async () => {
      const plain = await newTask({});
      await moveTo(plain.id, 'in_progress');
      expect(await deliveryRows(plain.id)).toHaveLength(0);

      const removed = await newTask({ callbackUrl: 'http://127.0.0.1:9/hook', callbackSecret: newSecret() });
      const cleared = await patchTask(removed.id, { callbackUrl: null });
      expect(cleared.status).toBe(200);
      expect(successBody<TaskDto>(cleared).data.callbackUrl).toBeNull();
      await moveTo(removed.id, 'in_progress');
      expect(await deliveryRows(removed.id)).toHaveLength(0);
    });
  });

  describe('delivery', () => {
    it('retries a receiver that fails twice (500, 503) and delivers, signed, on the third request', async () => {
      const hook = (await receiver()).reply(500, 503, 204);
      const secret = newSecret();
      const parent = await newTask({});
      const task = await newTask({ parentTaskId: parent.id, callbackUrl: hook.url, callbackSecret: secret });
      const changedFrom = Date.now();
      await moveTo(task.id, 'in_progress', { output: 'step 1 of 3' });
      const { id: deliveryId } = await onlyDelivery(task.id);
      expect(hook.requests).toHaveLength(0); // nothing is sent before a dispatch (the worker is off)

      // Attempt 1: 500.
      const before1 = Date.now();
      expect(await dispatch()).toBe(1);
      const after1 = Date.now();
      expect(hook.requests).toHaveLength(1);
      const first = await onlyDelivery(task.id);
      expect(first).toMatchObject({ id: deliveryId, status: 'failed', attempts: 1, lastStatusCode: 500 });
      expect(first.lastError).toEqual(expect.any(String));
      expect(first.deliveredAt).toBeNull();
      const retryAt = Date.parse(first.nextAttemptAt!);
      expect(retryAt).toBeGreaterThanOrEqual(before1 + 1_000 - 100);
      expect(retryAt).toBeLessThanOrEqual(after1 + 1_000 + 100);

      // Not due yet: a dispatch right away sends nothing.
      expect(await dispatch()).toBe(0);
      expect(hook.requests).toHaveLength(1);

      // Attempt 2: 503, next retry about 2 s later.
      await makeDue(deliveryId);
      const before2 = Date.now();
      expect(await dispatch()).toBe(1);
      const after2 = Date.now();
      const second = await onlyDelivery(task.id);
      expect(second).toMatchObject({ status: 'failed', attempts: 2, lastStatusCode: 503, deliveredAt: null });
      expect(Date.parse(second.nextAttemptAt!)).toBeGreaterThanOrEqual(before2 + 2_000 - 100);
      expect(Date.parse(second.nextAttemptAt!)).toBeLessThanOrEqual(after2 + 2_000 + 100);

      // Attempt 3: 204, delivered.
      await makeDue(deliveryId);
      expect(await dispatch()).toBe(1);
      const delivered = await onlyDelivery(task.id);
      expect(delivered).toMatchObject({
        id: deliveryId,
        event: 'task.status_changed',
        status: 'delivered',
        attempts: 3,
        lastStatusCode: 204,
        lastError: null,
        nextAttemptAt: null,
      });
      expect(delivered.deliveredAt).not.toBeNull();
      expect(Date.parse(delivered.deliveredAt!)).toBeGreaterThanOrEqual(changedFrom);

      // Exactly three requests, each a signed POST of the same JSON body.
      expect(hook.requests).toHaveLength(3);
      for (const received of hook.requests) {
        expect(received.method).toBe('POST');
        expect(received.path).toBe('/hook');
        expect(received.headers['content-type']).toMatch(/^application\/json\b/);
        expect(received.headers['x-ananta-signature']).toBe(expectedSignature(received.raw, secret));
        expect(received.raw.equals(hook.requests[0].raw)).toBe(true);
      }
      const third = hook.requests[2];
      expect(third.headers['x-ananta-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(third.headers['x-ananta-signature']).toBe(expectedSignature(third.raw, secret));
      expect(third.headers['x-ananta-signature']).not.toBe(expectedSignature(third.raw, newSecret()));
      const body = JSON.parse(third.raw.toString('utf8')) as CallbackBody;
      expect(body).toEqual({
        event: 'task.status_changed',
        task: {
          id: task.id,
          status: 'in_progress',
          parentTaskId: parent.id,
          lastOutput: 'step 1 of 3',
          lastExitCode: null,
        },
        occurredAt: expect.any(String),
        deliveryId,
      });
      expect(Date.parse(body.occurredAt)).toBeGreaterThanOrEqual(changedFrom - 1_000);
      expect(Date.parse(body.occurredAt)).toBeLessThanOrEqual(Date.now());

      // Delivered means done: later dispatches send nothing more.
      await makeDue(deliveryId);
      expect(await dispatch()).toBe(0);
      expect(hook.requests).toHaveLength(3);
    });

    it('carries the final status, output and exit code of each change in its own delivery', async () => {
      const hook = await receiver();
      const secret = newSecret();
      const task = await newTask({ callbackUrl: hook.url, callbackSecret: secret });
      await moveTo(task.id, 'in_progress');
      await moveTo(task.id, 'failed', { output: 'boom', exitCode: 3 });
      expect(await dispatch()).toBe(2);
      const bodies = hook.requests.map((received) => JSON.parse(received.raw.toString('utf8')) as CallbackBody);
      expect(bodies.map((body) => body.task.status).sort()).toEqual(['failed', 'in_progress']);
      expect(bodies.find((body) => body.task.status === 'failed')?.task).toMatchObject({
        lastOutput: 'boom',
        lastExitCode: 3,
      });
      expect(new Set(bodies.map((body) => body.deliveryId)).size).toBe(2);
      for (const received of hook.requests) {
        expect(received.headers['x-ananta-signature']).toBe(expectedSignature(received.raw, secret));
      }
      expect((await deliveryLog(task.id)).map((delivery) => delivery.status)).toEqual(['delivered', 'delivered']);
    });

    it('marks a delivery dead after CALLBACK_MAX_ATTEMPTS failures and never sends it again', async () => {
      const app = await peer({ ...LENIENT, CALLBACK_MAX_ATTEMPTS: '3' });
      const hook = await receiver();
      hook.fallback = 500;
      const { task, deliveryId } = await taskWithDelivery(hook.url);

      expect(await dispatch(app)).toBe(1);
      expect(await onlyDelivery(task.id)).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: 500 });
      await makeDue(deliveryId);
      expect(await dispatch(app)).toBe(1);
      expect(await onlyDelivery(task.id)).toMatchObject({ status: 'failed', attempts: 2, lastStatusCode: 500 });
      await makeDue(deliveryId);
      expect(await dispatch(app)).toBe(1);
      expect(hook.requests).toHaveLength(3);
      const dead = await onlyDelivery(task.id);
      expect(dead).toMatchObject({
        status: 'dead',
        attempts: 3,
        lastStatusCode: 500,
        deliveredAt: null,
        nextAttemptAt: null,
      });

      await makeDue(deliveryId);
      expect(await dispatch(app)).toBe(0);
      expect(await dispatch(hub.app)).toBe(0);
      expect(hook.requests).toHaveLength(3);
      expect(await onlyDelivery(task.id)).toMatchObject({ status: 'dead', attempts: 3 });
    });

    it('follows no redirect: a 302 is a failure and its Location receives nothing', async () => {
      const elsewhere = await receiver();
      const hook = (await receiver()).reply({ status: 302, headers: { location: `${elsewhere.origin}/` } });
      const { task } = await taskWithDelivery(hook.url);

      expect(await dispatch()).toBe(1);
      expect(hook.requests).toHaveLength(1);
      expect(elsewhere.requests).toHaveLength(0);
      expect(elsewhere.connections).toBe(0);
      const log = await onlyDelivery(task.id);
      expect(log).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: 302, deliveredAt: null });
      expect(log.nextAttemptAt).not.toBeNull();
    });

    it('gives up on a receiver that never answers after CALLBACK_TIMEOUT_SECONDS', async () => {
      const app = await peer({ ...LENIENT, CALLBACK_TIMEOUT_SECONDS: '1' });
      const hook = (await receiver()).reply('hang');
      const { task } = await taskWithDelivery(hook.url);

      const started = Date.now();
      expect(await dispatch(app)).toBe(1);
      const elapsed = Date.now() - started;
      expect(hook.requests).toHaveLength(1);
      expect(elapsed).toBeLessThan(5_000); // generous bound around the 1 s timeout
      const log = await onlyDelivery(task.id);
      expect(log).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: null, deliveredAt: null });
      expect(log.lastError).toMatch(/time(d)?\s?out/i);
    });

    it('survives a restart: a delivery that failed before the restart is delivered by the new instance', async () => {
      const port = await closedPort();
      const url = `http://${RECEIVER_HOST}:${port}/hook`;
      const before = await peer(LENIENT);
      const { task, deliveryId, secret } = await taskWithDelivery(url, newSecret(), before.getHttpServer());

      expect(await dispatch(before)).toBe(1);
      const failed = await onlyDelivery(task.id);
      expect(failed).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: null });
      expect(failed.lastError).toMatch(/ECONNREFUSED|refused/i);
      await closePeer(before);

      const after = await peer(LENIENT);
      const hook = await receiver(port);
      await makeDue(deliveryId);
      expect(await dispatch(after)).toBe(1);
      expect(hook.requests).toHaveLength(1);
      expect(hook.requests[0].headers['x-ananta-signature']).toBe(expectedSignature(hook.requests[0].raw, secret));
      expect((JSON.parse(hook.requests[0].raw.toString('utf8')) as CallbackBody).deliveryId).toBe(deliveryId);
      expect(await deliveryLog(task.id, after.getHttpServer())).toEqual([
        expect.objectContaining({ id: deliveryId, status: 'delivered', attempts: 2, lastStatusCode: 204 }),
      ]);
    });

    it('never sends one delivery twice when two instances dispatch concurrently', async () => {
      const other = await peer(LENIENT);
      const hook = await receiver();
      hook.fallback = { status: 204, delayMs: 20 };
      const secret = newSecret();
      const tasks = await Promise.all(
        Array.from({ length: 20 }, () => newTask({ callbackUrl: hook.url, callbackSecret: secret })),
      );
      for (const task of tasks) {
        await moveTo(task.id, 'in_progress');
        await moveTo(task.id, 'completed', { output: 'ok', exitCode: 0 });
      }
      const taskIds = tasks.map((task) => task.id);
      const expected = await db().query<Array<{ id: string }>>(
        'SELECT id FROM callback_deliveries WHERE task_id = ANY($1::uuid[])',
        [taskIds],
      );
      expect(expected).toHaveLength(40);

      let rounds = 0;
      for (;;) {
        rounds += 1;
        expect(rounds).toBeLessThanOrEqual(20);
        const sent = await Promise.all([dispatch(hub.app), dispatch(other), dispatch(hub.app), dispatch(other)]);
        if (sent.every((count) => count === 0)) {
          break;
        }
      }

      const received = hook.requests.map((r) => (JSON.parse(r.raw.toString('utf8')) as CallbackBody).deliveryId);
      const counts = new Map<string, number>();
      for (const id of received) {
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      expect([...counts].filter(([, count]) => count > 1)).toEqual([]);
      expect([...counts.keys()].sort()).toEqual(expected.map((row) => row.id).sort());
      expect(hook.requests).toHaveLength(40);
      const states = await db().query<Array<{ status: string; attempts: number; n: number }>>(
        `SELECT status, attempts, count(*)::int AS n FROM callback_deliveries WHERE task_id = ANY($1::uuid[])
         GROUP BY status, attempts`,
        [taskIds],
      );
      expect(states).toEqual([{ status: 'delivered', attempts: 1, n: 40 }]);
    });
  });

  describe('SSRF defence with CALLBACK_ALLOW_PRIVATE_NETWORKS at its default (false)', () => {
    let strict: NestFastifyApplication;
    let strictServer: Server;

    beforeAll(async () => {
      strict = await createApp(testConfig({ DATABASE_URL: hub.database.url }), { logger: pino({ level: 'silent' }) });
      strictServer = strict.getHttpServer();
    });
    afterAll(async () => {
      // Belt and braces for the network rule: a URL that slipped through is never left for a dispatcher.
      await db().query(`UPDATE tasks SET callback_url = NULL, callback_secret_sealed = NULL WHERE title LIKE 'ssrf:%'`);
      await strict?.close();
    });

    it('is really strict (config check)', () => {
      expect(testConfig({ DATABASE_URL: hub.database.url }).callbacks.allowPrivateNetworks).toBe(false);
    });

    it.each(INTERNAL_URLS)(
      'refuses callbackUrl %s at creation (400 naming callbackUrl), storing nothing',
      async (url) => {
        const title = `ssrf: create ${randomBytes(4).toString('hex')}`;
        const response = await createTask({ title, callbackUrl: url, callbackSecret: newSecret() }, strictServer);
        expect(response.status).toBe(400);
        expect(errorBody(response).data.code).toBe('validation_failed');
        expect(fieldsOf(response)).toContain('callbackUrl');
        expect(await db().query('SELECT id FROM tasks WHERE title = $1', [title])).toHaveLength(0);
      },
    );

    it.each(INTERNAL_URLS)(
      'refuses callbackUrl %s in a PATCH (400 naming callbackUrl), storing nothing',
      async (url) => {
        const task = await newTask({ title: `ssrf: patch ${randomBytes(4).toString('hex')}` }, strictServer);
        const response = await patchTask(task.id, { callbackUrl: url, callbackSecret: newSecret() }, strictServer);
        expect(response.status).toBe(400);
        expect(errorBody(response).data.code).toBe('validation_failed');
        expect(fieldsOf(response)).toContain('callbackUrl');
        const [row] = await db().query<
          Array<{ callback_url: string | null; callback_secret_sealed: string | null; version: number }>
        >('SELECT callback_url, callback_secret_sealed, version FROM tasks WHERE id = $1', [task.id]);
        expect(row).toEqual({ callback_url: null, callback_secret_sealed: null, version: task.version });
      },
    );

    it('refuses at send time what was allowed at creation: no request reaches 127.0.0.1', async () => {
      const hook = await receiver();
      // Created on the lenient hub, sent by the strict instance on the same database.
      const { task, deliveryId } = await taskWithDelivery(hook.url);

      expect(await dispatch(strict)).toBe(1);
      expect(hook.requests).toHaveLength(0);
      expect(hook.connections).toBe(0);
      const log = await onlyDelivery(task.id);
      expect(log).toMatchObject({ id: deliveryId, status: 'failed', attempts: 1, lastStatusCode: null });
      expect(log.lastError).toMatch(/not allowed|private/i);
    });

    it('checks the resolved address at connect time: a host name resolving to loopback gets no request', async () => {
      const hook = await receiver();
      // localhost resolves from /etc/hosts; the strict sender must refuse the address it resolved to.
      const { task } = await taskWithDelivery(`http://localhost:${hook.port}/hook`);

      expect(await dispatch(strict)).toBe(1);
      expect(hook.requests).toHaveLength(0);
      expect(hook.connections).toBe(0);
      const log = await onlyDelivery(task.id);
      expect(log).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: null });
      expect(log.lastError).toMatch(/not allowed|private/i);
    });
  });
});
