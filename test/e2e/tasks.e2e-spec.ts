import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { createUser, tokenFor } from '../factories/user.factory.js';
import { answer, call, fieldsOf, type Method, objectDetailsOf, refusal } from '../utils/api.js';
import { successBody } from '../utils/envelope.js';
import type {
  AuditEntry,
  KeyedRegistration,
  Page,
  TaskDto,
  TaskHistoryEntry,
  TaskPage,
  TaskStatus,
} from '../utils/payloads.js';
import { sleep } from '../utils/poll.js';
import { PATH_TO, plusMs, PRIORITY_RANK, TASK_FIELDS } from '../utils/tasks-lifecycle-helpers.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import { TEST_AGENT_TOKEN } from '../utils/test-config.js';
import { bearer, type Headers } from '../utils/tokens.js';
import { keyPathsMatching, UUID } from '../utils/values.js';

interface Person {
  id: string;
  username: string;
  headers: Headers;
}

interface Agent {
  id: string;
  name: string;
  headers: Headers;
}

const hex = (bytes = 4): string => randomBytes(bytes).toString('hex');

describe('Task lifecycle (SPEC sections 7 and 12)', () => {
  let hub: TestApp;
  let alice: Person;
  let bob: Person;
  let adminUser: Person;
  let agentA: Agent;
  let agentB: Agent;

  const hubToken = (): Headers => bearer(TEST_AGENT_TOKEN);
  const api = (method: Method, path: string, body?: object, headers: Headers = hubToken()) =>
    call(hub.server, method, path, headers, body);
  const db = (): DataSource => hub.app.get(DataSource);

  async function person(role: 'user' | 'admin'): Promise<Person> {
    const { user } = await createUser(hub.app, { role });
    return { id: user.id, username: user.username, headers: bearer(tokenFor(hub.config, user)) };
  }

  async function registerAgent(label: string): Promise<Agent> {
    const name = `${label}-${hex()}`;
    const response = await api('post', '/api/agents/register', { name, url: `http://${name}.agents.test:5001` });
    expect(answer(response)).toMatchObject({ status: 200 });
    const { agent, agentKey } = successBody<KeyedRegistration>(response).data;
    return { id: agent.id, name, headers: bearer(agentKey) };
  }

  async function createTask(body: Record<string, unknown> = {}, headers: Headers = hubToken()): Promise<TaskDto> {
    const response = await api('post', '/api/tasks', { title: `Task ${hex()}`, ...body }, headers);
    expect(answer(response)).toMatchObject({ status: 201 });
    return successBody<TaskDto>(response).data;
  }

  async function getTask(id: string, headers: Headers = hubToken()): Promise<TaskDto> {
    const response = await api('get', `/api/tasks/${id}`, undefined, headers);
    expect(answer(response)).toMatchObject({ status: 200 });
    return successBody<TaskDto>(response).data;
  }

  const postStatus = (id: string, body: Record<string, unknown>, headers: Headers = hubToken()) =>
    api('post', `/api/tasks/${id}/status`, body, headers);

  const patch = (id: string, body: Record<string, unknown>, headers: Headers = hubToken()) =>
    api('patch', `/api/tasks/${id}`, body, headers);

  async function moveTo(id: string, status: TaskStatus): Promise<TaskDto> {
    let task = await getTask(id);
    for (const step of PATH_TO[status]) {
      const response = await postStatus(id, { status: step });
      expect(answer(response)).toMatchObject({ status: 200, body: { data: { status: step } } });
      task = successBody<TaskDto>(response).data;
    }
    return task;
  }

  const taskOf = (response: Response): TaskDto => successBody<TaskDto>(response).data;
  const pageOf = (response: Response): TaskPage<TaskDto> => successBody<TaskPage<TaskDto>>(response).data;
  const lastEntry = (task: TaskDto): TaskHistoryEntry => task.history[task.history.length - 1];
  const tasksTitled = async (title: string): Promise<number> =>
    Number((await db().query<Array<{ n: string }>>('SELECT count(*) AS n FROM tasks WHERE title = $1', [title]))[0].n);

  beforeAll(async () => {
    // Callbacks to 127.0.0.1 are allowed so that a task can carry a callback URL and secret without DNS; the
    // scheduler (and with it the callback sender) is off in tests.
    hub = await startTestApp({ env: { CALLBACK_ALLOW_PRIVATE_NETWORKS: 'true' } });
    alice = await person('user');
    bob = await person('user');
    adminUser = await person('admin');
    agentA = await registerAgent('agent-a');
    agentB = await registerAgent('agent-b');
  });
  afterAll(async () => {
    await hub?.close();
  });

  // ------------------------------------------------------------------------------------------------------------
  describe('creation', () => {
    it('answers 201 with exactly the task fields, status todo, version 1 and the creation as history entry 1', async () => {
      const title = `Implement OAuth login ${hex()}`;
      const response = await api(
        'post',
        '/api/tasks',
        { title, description: 'Add OAuth to the web client', priority: 'high' },
        alice.headers,
      );
      expect(answer(response)).toMatchObject({ status: 201, body: { status: 'success' } });
      const task = taskOf(response);
      expect(Object.keys(task).sort()).toEqual(TASK_FIELDS);
      expect(task).toMatchObject({
        title,
        description: 'Add OAuth to the web client',
        status: 'todo',
        priority: 'high',
        teamId: null,
        assignedAgentId: null,
        assignedRoleId: null,
        parentTaskId: null,
        dependsOn: [],
        lastOutput: null,
        lastExitCode: null,
        callbackUrl: null,
        version: 1,
        leaseExpiresAt: null,
        // No retries and no timeout unless the task asks for them (issue 12).
        attempt: 1,
        maxAttempts: 1,
        retryBackoffSeconds: 10,
        timeoutSeconds: null,
        availableAt: null,
        startedAt: null,
        failureReason: null,
        concurrencyKey: null,
      });
      expect(task.id).toMatch(UUID);
      expect(new Date(task.createdAt).toISOString()).toBe(task.createdAt);
      expect(new Date(task.updatedAt).toISOString()).toBe(task.updatedAt);
      expect(task.history).toHaveLength(1);
      expect(task.history[0]).toMatchObject({
        type: 'created',
        actor: { type: 'user', id: alice.id, name: alice.username },
      });
      expect(new Date(task.history[0].at).toISOString()).toBe(task.history[0].at);
      expect(await getTask(task.id, bob.headers)).toEqual(task);
    });

    it('defaults: priority medium, no description, no dependencies', async () => {
      const task = await createTask({ title: `Bare ${hex()}` });
      expect(task).toMatchObject({ priority: 'medium', description: null, dependsOn: [], status: 'todo' });
    });

    it('records the creator as actor: an agent by id and name, the hub token as hub-token', async () => {
      const byAgent = await createTask({}, agentA.headers);
      expect(byAgent.history[0]).toMatchObject({
        type: 'created',
        actor: { type: 'agent', id: agentA.id, name: agentA.name },
      });
      const byHub = await createTask({}, hubToken());
      expect(byHub.history[0]).toMatchObject({ type: 'created', actor: { type: 'hub-token' } });
    });

    it('takes a client-supplied id, and answers 409 for an id that exists, leaving the first task untouched', async () => {
      const id = randomUUID();
      const first = await createTask({ id, title: `Client id ${hex()}` }, alice.headers);
      expect(first.id).toBe(id);
      const duplicate = await api('post', '/api/tasks', { id, title: `Duplicate ${hex()}` }, bob.headers);
      expect(refusal(duplicate)).toEqual({ status: 409, code: 'conflict' });
      expect(await getTask(id)).toEqual(first);
      const malformed = await api('post', '/api/tasks', { id: 'task-1', title: 'Malformed id' });
      expect(refusal(malformed)).toEqual({ status: 400, code: 'validation_failed' });
      expect(fieldsOf(malformed)).toContain('id');
    });

    it('refuses an empty, missing or over-200-character title (400 naming title) and accepts exactly 200', async () => {
      for (const body of [{ title: '' }, { title: 'x'.repeat(201) }, {}, { title: 42 }]) {
        const response = await api('post', '/api/tasks', body, alice.headers);
        expect(refusal(response)).toEqual({ status: 400, code: 'validation_failed' });
        expect(fieldsOf(response)).toContain('title');
      }
      expect(await tasksTitled('x'.repeat(201))).toBe(0);
      const longest = `${hex()}${'y'.repeat(192)}`;
      expect((await createTask({ title: longest })).title).toBe(longest);
    });

    it('refuses a description over 64 KiB (400 naming description) and accepts exactly 64 KiB', async () => {
      const title = `Too long ${hex()}`;
      const response = await api('post', '/api/tasks', { title, description: 'd'.repeat(70 * 1024) }, alice.headers);
      expect(refusal(response)).toEqual({ status: 400, code: 'validation_failed' });
      expect(fieldsOf(response)).toContain('description');
      expect(await tasksTitled(title)).toBe(0);
      const exact = await createTask({ description: 'e'.repeat(64 * 1024) });
      expect(exact.description).toHaveLength(64 * 1024);
    });

    it('measures the 64 KiB description limit in bytes: 30 000 euro signs (87.9 KiB of UTF-8) are refused', async () => {
      const title = `Multibyte ${hex()}`;
      const description = '\u20ac'.repeat(30_000);
      expect(Buffer.byteLength(description, 'utf8')).toBeGreaterThan(64 * 1024);
      const response = await api('post', '/api/tasks', { title, description }, alice.headers);
      expect({ status: response.status, fields: response.status === 400 ? fieldsOf(response) : [] }).toEqual({
        status: 400,
        fields: ['description'],
      });
      expect(await tasksTitled(title)).toBe(0);
    });

    it('refuses unknown body fields and bad priorities (400 naming the field), creating nothing', async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ status: 'completed' }, 'status'],
        [{ version: 7 }, 'version'],
        [{ owner: 'mallory' }, 'owner'],
        [{ priority: 'urgent' }, 'priority'],
        [{ priority: 3 }, 'priority'],
        [{ dependsOn: 'not-a-list' }, 'dependsOn'],
        [{ teamId: 'team-1' }, 'teamId'],
      ];
      for (const [extra, field] of cases) {
        const title = `Refused ${hex()}`;
        const response = await api('post', '/api/tasks', { title, ...extra }, alice.headers);
        expect({ extra, ...refusal(response) }).toEqual({ extra, status: 400, code: 'validation_failed' });
        expect({ extra, fields: fieldsOf(response), namesField: fieldsOf(response).includes(field) }).toEqual({
          extra,
          fields: fieldsOf(response),
          namesField: true,
        });
        expect(await tasksTitled(title)).toBe(0);
      }
    });

    it('never returns the callback secret: not on create, get, list, patch, status change or history', async () => {
      const secret = `cb-secret-${hex(16)}`;
      const newSecret = `cb-secret-new-${hex(16)}`;
      const title = `Callback ${hex()}`;
      const callbackUrl = 'http://127.0.0.1:9/ananta-hook';
      const created = await api('post', '/api/tasks', { title, callbackUrl, callbackSecret: secret }, alice.headers);
      expect(answer(created)).toMatchObject({ status: 201 });
      const task = taskOf(created);
      expect(task.callbackUrl).toBe(callbackUrl);
      const responses: Array<[string, Response]> = [
        ['create', created],
        ['get', await api('get', `/api/tasks/${task.id}`, undefined, alice.headers)],
        ['list', await api('get', `/api/tasks?q=${encodeURIComponent(title)}`, undefined, alice.headers)],
        ['patch', await patch(task.id, { description: 'changed', callbackSecret: newSecret }, alice.headers)],
        ['status', await postStatus(task.id, { status: 'in_progress' }, alice.headers)],
        ['history', await api('get', `/api/tasks/${task.id}/history`, undefined, alice.headers)],
      ];
      for (const [label, response] of responses) {
        expect({ label, ok: response.status >= 200 && response.status < 300 }).toEqual({ label, ok: true });
        expect({ label, leaked: [secret, newSecret].filter((s) => response.text.includes(s)) }).toEqual({
          label,
          leaked: [],
        });
        expect({ label, keys: keyPathsMatching(response.body, /secret/i) }).toEqual({ label, keys: [] });
      }
      expect(pageOf(responses[2][1]).items.map((item) => item.id)).toEqual([task.id]);
      // Kept, but not in plain text.
      const [row] = await db().query<Array<{ sealed: string | null }>>(
        'SELECT callback_secret_sealed AS sealed FROM tasks WHERE id = $1',
        [task.id],
      );
      expect(row.sealed).toEqual(expect.any(String));
      expect(row.sealed).not.toContain(newSecret);
      expect(row.sealed).not.toContain(secret);
    });
  });

  // ------------------------------------------------------------------------------------------------------------
  describe('status transitions', () => {
    // The whole table (every from -> to pair, X -> X included) and "a refusal writes nothing" are unit-tested in
    // task-status.spec.ts and task-workflow.service.spec.ts; here is what a client sees of each outcome.
    it('answers an allowed change with the task (version + 1, a status_changed entry by the caller) and a refused one, final states and assignment included, with 409 invalid_transition, changing nothing', async () => {
      const task = await createTask({ title: `Transitions ${hex()}` });
      const started = await postStatus(task.id, { status: 'in-progress' }, alice.headers);
      expect(answer(started)).toMatchObject({ status: 200, body: { data: { status: 'in_progress' } } });
      const after = taskOf(started);
      expect({ version: after.version, length: after.history.length }).toEqual({
        version: task.version + 1,
        length: task.history.length + 1,
      });
      expect(lastEntry(after)).toMatchObject({
        type: 'status_changed',
        actor: { type: 'user', id: alice.id, name: alice.username },
        details: { from: 'todo', to: 'in_progress' },
      });
      expect(await getTask(task.id)).toEqual(after);

      for (const to of ['assigned', 'in_progress']) {
        expect({ to, ...refusal(await postStatus(task.id, { status: to }, alice.headers)) }).toEqual({
          to,
          status: 409,
          code: 'invalid_transition',
        });
      }
      expect(await getTask(task.id)).toEqual(after);

      const done = taskOf(await postStatus(task.id, { status: 'done' }).expect(200));
      expect(done.status).toBe('completed');
      expect(refusal(await postStatus(task.id, { status: 'todo' }))).toEqual({
        status: 409,
        code: 'invalid_transition',
      });
      const assign = await api('post', `/api/tasks/${task.id}/assign`, { agentId: agentA.id });
      expect(refusal(assign)).toEqual({ status: 409, code: 'invalid_transition' });
      expect(await getTask(task.id)).toEqual(done);
    });

    it('answers 400 naming status for an unknown or missing status, changing nothing', async () => {
      const task = await createTask({ title: `Unknown status ${hex()}` });
      for (const body of [{ status: 'nope' }, { status: '' }, {}, { status: 'in_progress', extra: true }]) {
        const response = await postStatus(task.id, body);
        expect({ body, ...refusal(response) }).toEqual({ body, status: 400, code: 'validation_failed' });
      }
      expect(fieldsOf(await postStatus(task.id, { status: 'nope' }))).toContain('status');
      expect(await getTask(task.id)).toEqual(task);
      expect(refusal(await postStatus(randomUUID(), { status: 'blocked' }))).toEqual({
        status: 404,
        code: 'task_not_found',
      });
    });

    it('stores output and exitCode in lastOutput and lastExitCode (0 included)', async () => {
      const task = await createTask({ title: `Output ${hex()}` });
      const started = taskOf(await postStatus(task.id, { status: 'in_progress', output: 'step 1 of 2', exitCode: 0 }));
      expect(started).toMatchObject({ lastOutput: 'step 1 of 2', lastExitCode: 0 });
      const failed = taskOf(await postStatus(task.id, { status: 'failed', output: 'boom: disk full', exitCode: 2 }));
      expect(failed).toMatchObject({ status: 'failed', lastOutput: 'boom: disk full', lastExitCode: 2 });
      expect(await getTask(task.id)).toMatchObject({ lastOutput: 'boom: disk full', lastExitCode: 2 });
      const badExit = await postStatus(task.id, { status: 'todo', exitCode: 'two' });
      expect(refusal(badExit)).toEqual({ status: 400, code: 'validation_failed' });
      expect(fieldsOf(badExit)).toContain('exitCode');
    });

    it('records every change with its actor: a user, an agent (its own task) and the hub token', async () => {
      const task = await createTask({ title: `Actors ${hex()}` }, bob.headers);
      const assigned = taskOf(await api('post', `/api/tasks/${task.id}/assign`, { agentId: agentA.id }, alice.headers));
      expect(lastEntry(assigned)).toMatchObject({
        type: 'assigned',
        actor: { type: 'user', id: alice.id, name: alice.username },
      });
      const blocked = await postStatus(task.id, { status: 'blocked' }, bob.headers);
      const started = await postStatus(task.id, { status: 'in_progress' }, agentA.headers);
      const done = await postStatus(task.id, { status: 'completed', exitCode: 0 }, hubToken());
      for (const response of [blocked, started, done]) {
        expect(answer(response)).toMatchObject({ status: 200 });
      }
      const history = (await getTask(task.id)).history;
      expect(history.map((entry) => entry.type)).toEqual([
        'created',
        'assigned',
        'status_changed',
        'status_changed',
        'status_changed',
      ]);
      expect(history[0].actor).toEqual({ type: 'user', id: bob.id, name: bob.username });
      expect(history[2]).toMatchObject({
        actor: { type: 'user', id: bob.id, name: bob.username },
        details: { from: 'assigned', to: 'blocked' },
      });
      expect(history[3]).toMatchObject({
        actor: { type: 'agent', id: agentA.id, name: agentA.name },
        details: { from: 'blocked', to: 'in_progress' },
      });
      expect(history[4]).toMatchObject({
        actor: { type: 'hub-token' },
        details: { from: 'in_progress', to: 'completed' },
      });
      const times = history.map((entry) => new Date(entry.at).getTime());
      expect(times).toEqual([...times].sort((a, b) => a - b));
      const served = await api('get', `/api/tasks/${task.id}/history`);
      expect(answer(served)).toMatchObject({ status: 200 });
      expect(successBody<TaskHistoryEntry[]>(served).data).toEqual(history);
    });

    it('GET /:id/history answers 404 task_not_found for an unknown task and 400 for a malformed id', async () => {
      expect(refusal(await api('get', `/api/tasks/${randomUUID()}/history`))).toEqual({
        status: 404,
        code: 'task_not_found',
      });
      expect(refusal(await api('get', '/api/tasks/not-a-uuid/history'))).toEqual({
        status: 400,
        code: 'validation_failed',
      });
    });
  });

  // ------------------------------------------------------------------------------------------------------------
  describe('optimistic concurrency', () => {
    it('a PATCH with the current version (body or If-Match) succeeds and bumps the version', async () => {
      const task = await createTask({ title: `Versioned ${hex()}` });
      const first = await patch(task.id, { description: 'one', version: 1 });
      expect(answer(first)).toMatchObject({ status: 200, body: { data: { description: 'one', version: 2 } } });
      expect(lastEntry(taskOf(first))).toMatchObject({ type: 'updated', details: { fields: ['description'] } });
      const second = await api('patch', `/api/tasks/${task.id}`, { priority: 'low' }).set('If-Match', '2');
      expect(answer(second)).toMatchObject({ status: 200, body: { data: { priority: 'low', version: 3 } } });
      const quoted = await api('patch', `/api/tasks/${task.id}`, { title: 'Quoted' }).set('If-Match', '"3"');
      expect(answer(quoted)).toMatchObject({ status: 200, body: { data: { title: 'Quoted', version: 4 } } });
      expect(await getTask(task.id)).toEqual(taskOf(quoted));
    });

    it('a stale version in the body or in If-Match answers 409 version_conflict and changes nothing', async () => {
      const task = await createTask({ title: `Stale ${hex()}` });
      const current = taskOf(await patch(task.id, { description: 'v2' }));
      expect(current.version).toBe(2);
      const staleBody = await patch(task.id, { description: 'lost', version: 1 });
      expect(refusal(staleBody)).toEqual({ status: 409, code: 'version_conflict' });
      const staleHeader = await api('patch', `/api/tasks/${task.id}`, { description: 'lost' }).set('If-Match', '1');
      expect(refusal(staleHeader)).toEqual({ status: 409, code: 'version_conflict' });
      const future = await patch(task.id, { description: 'lost', version: 3 });
      expect(refusal(future)).toEqual({ status: 409, code: 'version_conflict' });
      const staleStatus = await postStatus(task.id, { status: 'blocked', version: 1 });
      expect(refusal(staleStatus)).toEqual({ status: 409, code: 'version_conflict' });
      const staleStatusHeader = await api('post', `/api/tasks/${task.id}/status`, { status: 'blocked' }).set(
        'If-Match',
        '1',
      );
      expect(refusal(staleStatusHeader)).toEqual({ status: 409, code: 'version_conflict' });
      expect(await getTask(task.id)).toEqual(current);
    });

    it('a malformed If-Match answers 400 naming If-Match and changes nothing', async () => {
      const task = await createTask({ title: `Malformed If-Match ${hex()}` });
      for (const header of ['abc', '1.5', '-1', 'v1', '1,2']) {
        const response = await api('patch', `/api/tasks/${task.id}`, { description: 'x' }).set('If-Match', header);
        expect({ header, ...refusal(response) }).toEqual({ header, status: 400, code: 'validation_failed' });
        expect({ header, fields: fieldsOf(response) }).toEqual({ header, fields: ['If-Match'] });
      }
      const onStatus = await api('post', `/api/tasks/${task.id}/status`, { status: 'blocked' }).set('If-Match', 'abc');
      expect(refusal(onStatus)).toEqual({ status: 400, code: 'validation_failed' });
      expect(await getTask(task.id)).toEqual(task);
    });

    it('an If-Match with an unbalanced quote (`"1` or `1"`) is malformed too: 400, not taken as version 1', async () => {
      const outcomes: Record<string, string> = {};
      for (const header of ['"1', '1"']) {
        const task = await createTask({ title: `Unbalanced If-Match ${hex()}` });
        const response = await api('patch', `/api/tasks/${task.id}`, { description: `via ${header}` }).set(
          'If-Match',
          header,
        );
        const unchanged = JSON.stringify(await getTask(task.id)) === JSON.stringify(task);
        outcomes[header] = `${response.status}, task ${unchanged ? 'unchanged' : 'changed'}`;
      }
      expect(outcomes).toEqual({ '"1': '400, task unchanged', '1"': '400, task unchanged' });
    });

    it('PATCH validates its body like create: 400 naming the field, nothing changes', async () => {
      const task = await createTask({ title: `Patch validation ${hex()}`, priority: 'high' });
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ title: '' }, 'title'],
        [{ title: 'z'.repeat(201) }, 'title'],
        [{ priority: 'urgent' }, 'priority'],
        [{ description: 'd'.repeat(70 * 1024) }, 'description'],
        [{ status: 'completed' }, 'status'],
        [{ assignedAgentId: agentA.id }, 'assignedAgentId'],
        [{ history: [] }, 'history'],
        [{ version: 0 }, 'version'],
        [{ version: 'one' }, 'version'],
      ];
      const outcomes = [];
      for (const [body, field] of cases) {
        const response = await patch(task.id, body);
        outcomes.push({
          body: JSON.stringify(body).slice(0, 40),
          status: response.status,
          code: refusal(response).code,
          namesField: fieldsOf(response).includes(field),
        });
      }
      expect(outcomes).toEqual(
        cases.map(([body]) => ({
          body: JSON.stringify(body).slice(0, 40),
          status: 400,
          code: 'validation_failed',
          namesField: true,
        })),
      );
      expect(await getTask(task.id)).toEqual(task);
      expect(refusal(await patch(randomUUID(), { description: 'x' }))).toEqual({ status: 404, code: 'task_not_found' });
      expect(refusal(await patch('not-a-uuid', { description: 'x' }))).toEqual({
        status: 400,
        code: 'validation_failed',
      });
    });

    it('PATCH with title: null or priority: null (non-nullable fields) is a 400 naming the field, not a 500', async () => {
      const task = await createTask({ title: `Patch nulls ${hex()}`, priority: 'high' });
      const outcomes: Record<string, string> = {};
      for (const field of ['title', 'priority']) {
        const response = await patch(task.id, { [field]: null });
        outcomes[field] = `${response.status} ${refusal(response).code} ${[...new Set(fieldsOf(response))].join(',')}`;
      }
      expect(outcomes).toEqual({ title: '400 validation_failed title', priority: '400 validation_failed priority' });
      expect(await getTask(task.id)).toEqual(task);
    });

    it('two concurrent transitions out of the same state: exactly one applies, the other answers 409', async () => {
      for (let round = 0; round < 5; round += 1) {
        const task = await createTask({ title: `Transition race ${round} ${hex()}` });
        await moveTo(task.id, 'in_progress');
        const [completed, failed] = await Promise.all([
          postStatus(task.id, { status: 'completed', output: 'ok' }),
          postStatus(task.id, { status: 'failed', output: 'ko' }),
        ]);
        const statuses = [completed.status, failed.status].sort();
        expect({ round, statuses }).toEqual({ round, statuses: [200, 409] });
        const loser = completed.status === 409 ? completed : failed;
        expect(['invalid_transition', 'version_conflict']).toContain(refusal(loser).code);
        const winner = taskOf(completed.status === 200 ? completed : failed);
        const stored = await getTask(task.id);
        expect(stored).toEqual(winner);
        expect(stored.history.filter((entry) => entry.details.from === 'in_progress')).toHaveLength(1);
      }
    });

    it('8 concurrent writers with the same version: exactly one 200, seven 409, and the stored task is the acknowledged write', async () => {
      const task = await createTask({ title: `Race ${hex()}` });
      const v = (await getTask(task.id)).version;
      const responses = await Promise.all(
        Array.from({ length: 8 }, (_, i) => patch(task.id, { description: `writer ${i}`, version: v })),
      );
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
      for (const response of responses.filter((r) => r.status === 409)) {
        expect(refusal(response)).toEqual({ status: 409, code: 'version_conflict' });
      }
      const winner = taskOf(responses.find((response) => response.status === 200)!);
      const stored = await getTask(task.id);
      expect(stored).toEqual(winner);
      expect(stored.version).toBe(v + 1);
      expect(stored.history.filter((entry) => entry.type === 'updated')).toHaveLength(1);
    });

    it('8 writers retrying on 409: no acknowledged write is lost, the last acknowledged one is stored', async () => {
      const task = await createTask({ title: `Retry race ${hex()}` });
      const acknowledged: Array<{ marker: string; version: number }> = [];
      let conflicts = 0;
      const writer = async (i: number): Promise<void> => {
        for (let attempt = 0; attempt < 100; attempt += 1) {
          const { version } = await getTask(task.id);
          const marker = `writer ${i} attempt ${attempt}`;
          const response = await patch(task.id, { description: marker, version });
          if (response.status === 200) {
            acknowledged.push({ marker, version: taskOf(response).version });
            return;
          }
          expect(refusal(response)).toEqual({ status: 409, code: 'version_conflict' });
          conflicts += 1;
        }
        throw new Error(`writer ${i} never got its write in`);
      };
      await Promise.all(Array.from({ length: 8 }, (_, i) => writer(i)));
      expect(acknowledged).toHaveLength(8);
      const versions = acknowledged.map((ack) => ack.version).sort((a, b) => a - b);
      expect(versions).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
      const last = acknowledged.reduce((a, b) => (b.version > a.version ? b : a));
      const stored = await getTask(task.id);
      expect(stored.version).toBe(9);
      expect(stored.description).toBe(last.marker);
      expect(stored.history.filter((entry) => entry.type === 'updated')).toHaveLength(8);
      expect(stored.history).toHaveLength(9);
      // Not a timing assertion: the run is only meaningful if the writers actually collided at least once.
      expect(conflicts).toBeGreaterThan(0);
    });

    it('a PATCH without version or If-Match is unconditional: 8 concurrent ones all succeed and all are in the history', async () => {
      const task = await createTask({ title: `Unconditional ${hex()}` });
      const responses = await Promise.all(
        Array.from({ length: 8 }, (_, i) => patch(task.id, { description: `blind writer ${i}` })),
      );
      expect(responses.map((response) => answer(response).status)).toEqual(Array<number>(8).fill(200));
      const stored = await getTask(task.id);
      expect(stored.version).toBe(9);
      expect(stored.history.filter((entry) => entry.type === 'updated')).toHaveLength(8);
      const last = responses.map(taskOf).reduce((a, b) => (b.version > a.version ? b : a));
      expect(stored.description).toBe(last.description);
    });
  });

  // ------------------------------------------------------------------------------------------------------------
  describe('dependencies', () => {
    it('refuses an unknown dependsOn id (400 naming dependsOn), on create and on PATCH', async () => {
      const known = await createTask();
      const unknown = randomUUID();
      const title = `Unknown dependency ${hex()}`;
      const created = await api('post', '/api/tasks', { title, dependsOn: [known.id, unknown] });
      expect(refusal(created)).toEqual({ status: 400, code: 'validation_failed' });
      expect(fieldsOf(created)).toEqual(['dependsOn']);
      expect(await tasksTitled(title)).toBe(0);
      const patched = await patch(known.id, { dependsOn: [unknown] });
      expect(refusal(patched)).toEqual({ status: 400, code: 'validation_failed' });
      expect(fieldsOf(patched)).toEqual(['dependsOn']);
      expect(await getTask(known.id)).toEqual(known);
    });

    it('refuses an unknown parentTaskId (400 naming parentTaskId), on create and on PATCH', async () => {
      const known = await createTask();
      const title = `Unknown parent ${hex()}`;
      const created = await api('post', '/api/tasks', { title, parentTaskId: randomUUID() });
      expect(refusal(created)).toEqual({ status: 400, code: 'validation_failed' });
      expect(fieldsOf(created)).toEqual(['parentTaskId']);
      expect(await tasksTitled(title)).toBe(0);
      const patched = await patch(known.id, { parentTaskId: randomUUID() });
      expect(refusal(patched)).toEqual({ status: 400, code: 'validation_failed' });
      expect(fieldsOf(patched)).toEqual(['parentTaskId']);
      expect(await getTask(known.id)).toEqual(known);
    });

    it('answers an unknown teamId or assignedRoleId with 404 team_not_found / role_not_found, on create and on PATCH', async () => {
      const known = await createTask();
      const title = `Unknown team or role ${hex()}`;
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ teamId: randomUUID() }, 'team_not_found'],
        [{ assignedRoleId: randomUUID() }, 'role_not_found'],
      ];
      for (const [body, code] of cases) {
        const created = await api('post', '/api/tasks', { title, ...body });
        const patched = await patch(known.id, body);
        expect([body, refusal(created), refusal(patched)]).toEqual([
          body,
          { status: 404, code },
          { status: 404, code },
        ]);
      }
      expect(await tasksTitled(title)).toBe(0);
      expect(await getTask(known.id)).toEqual(known);
    });

    it('refuses a task depending on itself or being its own parent (400), on create and on PATCH', async () => {
      const id = randomUUID();
      const selfDependent = await api('post', '/api/tasks', { id, title: `Self ${hex()}`, dependsOn: [id] });
      expect(selfDependent.status).toBe(400);
      const selfParent = await api('post', '/api/tasks', { id, title: `Self ${hex()}`, parentTaskId: id });
      expect(selfParent.status).toBe(400);
      expect((await api('get', `/api/tasks/${id}`)).status).toBe(404);
      const task = await createTask();
      expect(refusal(await patch(task.id, { dependsOn: [task.id] }))).toEqual({
        status: 400,
        code: 'dependency_cycle',
      });
      expect(refusal(await patch(task.id, { parentTaskId: task.id }))).toEqual({
        status: 400,
        code: 'dependency_cycle',
      });
      expect(await getTask(task.id)).toEqual(task);
    });

    it('refuses a PATCH that closes a dependsOn cycle (direct and through a chain): 400 dependency_cycle', async () => {
      const a = await createTask({ title: `Cycle A ${hex()}` });
      const b = await createTask({ title: `Cycle B ${hex()}`, dependsOn: [a.id] });
      const c = await createTask({ title: `Cycle C ${hex()}`, dependsOn: [b.id] });
      const direct = await patch(a.id, { dependsOn: [b.id] });
      expect(refusal(direct)).toEqual({ status: 400, code: 'dependency_cycle' });
      expect(fieldsOf(direct)).toEqual(['dependsOn']);
      expect(refusal(await patch(a.id, { dependsOn: [c.id] }))).toEqual({ status: 400, code: 'dependency_cycle' });
      expect(await getTask(a.id)).toEqual(a);
      // The brief's shape: A depends on B, then B is made to depend on A.
      const x = await createTask({ title: `Cycle X ${hex()}` });
      const y = await createTask({ title: `Cycle Y ${hex()}` });
      expect(answer(await patch(x.id, { dependsOn: [y.id] }))).toMatchObject({ status: 200 });
      const yBefore = await getTask(y.id);
      expect(refusal(await patch(y.id, { dependsOn: [x.id] }))).toEqual({ status: 400, code: 'dependency_cycle' });
      expect(await getTask(y.id)).toEqual(yBefore);
      // Not a cycle: a diamond is fine.
      const d = await createTask({ title: `Diamond ${hex()}`, dependsOn: [b.id, c.id] });
      expect(answer(await patch(d.id, { dependsOn: [a.id, b.id, c.id] }))).toMatchObject({ status: 200 });
    });

    it('refuses cycles through the parent link: 400 dependency_cycle', async () => {
      const a = await createTask({ title: `Parent A ${hex()}` });
      const b = await createTask({ title: `Child B ${hex()}`, parentTaskId: a.id });
      expect(b.parentTaskId).toBe(a.id);
      const viaDependency = await patch(a.id, { dependsOn: [b.id] });
      expect(refusal(viaDependency)).toEqual({ status: 400, code: 'dependency_cycle' });
      const viaParent = await patch(a.id, { parentTaskId: b.id });
      expect(refusal(viaParent)).toEqual({ status: 400, code: 'dependency_cycle' });
      expect(fieldsOf(viaParent)).toEqual(['parentTaskId']);
      // Longer: C depends on B, B's parent is A; making C the parent of A closes A -> C -> B -> A.
      const c = await createTask({ title: `Grandchild C ${hex()}`, dependsOn: [b.id] });
      expect(refusal(await patch(a.id, { parentTaskId: c.id }))).toEqual({ status: 400, code: 'dependency_cycle' });
      expect(await getTask(a.id)).toEqual(a);
    });

    it('concurrent PATCHes cannot close a cycle together (at most one of A->B and B->A is stored)', async () => {
      const pairs = await Promise.all(
        Array.from({ length: 5 }, async () => [await createTask(), await createTask()] as const),
      );
      const results = await Promise.all(
        pairs.map(async ([a, b]) => {
          const [ab, ba] = await Promise.all([patch(a.id, { dependsOn: [b.id] }), patch(b.id, { dependsOn: [a.id] })]);
          return { accepted: [ab, ba].filter((r) => r.status === 200).length, a: a.id, b: b.id };
        }),
      );
      const cycles = await db().query<Array<{ a: string; b: string }>>(
        `SELECT x.id AS a, y.id AS b FROM tasks x JOIN tasks y ON y.id = ANY(x.depends_on) AND x.id = ANY(y.depends_on)
         WHERE x.id < y.id`,
      );
      expect({ storedCycles: cycles.length, acceptedPerPair: results.map((result) => result.accepted) }).toEqual({
        storedCycles: 0,
        acceptedPerPair: [1, 1, 1, 1, 1],
      });
    });

    it('a task cannot start while a dependency is not completed (409 dependencies_incomplete naming it), and can once it is', async () => {
      const done = await createTask({ title: `Dependency done ${hex()}` });
      await moveTo(done.id, 'completed');
      const open = await createTask({ title: `Dependency open ${hex()}` });
      const failed = await createTask({ title: `Dependency failed ${hex()}` });
      await moveTo(failed.id, 'failed');
      const task = await createTask({ title: `Dependent ${hex()}`, dependsOn: [done.id, open.id, failed.id] });
      expect(task.dependsOn.slice().sort()).toEqual([done.id, open.id, failed.id].sort());

      const refused = await postStatus(task.id, { status: 'in_progress' });
      expect(refusal(refused)).toEqual({ status: 409, code: 'dependencies_incomplete' });
      expect(objectDetailsOf<{ taskIds: string[] }>(refused).taskIds.slice().sort()).toEqual(
        [open.id, failed.id].sort(),
      );
      expect(refusal(await postStatus(task.id, { status: 'in-progress' }))).toEqual({
        status: 409,
        code: 'dependencies_incomplete',
      });
      // Also from assigned and from blocked.
      expect(answer(await postStatus(task.id, { status: 'assigned' }))).toMatchObject({ status: 200 });
      expect(refusal(await postStatus(task.id, { status: 'in_progress' }))).toEqual({
        status: 409,
        code: 'dependencies_incomplete',
      });
      expect(answer(await postStatus(task.id, { status: 'blocked' }))).toMatchObject({ status: 200 });
      const blocked = await getTask(task.id);
      expect(refusal(await postStatus(task.id, { status: 'in_progress' }))).toEqual({
        status: 409,
        code: 'dependencies_incomplete',
      });
      expect(await getTask(task.id)).toEqual(blocked);

      // A failed dependency does not count: it must be retried and completed. Drop it, complete the open one.
      expect(answer(await patch(task.id, { dependsOn: [done.id, open.id] }))).toMatchObject({ status: 200 });
      await moveTo(open.id, 'in_progress');
      const stillRunning = await postStatus(task.id, { status: 'in_progress' });
      expect(refusal(stillRunning)).toEqual({ status: 409, code: 'dependencies_incomplete' });
      expect(objectDetailsOf<{ taskIds: string[] }>(stillRunning).taskIds).toEqual([open.id]);
      expect(answer(await postStatus(open.id, { status: 'completed' }))).toMatchObject({ status: 200 });
      const started = await postStatus(task.id, { status: 'in_progress' });
      expect(answer(started)).toMatchObject({ status: 200, body: { data: { status: 'in_progress' } } });
    });
  });

  // ------------------------------------------------------------------------------------------------------------
  describe('agents, assignment and deletion', () => {
    it('an agent may not change a task that is unassigned or assigned to another agent (403), nothing changes', async () => {
      const unassigned = await createTask({ title: `Unassigned ${hex()}` });
      const others = await createTask({ title: `Other agent ${hex()}` });
      expect(answer(await api('post', `/api/tasks/${others.id}/assign`, { agentId: agentB.id }))).toMatchObject({
        status: 200,
      });
      const othersBefore = await getTask(others.id);
      for (const task of [unassigned, othersBefore]) {
        const label = task === unassigned ? 'unassigned' : 'assigned to agent B';
        const attempts = [
          await patch(task.id, { description: 'hijacked' }, agentA.headers),
          await patch(task.id, { description: 'hijacked', version: task.version }, agentA.headers),
          await postStatus(task.id, { status: 'in_progress' }, agentA.headers),
          await postStatus(task.id, { status: 'cancelled' }, agentA.headers),
        ];
        for (const response of attempts) {
          expect({ label, ...refusal(response) }).toEqual({ label, status: 403, code: 'forbidden' });
        }
        expect(await getTask(task.id)).toEqual(task);
      }
    });

    it('an agent may change its own assigned task (PATCH and status), recorded as that agent', async () => {
      const task = await createTask({ title: `Own task ${hex()}` });
      expect(answer(await api('post', `/api/tasks/${task.id}/assign`, { agentId: agentA.id }))).toMatchObject({
        status: 200,
      });
      const patched = await patch(task.id, { description: 'progress notes' }, agentA.headers);
      expect(answer(patched)).toMatchObject({ status: 200, body: { data: { description: 'progress notes' } } });
      const started = await postStatus(task.id, { status: 'in_progress', output: 'working' }, agentA.headers);
      expect(answer(started)).toMatchObject({ status: 200, body: { data: { status: 'in_progress' } } });
      const done = await postStatus(task.id, { status: 'done', exitCode: 0 }, agentA.headers);
      expect(answer(done)).toMatchObject({ status: 200, body: { data: { status: 'completed', lastExitCode: 0 } } });
      const history = taskOf(done).history.slice(-3);
      for (const entry of history) {
        expect(entry.actor).toEqual({ type: 'agent', id: agentA.id, name: agentA.name });
      }
      // Agent B still may not touch it.
      expect(refusal(await patch(task.id, { description: 'x' }, agentB.headers))).toEqual({
        status: 403,
        code: 'forbidden',
      });
    });

    it('agents cannot assign or unassign (403), not even to themselves', async () => {
      const task = await createTask({ title: `No self-assign ${hex()}` });
      for (const response of [
        await api('post', `/api/tasks/${task.id}/assign`, { agentId: agentA.id }, agentA.headers),
        await api('post', `/api/tasks/${task.id}/unassign`, {}, agentA.headers),
      ]) {
        expect(refusal(response)).toEqual({ status: 403, code: 'forbidden' });
      }
      const mine = await createTask({ title: `Assigned, no unassign ${hex()}` });
      await api('post', `/api/tasks/${mine.id}/assign`, { agentId: agentA.id }).expect(200);
      const before = await getTask(mine.id);
      expect(refusal(await api('post', `/api/tasks/${mine.id}/unassign`, {}, agentA.headers))).toEqual({
        status: 403,
        code: 'forbidden',
      });
      expect(
        refusal(await api('post', `/api/tasks/${mine.id}/assign`, { agentId: agentB.id }, agentA.headers)),
      ).toEqual({ status: 403, code: 'forbidden' });
      expect(await getTask(mine.id)).toEqual(before);
      expect(await getTask(task.id)).toEqual(task);
    });

    it('any caller creates and reads: user, admin user, agent and hub token', async () => {
      const callers: Array<[string, Headers]> = [
        ['user', alice.headers],
        ['admin user', adminUser.headers],
        ['agent', agentB.headers],
        ['hub token', hubToken()],
      ];
      for (const [label, headers] of callers) {
        const title = `Created by ${label} ${hex()}`;
        const created = await api('post', '/api/tasks', { title }, headers);
        expect({ label, status: created.status }).toEqual({ label, status: 201 });
        const id = taskOf(created).id;
        for (const [reader, readerHeaders] of callers) {
          const read = await api('get', `/api/tasks/${id}`, undefined, readerHeaders);
          expect({ label, reader, status: read.status }).toEqual({ label, reader, status: 200 });
          const history = await api('get', `/api/tasks/${id}/history`, undefined, readerHeaders);
          expect({ label, reader, status: history.status }).toEqual({ label, reader, status: 200 });
          const list = await api('get', `/api/tasks?q=${encodeURIComponent(title)}`, undefined, readerHeaders);
          expect({ label, reader, ids: pageOf(list).items.map((task) => task.id) }).toEqual({
            label,
            reader,
            ids: [id],
          });
        }
      }
      expect((await api('get', '/api/tasks', undefined, {})).status).toBe(401);
      expect((await api('post', '/api/tasks', { title: 'Anonymous' }, {})).status).toBe(401);
    });

    it('assign: unknown agent 404 agent_not_found, unknown task 404; sets assigned and the agent; unassign returns it to todo', async () => {
      const task = await createTask({ title: `Assign ${hex()}` });
      const unknownAgent = await api('post', `/api/tasks/${task.id}/assign`, { agentId: randomUUID() }, alice.headers);
      expect(refusal(unknownAgent)).toEqual({ status: 404, code: 'agent_not_found' });
      expect(await getTask(task.id)).toEqual(task);
      expect(refusal(await api('post', `/api/tasks/${randomUUID()}/assign`, { agentId: agentA.id }))).toEqual({
        status: 404,
        code: 'task_not_found',
      });
      expect(refusal(await api('post', `/api/tasks/${task.id}/assign`, { agentId: 'agent-a' }))).toEqual({
        status: 400,
        code: 'validation_failed',
      });

      const assigned = await api('post', `/api/tasks/${task.id}/assign`, { agentId: agentA.id }, alice.headers);
      expect(answer(assigned)).toMatchObject({
        status: 200,
        body: { data: { status: 'assigned', assignedAgentId: agentA.id, version: task.version + 1 } },
      });
      expect(lastEntry(taskOf(assigned))).toMatchObject({
        type: 'assigned',
        actor: { type: 'user', id: alice.id },
        details: { agentId: agentA.id },
      });
      const listed = pageOf(await api('get', `/api/tasks?agentId=${agentA.id}&status=assigned&limit=500`));
      expect(listed.items.map((item) => item.id)).toContain(task.id);

      const unassigned = await api('post', `/api/tasks/${task.id}/unassign`, {}, alice.headers);
      expect(answer(unassigned)).toMatchObject({
        status: 200,
        body: { data: { status: 'todo', assignedAgentId: null } },
      });
      expect(lastEntry(taskOf(unassigned))).toMatchObject({
        type: 'unassigned',
        actor: { type: 'user', id: alice.id },
      });
      expect(await getTask(task.id)).toEqual(taskOf(unassigned));

      // In progress, then unassigned: back to todo as well.
      await api('post', `/api/tasks/${task.id}/assign`, { agentId: agentA.id }).expect(200);
      await postStatus(task.id, { status: 'in_progress' }, agentA.headers).expect(200);
      const fromProgress = await api('post', `/api/tasks/${task.id}/unassign`, {});
      expect(answer(fromProgress)).toMatchObject({
        status: 200,
        body: { data: { status: 'todo', assignedAgentId: null } },
      });
    });

    it('DELETE: 403 for a user and an agent (task kept); 204 for an admin user and the hub token, audited task.deleted', async () => {
      const task = await createTask({ title: `Delete me ${hex()}` }, alice.headers);
      await api('post', `/api/tasks/${task.id}/assign`, { agentId: agentA.id }).expect(200);
      expect(refusal(await api('delete', `/api/tasks/${task.id}`, undefined, alice.headers))).toEqual({
        status: 403,
        code: 'forbidden',
      });
      expect(refusal(await api('delete', `/api/tasks/${task.id}`, undefined, agentA.headers))).toEqual({
        status: 403,
        code: 'forbidden',
      });
      expect((await api('get', `/api/tasks/${task.id}`)).status).toBe(200);

      const byAdmin = await api('delete', `/api/tasks/${task.id}`, undefined, adminUser.headers);
      expect(byAdmin.status).toBe(204);
      expect(byAdmin.text).toBe('');
      expect(refusal(await api('get', `/api/tasks/${task.id}`))).toEqual({ status: 404, code: 'task_not_found' });
      expect(refusal(await api('delete', `/api/tasks/${task.id}`))).toEqual({ status: 404, code: 'task_not_found' });

      const other = await createTask({ title: `Delete me too ${hex()}` });
      expect((await api('delete', `/api/tasks/${other.id}`)).status).toBe(204);

      const audit = await api('get', '/api/audit-logs?action=task.deleted&limit=500');
      expect(answer(audit)).toMatchObject({ status: 200 });
      const entries = successBody<Page<AuditEntry>>(audit).data.items;
      expect(entries.filter((entry) => entry.targetId === task.id)).toEqual([
        expect.objectContaining({
          action: 'task.deleted',
          targetType: 'task',
          targetId: task.id,
          outcome: 'success',
          actorType: 'user',
          actorId: adminUser.id,
          username: adminUser.username,
        }),
      ]);
      expect(entries.filter((entry) => entry.targetId === other.id)).toEqual([
        expect.objectContaining({ action: 'task.deleted', targetId: other.id, actorType: 'hub-token' }),
      ]);
    });
  });

  // ------------------------------------------------------------------------------------------------------------
  describe('listing', () => {
    const prefix = `Lst${hex()}`;
    let team1: string;
    let team2: string;
    let parent: TaskDto;
    let listAgent: Agent;
    /** By name: alpha … foxtrot, created in that order with a few milliseconds between them. */
    const t: Record<string, TaskDto> = {};

    const list = (query: string, headers: Headers = hubToken()) =>
      api('get', `/api/tasks?${query}`, undefined, headers);
    async function idsOf(query: string): Promise<string[]> {
      const response = await list(query);
      expect({ query, ...answer(response) }).toMatchObject({ query, status: 200 });
      const page = pageOf(response);
      expect({ query, total: page.total }).toEqual({ query, total: page.items.length });
      return page.items.map((item) => item.id);
    }
    const mine = (query: string): Promise<string[]> =>
      idsOf(`q=${encodeURIComponent(prefix)}&limit=500${query ? `&${query}` : ''}`);
    const namesOf = (ids: string[]): string[] =>
      ids.map((id) => Object.keys(t).find((name) => t[name].id === id) ?? `unknown ${id}`);
    const sortedNames = async (query: string): Promise<string[]> => namesOf(await mine(query)).sort();

    beforeAll(async () => {
      const teamResponse = async (): Promise<string> => {
        const response = await api('post', '/api/teams', { name: `List team ${hex()}` });
        expect(answer(response)).toMatchObject({ status: 201 });
        return successBody<{ id: string }>(response).data.id;
      };
      team1 = await teamResponse();
      team2 = await teamResponse();
      listAgent = await registerAgent('list-agent');
      parent = await createTask({ title: `Parent of the list ${hex()}` });
      const specs: Array<[string, Record<string, unknown>]> = [
        ['alpha', { priority: 'low', teamId: team1 }],
        ['bravo', { priority: 'critical', teamId: team2, parentTaskId: parent.id }],
        ['charlie', { priority: 'high' }],
        ['delta', { priority: 'medium' }],
        ['echo', { priority: 'medium' }],
        ['foxtrot 50%_off', { priority: 'low' }],
      ];
      for (const [name, body] of specs) {
        t[name.split(' ')[0]] = await createTask({ title: `${prefix} ${name}`, ...body });
        await sleep(5);
      }
      await api('post', `/api/tasks/${t.charlie.id}/assign`, { agentId: listAgent.id }).expect(200);
      await moveTo(t.delta.id, 'in_progress');
      await moveTo(t.echo.id, 'completed');
      for (const name of Object.keys(t)) {
        t[name] = await getTask(t[name].id);
      }
      await sleep(5);
      t.alpha = taskOf(await patch(t.alpha.id, { description: 'touched last' }).expect(200));
    });

    it('answers a page {items, total, totalIsExact, limit, offset, nextCursor}, limit 50 and offset 0 by default', async () => {
      const response = await list(`q=${prefix}`);
      expect(answer(response)).toMatchObject({ status: 200 });
      const page = pageOf(response);
      expect(Object.keys(page).sort()).toEqual(['items', 'limit', 'nextCursor', 'offset', 'total', 'totalIsExact']);
      expect(page).toMatchObject({ total: 6, totalIsExact: true, limit: 50, offset: 0, nextCursor: null });
      expect(page.items).toHaveLength(6);
      expect(Object.keys(page.items[0]).sort()).toEqual(TASK_FIELDS.filter((field) => field !== 'history'));
    });

    it('filters by status (comma list and aliases)', async () => {
      expect(await sortedNames('status=todo')).toEqual(['alpha', 'bravo', 'foxtrot']);
      expect(await sortedNames('status=in_progress,completed')).toEqual(['delta', 'echo']);
      expect(await sortedNames('status=assigned')).toEqual(['charlie']);
      expect(await sortedNames('status=done')).toEqual(['echo']);
      expect(await sortedNames('status=in-progress')).toEqual(['delta']);
      expect(await sortedNames('status=to-do,done')).toEqual(['alpha', 'bravo', 'echo', 'foxtrot']);
      expect(await sortedNames('status=backlog')).toEqual(['alpha', 'bravo', 'foxtrot']);
      expect(await sortedNames('status=blocked')).toEqual([]);
    });

    it('filters by priority (comma list), team, agent and parent', async () => {
      expect(await sortedNames('priority=low')).toEqual(['alpha', 'foxtrot']);
      expect(await sortedNames('priority=high,critical')).toEqual(['bravo', 'charlie']);
      expect(await idsOf(`teamId=${team1}`)).toEqual([t.alpha.id]);
      expect(await idsOf(`teamId=${team2}`)).toEqual([t.bravo.id]);
      expect(await idsOf(`agentId=${listAgent.id}`)).toEqual([t.charlie.id]);
      expect(await idsOf(`parentTaskId=${parent.id}`)).toEqual([t.bravo.id]);
      expect(await idsOf(`teamId=${randomUUID()}`)).toEqual([]);
      expect(await sortedNames('status=todo&priority=low')).toEqual(['alpha', 'foxtrot']);
      expect(await idsOf(`teamId=${team1}&status=completed`)).toEqual([]);
    });

    it('searches titles case-insensitively, treating % and _ literally', async () => {
      expect(await idsOf(`q=${encodeURIComponent(`${prefix} ALPHA`.toUpperCase())}`)).toEqual([t.alpha.id]);
      expect(await idsOf(`q=${encodeURIComponent(`${prefix} Charl`.toLowerCase())}`)).toEqual([t.charlie.id]);
      expect(await idsOf(`q=${encodeURIComponent('50%_off')}`)).toEqual([t.foxtrot.id]);
      expect(await idsOf(`q=${encodeURIComponent(`${prefix}%alpha`)}`)).toEqual([]);
      expect(await idsOf(`q=${encodeURIComponent(`${prefix}_alpha`)}`)).toEqual([]);
    });

    it('filters by created and updated ranges (inclusive bounds, ISO 8601)', async () => {
      // Every task was created at least 5 ms after the previous one; timestamps are the hub's own.
      expect(await sortedNames(`createdFrom=${encodeURIComponent(t.charlie.createdAt)}`)).toEqual([
        'charlie',
        'delta',
        'echo',
        'foxtrot',
      ]);
      expect(await sortedNames(`createdTo=${encodeURIComponent(plusMs(t.bravo.createdAt, 1))}`)).toEqual([
        'alpha',
        'bravo',
      ]);
      expect(
        await sortedNames(
          `createdFrom=${encodeURIComponent(t.charlie.createdAt)}&createdTo=${encodeURIComponent(plusMs(t.delta.createdAt, 1))}`,
        ),
      ).toEqual(['charlie', 'delta']);
      // alpha was patched at least 5 ms after every other change.
      const othersLatest = Object.keys(t)
        .filter((name) => name !== 'alpha')
        .map((name) => t[name].updatedAt)
        .sort()
        .pop()!;
      expect(await sortedNames(`updatedFrom=${encodeURIComponent(t.alpha.updatedAt)}`)).toEqual(['alpha']);
      expect(await sortedNames(`updatedTo=${encodeURIComponent(plusMs(othersLatest, 1))}`)).toEqual([
        'bravo',
        'charlie',
        'delta',
        'echo',
        'foxtrot',
      ]);
      expect(await sortedNames('createdFrom=2999-01-01T00:00:00Z')).toEqual([]);
      expect(await sortedNames('updatedTo=2000-01-01T00:00:00Z')).toEqual([]);
    });

    it('sorts by title, createdAt, updatedAt and priority, both ways', async () => {
      const byName = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
      expect(namesOf(await mine('sort=title'))).toEqual(byName);
      expect(namesOf(await mine('sort=-title'))).toEqual([...byName].reverse());
      expect(namesOf(await mine('sort=createdAt'))).toEqual(byName);
      expect(namesOf(await mine('sort=-createdAt'))).toEqual([...byName].reverse());
      const byUpdate = Object.keys(t).sort((a, b) => t[a].updatedAt.localeCompare(t[b].updatedAt));
      expect(byUpdate[byUpdate.length - 1]).toBe('alpha');
      expect(namesOf(await mine('sort=updatedAt'))[5]).toBe('alpha');
      expect(namesOf(await mine('sort=-updatedAt'))[0]).toBe('alpha');
      const rank = (name: string): number => PRIORITY_RANK[t[name].priority];
      const descending = namesOf(await mine('sort=-priority'));
      expect(descending.map((name) => t[name].priority)).toEqual([
        'critical',
        'high',
        'medium',
        'medium',
        'low',
        'low',
      ]);
      expect(descending.slice(0, 2)).toEqual(['bravo', 'charlie']);
      const ascending = namesOf(await mine('sort=priority'));
      expect(ascending.map(rank)).toEqual([1, 1, 2, 2, 3, 4]);
    });

    it('pages with limit and offset over a stable order', async () => {
      const all = await mine('sort=title');
      const pages: string[] = [];
      for (const offset of [0, 2, 4, 6]) {
        const response = await list(`q=${prefix}&sort=title&limit=2&offset=${offset}`);
        expect(answer(response)).toMatchObject({ status: 200 });
        const page = pageOf(response);
        expect(page).toMatchObject({ total: 6, limit: 2, offset });
        expect(page.items.length).toBe(offset < 6 ? 2 : 0);
        pages.push(...page.items.map((item) => item.id));
      }
      expect(pages).toEqual(all);
      const max = pageOf(await list(`q=${prefix}&limit=500`));
      expect(max).toMatchObject({ limit: 500, total: 6 });
    });

    it('answers 400 for invalid filter values', async () => {
      const cases: Array<[string, string]> = [
        ['status=nope', 'status'],
        ['status=todo,nope', 'status'],
        ['priority=urgent', 'priority'],
        ['sort=name', 'sort'],
        ['sort=-status', 'sort'],
        ['limit=0', 'limit'],
        ['limit=501', 'limit'],
        ['limit=ten', 'limit'],
        ['offset=-1', 'offset'],
        ['teamId=team-1', 'teamId'],
        ['agentId=123', 'agentId'],
        ['parentTaskId=not-a-uuid', 'parentTaskId'],
        ['createdFrom=yesterday', 'createdFrom'],
        ['createdTo=2026-13-45', 'createdTo'],
        ['updatedFrom=12345', 'updatedFrom'],
        ['updatedTo=tomorrow', 'updatedTo'],
        ['bogus=1', 'bogus'],
      ];
      for (const [query, field] of cases) {
        const response = await list(query);
        expect({ query, ...refusal(response) }).toEqual({ query, status: 400, code: 'validation_failed' });
        expect({ query, fields: fieldsOf(response), namesField: fieldsOf(response).includes(field) }).toEqual({
          query,
          fields: fieldsOf(response),
          namesField: true,
        });
      }
    });
  });
});
