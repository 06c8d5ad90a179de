import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { HousekeepingJob } from '../../src/modules/scheduler/jobs/housekeeping.job.js';
import { createUser, tokenFor } from '../factories/user.factory.js';
import { call, dataOf, fieldsOf, refusal } from '../utils/api.js';
import type { KeyedRegistration, TaskDto } from '../utils/payloads.js';
import { sleep } from '../utils/poll.js';
import { RowCounter } from '../utils/row-counts.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import { TEST_AGENT_TOKEN } from '../utils/test-config.js';
import { bearer, type Headers } from '../utils/tokens.js';
import { slotStart, unique } from '../utils/values.js';

const REGISTRATION_TOKEN = 'an-idempotency-registration-token-0123';
const REPLAYED = 'idempotent-replayed';

interface KeyRow {
  scope: string;
  route: string;
  key: string;
  status_code: number | null;
  completed_at: Date | null;
}

/**
 * `Idempotency-Key` on POST /api/tasks, /api/scheduled-tasks and /api/agents/register (issue 12, item 3),
 * on one hub; concurrent duplicates across processes are in idempotency-processes.e2e-spec.ts.
 */
describe('Idempotency-Key (issue 12, item 3)', () => {
  let hub: TestApp;
  let rows: RowCounter;
  let alice: Headers;
  let bob: Headers;
  const hubToken = bearer(TEST_AGENT_TOKEN);

  beforeAll(async () => {
    // X-Forwarded-For gives each anonymous registration its own client address.
    hub = await startTestApp({ env: { REGISTRATION_TOKEN, TRUST_PROXY: 'true' } });
    rows = await RowCounter.connect(hub.database.url);
    alice = bearer(tokenFor(hub.config, (await createUser(hub.app, { role: 'user' })).user));
    bob = bearer(tokenFor(hub.config, (await createUser(hub.app, { role: 'user' })).user));
  });
  afterAll(async () => {
    await rows?.close();
    await hub?.close();
  });

  const db = (): DataSource => hub.app.get(DataSource);
  const post = (path: string, key: string | undefined, body: object, headers: Headers = hubToken): Promise<Response> =>
    call(hub.server, 'post', path, key === undefined ? headers : { ...headers, 'idempotency-key': key }, body);
  const keyRows = (key: string): Promise<KeyRow[]> =>
    db().query<KeyRow[]>(
      'SELECT scope, route, key, status_code, completed_at FROM idempotency_keys WHERE key = $1 ORDER BY scope',
      [key],
    );
  const tasksTitled = async (title: string): Promise<number> =>
    (await db().query<Array<{ n: number }>>('SELECT count(*)::int AS n FROM tasks WHERE title = $1', [title]))[0].n;

  describe('POST /api/tasks', () => {
    it('answers the same key and body again with the first answer, marked as a replay, and creates one task', async () => {
      const key = randomUUID();
      const body = { title: unique('idem'), priority: 'high', description: 'twice' };

      const first = await post('/api/tasks', key, body);
      // The same body with its keys in another order is the same request.
      const again = await post('/api/tasks', key, { description: 'twice', priority: 'high', title: body.title });

      expect(first.status).toBe(201);
      expect(first.headers[REPLAYED]).toBeUndefined();
      expect(again.status).toBe(201);
      expect(again.headers[REPLAYED]).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(dataOf<TaskDto>(again).id).toBe(dataOf<TaskDto>(first).id);
      expect(await tasksTitled(body.title)).toBe(1);
      expect(await keyRows(key)).toEqual([
        {
          scope: 'hub-token:hub-token',
          route: 'POST /api/tasks',
          key,
          status_code: 201,
          completed_at: expect.any(Date) as unknown,
        },
      ]);
    });

    it('refuses the same key with another body with 409 idempotency_key_reused and writes nothing', async () => {
      const key = randomUUID();
      const first = await post('/api/tasks', key, { title: unique('first') });
      expect(first.status).toBe(201);
      const before = await rows.counts();

      const other = await post('/api/tasks', key, { title: unique('other') });

      expect(refusal(other)).toEqual({ status: 409, code: 'idempotency_key_reused' });
      expect(other.headers[REPLAYED]).toBeUndefined();
      expect(await rows.counts()).toEqual(before);
    });

    it('keeps the keys of different callers apart: the same key and body from two users make two tasks', async () => {
      const key = randomUUID();
      const body = { title: unique('shared-key') };

      const fromAlice = await post('/api/tasks', key, body, alice);
      const fromBob = await post('/api/tasks', key, body, bob);
      const aliceAgain = await post('/api/tasks', key, body, alice);

      expect([fromAlice.status, fromBob.status]).toEqual([201, 201]);
      expect(fromBob.headers[REPLAYED]).toBeUndefined();
      expect(dataOf<TaskDto>(fromBob).id).not.toBe(dataOf<TaskDto>(fromAlice).id);
      expect(aliceAgain.headers[REPLAYED]).toBe('true');
      expect(dataOf<TaskDto>(aliceAgain).id).toBe(dataOf<TaskDto>(fromAlice).id);
      expect(await tasksTitled(body.title)).toBe(2);
      expect((await keyRows(key)).map((row) => row.scope.split(':')[0])).toEqual(['user', 'user']);
    });

    it('changes nothing without the header: two identical requests create two tasks and keep no key', async () => {
      const before = (await rows.counts()).idempotency_keys;
      const body = { title: unique('no-key') };

      const answers = [await post('/api/tasks', undefined, body), await post('/api/tasks', undefined, body)];

      expect(answers.map((answer) => [answer.status, answer.headers[REPLAYED]])).toEqual([
        [201, undefined],
        [201, undefined],
      ]);
      expect(await tasksTitled(body.title)).toBe(2);
      expect((await rows.counts()).idempotency_keys).toBe(before);
    });

    it.each([
      ['empty', ''],
      ['with a space', 'a b'],
      ['of 256 characters', 'k'.repeat(256)],
      ['not ASCII', 'schl\u00fcssel'],
    ])('refuses a key %s with 400 validation_failed naming Idempotency-Key, writing nothing', async (_what, key) => {
      const before = await rows.counts();

      const answer = await post('/api/tasks', key, { title: unique('bad-key') });

      expect(refusal(answer)).toEqual({ status: 400, code: 'validation_failed' });
      expect(fieldsOf(answer)).toEqual(['Idempotency-Key']);
      expect(await rows.counts()).toEqual(before);
    });

    it('keeps no error answer: after a 400 a corrected request with the same key runs', async () => {
      const key = randomUUID();
      const before = await rows.counts();

      const invalid = await post('/api/tasks', key, { title: '' });
      expect(refusal(invalid)).toEqual({ status: 400, code: 'validation_failed' });
      expect(await rows.counts()).toEqual(before);

      const corrected = await post('/api/tasks', key, { title: unique('corrected') });
      expect(corrected.status).toBe(201);
      expect(corrected.headers[REPLAYED]).toBeUndefined();
      expect(await keyRows(key)).toHaveLength(1);
    });

    it('treats a key first used more than 24 hours ago as new', async () => {
      const key = randomUUID();
      const body = { title: unique('expired') };
      const first = await post('/api/tasks', key, body);
      await db().query(`UPDATE idempotency_keys SET created_at = now() - interval '24 hours 1 second' WHERE key = $1`, [
        key,
      ]);

      const later = await post('/api/tasks', key, body);

      expect(later.status).toBe(201);
      expect(later.headers[REPLAYED]).toBeUndefined();
      expect(dataOf<TaskDto>(later).id).not.toBe(dataOf<TaskDto>(first).id);
      expect(await tasksTitled(body.title)).toBe(2);
      expect(await keyRows(key)).toHaveLength(1);
    });

    it('lets a duplicate wait for the first request and replay its answer once it is stored', async () => {
      const key = randomUUID();
      const body = { title: unique('waited') };
      const first = await post('/api/tasks', key, body);
      // Make the stored row look like a request still running, as a duplicate arriving meanwhile sees it.
      const [{ status_code: stored }] = await keyRows(key);
      await db().query(
        'UPDATE idempotency_keys SET status_code = NULL, completed_at = NULL, started_at = now() WHERE key = $1',
        [key],
      );

      const waiting = post('/api/tasks', key, body);
      await sleep(600);
      await db().query('UPDATE idempotency_keys SET status_code = $2, completed_at = now() WHERE key = $1', [
        key,
        stored,
      ]);
      const duplicate = await waiting;

      expect(duplicate.status).toBe(201);
      expect(duplicate.headers[REPLAYED]).toBe('true');
      expect(dataOf<TaskDto>(duplicate).id).toBe(dataOf<TaskDto>(first).id);
    });

    it('answers 409 idempotency_request_in_progress with Retry-After when the first request is still running after the wait', async () => {
      const key = randomUUID();
      const body = { title: unique('still-running') };
      await post('/api/tasks', key, body);
      await db().query(
        'UPDATE idempotency_keys SET status_code = NULL, completed_at = NULL, started_at = now() WHERE key = $1',
        [key],
      );
      const started = Date.now();

      const duplicate = await post('/api/tasks', key, body);

      expect(refusal(duplicate)).toEqual({ status: 409, code: 'idempotency_request_in_progress' });
      expect(duplicate.headers['retry-after']).toBe('2');
      expect(Date.now() - started).toBeGreaterThanOrEqual(4_500);
      expect(await tasksTitled(body.title)).toBe(1);
    }, 15_000);

    it('runs the request again when its first attempt went stale (its instance died before answering)', async () => {
      const key = randomUUID();
      const body = { title: unique('stale') };
      const first = await post('/api/tasks', key, body);
      await db().query(
        `UPDATE idempotency_keys SET status_code = NULL, response_sealed = NULL, completed_at = NULL,
                started_at = now() - interval '121 seconds' WHERE key = $1`,
        [key],
      );

      const retry = await post('/api/tasks', key, body);
      const replay = await post('/api/tasks', key, body);

      expect(retry.status).toBe(201);
      expect(retry.headers[REPLAYED]).toBeUndefined();
      expect(dataOf<TaskDto>(retry).id).not.toBe(dataOf<TaskDto>(first).id);
      expect(replay.headers[REPLAYED]).toBe('true');
      expect(dataOf<TaskDto>(replay).id).toBe(dataOf<TaskDto>(retry).id);
    });

    it('does not take over a stale attempt at another body: 409 idempotency_key_reused', async () => {
      const key = randomUUID();
      await post('/api/tasks', key, { title: unique('stale-first') });
      await db().query(
        `UPDATE idempotency_keys SET status_code = NULL, response_sealed = NULL, completed_at = NULL,
                started_at = now() - interval '1 hour' WHERE key = $1`,
        [key],
      );

      expect(refusal(await post('/api/tasks', key, { title: unique('stale-other') }))).toEqual({
        status: 409,
        code: 'idempotency_key_reused',
      });
    });
  });

  describe('POST /api/scheduled-tasks', () => {
    it('replays the created schedule for the same key and body, and creates one', async () => {
      const key = randomUUID();
      const body = { name: unique('idem-schedule'), intervalSeconds: 3600, task: { title: unique('blueprint') } };

      const first = await post('/api/scheduled-tasks', key, body);
      const again = await post('/api/scheduled-tasks', key, body);
      const other = await post('/api/scheduled-tasks', key, { ...body, intervalSeconds: 60 });

      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.headers[REPLAYED]).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(refusal(other)).toEqual({ status: 409, code: 'idempotency_key_reused' });
      const [{ n }] = await db().query<Array<{ n: number }>>(
        'SELECT count(*)::int AS n FROM scheduled_tasks WHERE name = $1',
        [body.name],
      );
      expect(n).toBe(1);
    });
  });

  describe('POST /api/agents/register', () => {
    const register = (key: string, body: object, headers: Headers): Promise<Response> =>
      request(hub.server).post('/api/agents/register').set({ 'idempotency-key': key }).set(headers).send(body);
    const anonymous = (address: string, token = REGISTRATION_TOKEN): Headers => ({
      'x-forwarded-for': address,
      'x-registration-token': token,
    });
    const agentBody = () => {
      const name = unique('idem-agent');
      return { name, url: `http://${name}.agents.test:5001` };
    };

    it('replays the registration with the same agent key (200), which still authenticates, and never stores it in clear', async () => {
      const key = randomUUID();
      const body = agentBody();

      const first = await register(key, body, anonymous('198.51.100.10'));
      const again = await register(key, body, anonymous('198.51.100.10'));

      expect(first.status).toBe(200);
      expect(again.status).toBe(200);
      expect(again.headers[REPLAYED]).toBe('true');
      expect(again.body).toEqual(first.body);
      const { agent, agentKey } = dataOf<KeyedRegistration>(again);
      expect(agentKey).toMatch(/^ak_/);
      const [row] = await db().query<Array<{ raw: string }>>(
        'SELECT idempotency_keys::text AS raw FROM idempotency_keys WHERE key = $1',
        [key],
      );
      expect(row.raw).not.toContain(agentKey);
      expect(row.raw).not.toContain(agentKey.slice(3));
      expect(row.raw).not.toContain(REGISTRATION_TOKEN);
      expect(row.raw).not.toContain(body.name);
      const heartbeat = await request(hub.server)
        .post(`/api/agents/${agent.id}/heartbeat`)
        .set(bearer(agentKey))
        .send({});
      expect(heartbeat.status).toBe(200);
    });

    it('gives no replay to an anonymous caller without the registration token, or from another address', async () => {
      const key = randomUUID();
      const body = agentBody();
      const first = await register(key, body, anonymous('198.51.100.20'));
      expect(first.status).toBe(200);

      const wrongToken = await register(key, body, anonymous('198.51.100.20', 'not-the-registration-token'));
      const noToken = await register(key, body, { 'x-forwarded-for': '198.51.100.20' });
      const elsewhere = await register(key, body, anonymous('198.51.100.21'));

      expect(refusal(wrongToken)).toEqual({ status: 401, code: 'unauthenticated' });
      expect(refusal(noToken)).toEqual({ status: 401, code: 'unauthenticated' });
      // The handler ran for the other address: the agent exists, so no new key is handed out.
      expect(elsewhere.status).toBe(200);
      expect(elsewhere.headers[REPLAYED]).toBeUndefined();
      expect(dataOf<Partial<KeyedRegistration>>(elsewhere).agentKey).toBeUndefined();
      expect(await keyRows(key)).toHaveLength(2);
    });
  });

  it('housekeeping deletes keys first used more than 24 hours ago and keeps the others', async () => {
    const [old, recent] = [randomUUID(), randomUUID()];
    expect((await post('/api/tasks', old, { title: unique('old') })).status).toBe(201);
    expect((await post('/api/tasks', recent, { title: unique('recent') })).status).toBe(201);
    await db().query(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1`, [old]);

    const slot = slotStart(new Date(Date.now() + 400 * 24 * 3_600_000), 600);
    expect(await hub.app.get(HousekeepingJob, { strict: false }).tick(slot)).toBe(true);

    expect(await keyRows(old)).toEqual([]);
    expect(await keyRows(recent)).toHaveLength(1);
  });

  it('documents the header, the replay marker on the status each route answers, and the 409', async () => {
    const document = (await request(hub.server).get('/api/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, OperationDoc>>;
    };
    interface OperationDoc {
      parameters?: Array<{ name: string; in: string; required?: boolean }>;
      responses: Record<string, { headers?: Record<string, unknown>; description?: string }>;
    }
    const routes: Array<[string, string]> = [
      ['/api/tasks', '201'],
      ['/api/scheduled-tasks', '201'],
      ['/api/agents/register', '200'],
    ];
    for (const [path, status] of routes) {
      const operation = document.paths[path].post;
      expect(operation.parameters).toContainEqual(
        expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false }),
      );
      expect(Object.keys(operation.responses[status].headers ?? {})).toEqual(['Idempotent-Replayed']);
      expect(operation.responses['409'].description).toContain('idempotency_key_reused');
    }
  });
});
