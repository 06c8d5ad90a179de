import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Test } from 'supertest';
import { createUser, type CreatedUser, strongPassword, tokenFor } from '../factories/user.factory.js';
import { freshClientAddress, uniqueAgentUrl } from '../utils/agents-helpers.js';
import { call, dataOf, fieldsOf, type Method, refusal } from '../utils/api.js';
import type { AgentDto, Page, TaskDto, UserDto } from '../utils/payloads.js';
import { claim, claimedId, createTask, type QueueAgent, registerAgent, renew } from '../utils/queue-helpers.js';
import { login, profile } from '../utils/sessions-helpers.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import { TEST_AGENT_TOKEN } from '../utils/test-config.js';
import { bearer, type Headers } from '../utils/tokens.js';
import { unique } from '../utils/values.js';

/**
 * Security regressions, part 2 (issue 10 item 5): one principal acting on another's resources (IDOR), and
 * fields a client must never set (mass assignment). Every refused call is followed by a read-back with the hub
 * token, which must show nothing changed.
 */

const FORBIDDEN = { status: 403, code: 'forbidden' };
const hubToken = bearer(TEST_AGENT_TOKEN);

/** What a client might try to smuggle into a body, with values an attacker would pick. */
const SMUGGLED: Record<string, unknown> = {
  role: 'admin',
  isAdmin: true,
  version: 999,
  passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA',
  tokenVersion: 0,
  mfaEnabled: true,
  id: randomUUID(),
  disabled: false,
  lockedUntil: null,
  status: 'online',
  keyHash: 'a'.repeat(64),
  agentKey: `ak_${'A'.repeat(43)}`,
  lastSeenAt: '2030-01-01T00:00:00.000Z',
  createdAt: '2000-01-01T00:00:00.000Z',
  history: [],
  assignedAgentId: randomUUID(),
  leaseHolderId: randomUUID(),
  leaseExpiresAt: '2030-01-01T00:00:00.000Z',
};
const smuggle = (...fields: string[]): Array<[string, unknown]> => fields.map((field) => [field, SMUGGLED[field]]);

describe('Security regressions: access between principals (issue 10 item 5)', () => {
  let hub: TestApp;
  let alice: CreatedUser;
  let bob: CreatedUser;
  let aliceHeaders: Headers;
  let agentA: QueueAgent;
  let agentB: QueueAgent;

  // TRUST_PROXY lets each registration name its own client address, so the registration rate limit (which
  // counts refused requests too) never turns the mass-assignment attempts into 429s.
  beforeAll(async () => {
    hub = await startTestApp({ env: { TRUST_PROXY: 'true' } });
    alice = await createUser(hub.app);
    bob = await createUser(hub.app);
    aliceHeaders = bearer(tokenFor(hub.config, alice.user));
    agentA = await registerAgent(hub.server, hubToken, 'idor-a');
    agentB = await registerAgent(hub.server, hubToken, 'idor-b');
  });
  afterAll(() => hub.close());

  /** A resource as the hub token sees it: the read-back that shows whether a refused call changed anything. */
  const read = async <T>(path: string): Promise<T> =>
    dataOf<T>(await call(hub.server, 'get', path, hubToken).expect(200));

  const attempt = async (headers: Headers, [method, path, body]: [Method, string, object?]) => ({
    method,
    path,
    ...refusal(await call(hub.server, method, path, headers, body)),
  });

  describe('IDOR between users', () => {
    it('does not let user A read or change user B through any admin route (403), and B is unchanged', async () => {
      const bobId = bob.user.id;
      const before = await read<UserDto>(`/api/admin/users/${bobId}`);
      const calls: Array<[Method, string, object?]> = [
        ['get', `/api/admin/users/${bobId}`],
        ['get', `/api/admin/users?username=${bob.user.username}`],
        ['patch', `/api/admin/users/${bobId}`, { role: 'admin' }],
        ['patch', `/api/admin/users/${bobId}`, { disabled: true }],
        ['post', `/api/admin/users/${bobId}/reset-password`, { newPassword: strongPassword() }],
        ['post', `/api/admin/users/${bobId}/unlock`],
        ['delete', `/api/admin/users/${bobId}`],
      ];

      const results = [];
      for (const request of calls) {
        results.push(await attempt(aliceHeaders, request));
      }

      expect(results).toEqual(calls.map(([method, path]) => ({ method, path, ...FORBIDDEN })));
      expect(await read<UserDto>(`/api/admin/users/${bobId}`)).toEqual(before);
      expect((await profile(hub.server, tokenFor(hub.config, bob.user))).status).toBe(200);
      expect((await login(hub.server, bob.user.username, bob.password)).status).toBe(200);
    });

    it('answers the profile routes for the caller only: each user sees itself, and no profile route takes an id', async () => {
      const own = async (user: CreatedUser) =>
        dataOf<{ id: string }>(await profile(hub.server, tokenFor(hub.config, user.user))).id;
      expect([await own(alice), await own(bob)]).toEqual([alice.user.id, bob.user.id]);

      for (const path of [`/api/profile/${bob.user.id}`, `/api/profile/${bob.user.id}/password`]) {
        const response = await call(hub.server, 'get', path, aliceHeaders);
        expect({ path, status: response.status }).toEqual({ path, status: 404 });
      }
      const withQuery = await call(
        hub.server,
        'get',
        `/api/profile?id=${bob.user.id}&userId=${bob.user.id}`,
        aliceHeaders,
      );
      // Query parameters naming another user are ignored: the profile is always the caller's.
      expect({ status: withQuery.status, id: dataOf<{ id: string }>(withQuery).id }).toEqual({
        status: 200,
        id: alice.user.id,
      });
    });
  });

  describe('IDOR between agents', () => {
    it('does not let agent A heartbeat agent B (403), and B is unchanged', async () => {
      const before = await read<AgentDto>(`/api/agents/${agentB.id}`);

      const refused = await attempt(agentA.headers, [
        'post',
        `/api/agents/${agentB.id}/heartbeat`,
        { status: 'busy', load: { cpu: 1 } },
      ]);

      expect(refused).toMatchObject(FORBIDDEN);
      expect(await read<AgentDto>(`/api/agents/${agentB.id}`)).toEqual(before);
    });

    it("does not let agent A rotate agent B's key (403), and B's key keeps working", async () => {
      const refused = await attempt(agentA.headers, ['post', `/api/agents/${agentB.id}/rotate-key`]);

      expect(refused).toMatchObject(FORBIDDEN);
      expect((await call(hub.server, 'get', `/api/agents/${agentB.id}`, agentB.headers)).status).toBe(200);
    });

    it('does not let agent A change the status of, or edit, a task assigned to agent B (403), and the task is unchanged', async () => {
      const task = await createTask(hub.server, hubToken, { title: unique('idor-status') });
      await call(hub.server, 'post', `/api/tasks/${task.id}/assign`, hubToken, { agentId: agentB.id }).expect(200);
      const before = await read<TaskDto>(`/api/tasks/${task.id}`);
      const calls: Array<[Method, string, object?]> = [
        ['post', `/api/tasks/${task.id}/status`, { status: 'in_progress' }],
        ['post', `/api/tasks/${task.id}/status`, { status: 'cancelled' }],
        ['patch', `/api/tasks/${task.id}`, { title: 'taken over by A' }],
      ];

      const results = [];
      for (const request of calls) {
        results.push(await attempt(agentA.headers, request));
      }

      expect(results).toEqual(calls.map(([method, path]) => ({ method, path, ...FORBIDDEN })));
      expect(await read<TaskDto>(`/api/tasks/${task.id}`)).toEqual(before);
    });

    it("does not let agent A renew the lease of agent B's task (409 lease_not_held), and the lease is unchanged", async () => {
      await createTask(hub.server, hubToken, { title: unique('idor-lease'), priority: 'critical' });
      const claimed = await claim(hub.server, agentB.headers, { leaseSeconds: 60 }).expect(200);
      const taskId = claimedId(claimed);
      const before = await read<TaskDto>(`/api/tasks/${taskId}`);

      const refused = refusal(await renew(hub.server, agentA.headers, taskId, { leaseSeconds: 3600 }));

      expect(refused).toEqual({ status: 409, code: 'lease_not_held' });
      expect(await read<TaskDto>(`/api/tasks/${taskId}`)).toEqual(before);
    });

    it('does not let agent A (or a non-admin user) claim on behalf of agent B (403), and the queue is unchanged', async () => {
      const task = await createTask(hub.server, hubToken, { title: unique('idor-claim'), priority: 'critical' });
      const assignedTo = async (agent: QueueAgent) =>
        (await read<Page<TaskDto>>(`/api/tasks?agentId=${agent.id}&limit=500`)).items.map((item) => item.id).sort();
      const before = {
        task: await read<TaskDto>(`/api/tasks/${task.id}`),
        a: await assignedTo(agentA),
        b: await assignedTo(agentB),
      };

      const refused = [
        refusal(await claim(hub.server, agentA.headers, { agentId: agentB.id })),
        refusal(await claim(hub.server, aliceHeaders, { agentId: agentB.id })),
      ];

      expect(refused).toEqual([FORBIDDEN, FORBIDDEN]);
      const after = {
        task: await read<TaskDto>(`/api/tasks/${task.id}`),
        a: await assignedTo(agentA),
        b: await assignedTo(agentB),
      };
      expect(after).toEqual(before);
      // The field itself works for the hub token: the refusals above are about who names the agent.
      const onBehalf = await claim(hub.server, hubToken, { agentId: agentB.id }).expect(200);
      expect(dataOf<TaskDto>(onBehalf).assignedAgentId).toBe(agentB.id);
    });
  });

  describe('mass assignment', () => {
    /** For each smuggled field, the refusal of `send(base + that field)`: 400 validation_failed naming it. */
    async function refusalsOf(send: (body: object) => Test, base: () => object, fields: Array<[string, unknown]>) {
      const results = [];
      for (const [field, value] of fields) {
        const response = await send({ ...base(), [field]: value });
        results.push({
          field,
          ...refusal(response),
          named: response.status === 400 && fieldsOf(response).includes(field),
        });
      }
      return results;
    }
    const namedRefusals = (fields: Array<[string, unknown]>) =>
      fields.map(([field]) => ({ field, status: 400, code: 'validation_failed', named: true }));

    it('refuses role, isAdmin, version, passwordHash, tokenVersion, mfaEnabled and id in profile bodies, changing nothing', async () => {
      const fields = smuggle('role', 'isAdmin', 'version', 'passwordHash', 'tokenVersion', 'mfaEnabled', 'id');
      const before = dataOf<unknown>(await profile(hub.server, tokenFor(hub.config, alice.user)));
      const password = (body: object) => call(hub.server, 'post', '/api/profile/password', aliceHeaders, body);
      const enable = (body: object) => call(hub.server, 'post', '/api/profile/mfa/enable', aliceHeaders, body);

      const results = {
        password: await refusalsOf(
          password,
          () => ({ currentPassword: alice.password, newPassword: strongPassword() }),
          fields,
        ),
        enable: await refusalsOf(enable, () => ({ code: '123456' }), fields),
      };

      expect(results).toEqual({ password: namedRefusals(fields), enable: namedRefusals(fields) });
      expect(dataOf<unknown>(await profile(hub.server, tokenFor(hub.config, alice.user)))).toEqual(before);
      expect((await login(hub.server, alice.user.username, alice.password)).status).toBe(200);
    });

    it('refuses smuggled fields in admin user create and patch; no user is created and the target is unchanged', async () => {
      const fields = smuggle('isAdmin', 'version', 'passwordHash', 'tokenVersion', 'mfaEnabled', 'id', 'lockedUntil');
      const patchFields: Array<[string, unknown]> = [...fields, ['username', unique('renamed')]];
      const prefix = unique('mass');
      const create = (body: object) => call(hub.server, 'post', '/api/admin/users', hubToken, body);
      const patch = (body: object) => call(hub.server, 'patch', `/api/admin/users/${bob.user.id}`, hubToken, body);
      const before = await read<UserDto>(`/api/admin/users/${bob.user.id}`);

      const results = {
        create: await refusalsOf(
          create,
          () => ({ username: unique(prefix), password: strongPassword(), role: 'user' }),
          fields,
        ),
        patch: await refusalsOf(patch, () => ({ role: 'user' }), patchFields),
      };

      expect(results).toEqual({ create: namedRefusals(fields), patch: namedRefusals(patchFields) });
      expect((await read<Page<UserDto>>(`/api/admin/users?username=${prefix}`)).total).toBe(0);
      expect(await read<UserDto>(`/api/admin/users/${bob.user.id}`)).toEqual(before);
    });

    it('refuses smuggled fields in agent register and patch; nothing is registered and the agent is unchanged', async () => {
      const fields = smuggle(
        'id',
        'isAdmin',
        'status',
        'keyHash',
        'agentKey',
        'lastSeenAt',
        'createdAt',
        'tokenVersion',
      );
      const url = uniqueAgentUrl('mass');
      const register = (body: object) =>
        call(
          hub.server,
          'post',
          '/api/agents/register',
          { ...hubToken, 'x-forwarded-for': freshClientAddress() },
          body,
        );
      const patch = (body: object) => call(hub.server, 'patch', `/api/agents/${agentA.id}`, hubToken, body);
      const before = await read<AgentDto>(`/api/agents/${agentA.id}`);
      // status is an agent field admins may change; url is the registration key and cannot move.
      const patchFields: Array<[string, unknown]> = [
        ...fields.filter(([field]) => field !== 'status'),
        ['url', uniqueAgentUrl('moved')],
      ];

      const results = {
        register: await refusalsOf(register, () => ({ name: unique('mass'), url }), fields),
        patch: await refusalsOf(patch, () => ({ name: agentA.name }), patchFields),
      };

      expect(results).toEqual({ register: namedRefusals(fields), patch: namedRefusals(patchFields) });
      const agents = await read<Page<AgentDto>>('/api/agents?limit=500');
      expect(agents.items.filter((agent) => agent.url === url)).toEqual([]);
      expect(await read<AgentDto>(`/api/agents/${agentA.id}`)).toEqual(before);
    });

    it('refuses smuggled fields in task create, patch and status bodies, creating and changing nothing', async () => {
      const fields = smuggle(
        'status',
        'version',
        'history',
        'assignedAgentId',
        'leaseHolderId',
        'leaseExpiresAt',
        'createdAt',
        'isAdmin',
      );
      const title = unique('mass-task');
      const task = await createTask(hub.server, hubToken, { title: unique('mass-target') });
      const before = await read<TaskDto>(`/api/tasks/${task.id}`);
      const create = (body: object) => call(hub.server, 'post', '/api/tasks', hubToken, body);
      const patch = (body: object) => call(hub.server, 'patch', `/api/tasks/${task.id}`, hubToken, body);
      const status = (body: object) => call(hub.server, 'post', `/api/tasks/${task.id}/status`, hubToken, body);
      // version is PATCH's precondition (the next test); id cannot change once the task exists.
      const patchFields: Array<[string, unknown]> = [
        ...fields.filter(([field]) => field !== 'version'),
        ['id', randomUUID()],
      ];
      const statusFields = smuggle('assignedAgentId', 'leaseHolderId', 'leaseExpiresAt', 'history', 'isAdmin');

      const results = {
        create: await refusalsOf(create, () => ({ title }), fields),
        patch: await refusalsOf(patch, () => ({ title: 'renamed' }), patchFields),
        status: await refusalsOf(status, () => ({ status: 'in_progress' }), statusFields),
      };

      expect(results).toEqual({
        create: namedRefusals(fields),
        patch: namedRefusals(patchFields),
        status: namedRefusals(statusFields),
      });
      expect((await read<Page<TaskDto>>(`/api/tasks?q=${title}`)).total).toBe(0);
      expect(await read<TaskDto>(`/api/tasks/${task.id}`)).toEqual(before);
    });

    it('treats version in a task PATCH as a precondition only: a made-up version is 409 and never becomes the version', async () => {
      const task = await createTask(hub.server, hubToken, { title: unique('mass-version') });
      const before = await read<TaskDto>(`/api/tasks/${task.id}`);

      const response = await call(hub.server, 'patch', `/api/tasks/${task.id}`, hubToken, {
        title: 'renamed',
        version: before.version + 100,
      });

      expect(refusal(response)).toEqual({ status: 409, code: 'version_conflict' });
      expect(await read<TaskDto>(`/api/tasks/${task.id}`)).toEqual(before);
    });
  });
});
