import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { request as httpRequest } from 'node:http';
import request from 'supertest';
import { createUser, type CreatedUser, tokenFor } from '../factories/user.factory.js';
import { UsersRepository } from '../../src/modules/users/users.repository.js';
import { call, dataOf } from '../utils/api.js';
import {
  catalogueFor,
  type DefaultSegment,
  describeRequest,
  type HostileRequest,
  pathOf,
  randomRequestsFor,
  rawRequestsFor,
} from '../utils/bad-input-requests.js';
import { ABSENT_ID, type ApiOperation, readOperations } from '../utils/openapi-operations.js';
import { createTask, type QueueAgent, registerAgent } from '../utils/queue-helpers.js';
import { rawHttp } from '../utils/raw-http.js';
import { changedTables, RowCounter } from '../utils/row-counts.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import { TEST_AGENT_TOKEN } from '../utils/test-config.js';
import { bearer, type Headers } from '../utils/tokens.js';
import { unique } from '../utils/values.js';

/**
 * Bad-input suite (issue 10 item 3): every operation of the OpenAPI document the running hub serves, as
 * every principal, gets a fixed catalogue of hostile requests (one of each kind), a fixed number of random
 * ones drawn by fast-check from a fixed seed, and the requests only a raw socket can send. Every answer
 * must be a success or a 4xx error envelope with the request id and the security headers, within 10 s; no
 * refusal may change the number of rows in any table, and no GET any at all.
 */

const SEED = 20_261_003;
const RANDOM_RUNS = 14;
const TIMEOUT_MS = 10_000;

type PrincipalName = 'anonymous' | 'user' | 'registered agent' | 'admin';
const PRINCIPALS: PrincipalName[] = ['anonymous', 'user', 'registered agent', 'admin'];

// Refused requests that are supposed to write, and nothing else. A failed password check (login, refresh,
// re-authentication for a password change) is a login_attempts row, since the per-address limits must hold
// across instances (SPEC section 3); failed logins, lockouts and bans are audited (section 9); the 50th
// failure in an hour bans the address. The registration rate limit counts refused requests as well, and so
// do the limits of the two OIDC routes, the only GETs that write (a browser starts a login by navigating).
const PASSWORD_CHECK = ['login_attempts', 'audit_logs', 'banned_ips'];
const WRITES_ON_REFUSAL: Record<string, string[]> = {
  'POST /api/auth/login': PASSWORD_CHECK,
  'POST /api/auth/refresh': PASSWORD_CHECK,
  'POST /api/profile/password': PASSWORD_CHECK,
  'POST /api/agents/register': ['rate_limit_buckets'],
  'GET /api/auth/oidc/login': ['rate_limit_buckets'],
  'GET /api/auth/oidc/callback': ['rate_limit_buckets'],
  'GET /api/auth/oidc/authorize': ['rate_limit_buckets'],
  'POST /api/auth/oidc/token': ['rate_limit_buckets'],
};

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

const SNAKE_CASE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

/** What is wrong with one answer: a 5xx, a missing header, or an error that is not the envelope. */
function problemsOf(answer: Answer): string[] {
  const problems: string[] = [];
  if (!(answer.status >= 200 && answer.status < 500)) {
    problems.push(`status ${answer.status}`);
  }
  if (answer.headers['x-content-type-options'] !== 'nosniff') {
    problems.push('no X-Content-Type-Options: nosniff');
  }
  if (answer.headers['cache-control'] !== 'no-store') {
    problems.push('no Cache-Control: no-store');
  }
  if (answer.status >= 400) {
    let envelope: { status?: unknown; message?: unknown; data?: { code?: unknown; requestId?: unknown } };
    try {
      envelope = JSON.parse(answer.text) as typeof envelope;
    } catch {
      return [...problems, `a ${answer.status} whose body is not JSON: ${answer.text.slice(0, 120)}`];
    }
    if (envelope?.status !== 'error' || typeof envelope.message !== 'string') {
      problems.push(`not an error envelope: ${answer.text.slice(0, 120)}`);
    }
    if (typeof envelope?.data?.code !== 'string' || !SNAKE_CASE.test(envelope.data.code)) {
      problems.push(`code ${JSON.stringify(envelope?.data?.code)} is not snake_case`);
    }
    if (!answer.headers['x-request-id'] || envelope?.data?.requestId !== answer.headers['x-request-id']) {
      problems.push('the envelope requestId is not the X-Request-Id header');
    }
  }
  return problems;
}

// The path segment before a parameter names the fixture whose id the parameter gets by default.
const FIXTURE_BY_SEGMENT: Record<string, keyof Fixtures> = {
  roles: 'role',
  teams: 'team',
  members: 'member',
  'team-types': 'teamType',
  users: 'user',
  agents: 'agent',
  'banned-ips': 'ip',
  tasks: 'task',
  archived: 'archivedTask',
  'scheduled-tasks': 'schedule',
  templates: 'template',
  config: 'configKey',
};

interface Fixtures {
  role: string;
  team: string;
  member: string;
  teamType: string;
  user: string;
  agent: string;
  ip: string;
  task: string;
  archivedTask: string;
  schedule: string;
  template: string;
  configKey: string;
}

// Deleting and archiving take the fixtures away from the operations after them, so they come last.
const destructive = (operation: ApiOperation): boolean =>
  operation.method === 'delete' || operation.path.endsWith('/archive');

/** A seed of its own for each operation × principal, so adding an operation leaves the others' requests alone. */
function seedFor(label: string): number {
  let hash = SEED;
  for (const char of label) {
    hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
  }
  return hash;
}

describe('Bad input from the OpenAPI document (issue 10 item 3)', () => {
  let hub: TestApp;
  let port: number;
  let operations: ApiOperation[];
  let counter: RowCounter;
  let user: CreatedUser;
  let admin: CreatedUser;
  let agent: QueueAgent;
  let fixtureAgent: QueueAgent;
  let sent = 0;
  let slowestMs = 0;
  const started = Date.now();

  // TRUST_PROXY makes X-Forwarded-For count, so its garbage reaches the code that reads the client address.
  beforeAll(async () => {
    hub = await startTestApp({ env: { TRUST_PROXY: 'true' } });
    await hub.app.listen({ port: 0, host: '127.0.0.1' });
    port = Number(new URL(await hub.app.getUrl()).port);
    ({ operations } = await readOperations(hub.server));
    counter = await RowCounter.connect(hub.database.url);
    user = await createUser(hub.app);
    admin = await createUser(hub.app, { role: 'admin' });
    const hubToken = bearer(TEST_AGENT_TOKEN);
    agent = await registerAgent(hub.server, hubToken, 'fuzz-principal');
    fixtureAgent = await registerAgent(hub.server, hubToken, 'fuzz-fixture');
  });

  afterAll(async () => {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      `bad-input suite: ${sent} requests across ${operations?.length ?? 0} operations × ${PRINCIPALS.length} ` +
        `principals in ${seconds} s (slowest answer ${slowestMs} ms)\n`,
    );
    await counter?.close();
    await hub?.close();
  });

  /** A user's current token (re-read: a hostile request may have been a successful "log out everywhere"). */
  const currentToken = async (created: CreatedUser): Promise<Headers> => {
    const row = await hub.app.get(UsersRepository, { strict: false }).getById(created.user.id);
    return bearer(tokenFor(hub.config, row ?? created.user));
  };

  async function credentialOf(principal: PrincipalName): Promise<Headers> {
    switch (principal) {
      case 'anonymous':
        return {};
      case 'user':
        return currentToken(user);
      case 'registered agent':
        return agent.headers;
      case 'admin':
        return currentToken(admin);
    }
  }

  /** Fresh resources for the path parameters, made through the API as the admin. */
  async function createFixtures(): Promise<Fixtures> {
    const headers = await currentToken(admin);
    const create = async (path: string, body: object, status = 201): Promise<string> =>
      dataOf<{ id: string }>(await call(hub.server, 'post', path, headers, body).expect(status)).id;
    const template = await create('/api/templates', { name: unique('fz'), promptTemplate: 'For {{team_name}}' });
    const role = await create('/api/roles', { name: unique('fz') });
    const teamType = await create('/api/team-types', { name: unique('fz') });
    await call(hub.server, 'post', `/api/team-types/${teamType}/roles`, headers, { roleId: role }).expect(201);
    const team = await create('/api/teams', { name: unique('fz') });
    const member = await create(`/api/teams/${team}/members`, { agentId: fixtureAgent.id, roleId: role });
    const task = (await createTask(hub.server, headers, { title: unique('fz') })).id;
    const archivedTask = (await createTask(hub.server, headers, { title: unique('fz') })).id;
    await call(hub.server, 'post', `/api/tasks/${archivedTask}/archive`, headers).expect(200);
    const schedule = await create('/api/scheduled-tasks', {
      name: unique('fz'),
      intervalSeconds: 3600,
      task: { title: 'fuzz' },
    });
    const configKey = unique('fz');
    await request(hub.server).put(`/api/config/${configKey}`).set(headers).send({ value: 1 }).expect(200);
    const victim = await createUser(hub.app);
    return {
      role,
      team,
      member,
      teamType,
      user: victim.user.id,
      agent: fixtureAgent.id,
      ip: '203.0.113.9',
      task,
      archivedTask,
      schedule,
      template,
      configKey,
    };
  }

  const defaultSegment =
    (fixtures: Fixtures): DefaultSegment =>
    (operation, parameter) => {
      const parts = operation.path.split('/');
      const owner = FIXTURE_BY_SEGMENT[parts[parts.indexOf(`{${parameter}}`) - 1]];
      return owner ? fixtures[owner] : ABSENT_ID;
    };

  async function sendOne(
    operation: ApiOperation,
    credential: Headers,
    segment: DefaultSegment,
    hostile: HostileRequest,
  ): Promise<Answer | string> {
    const query = hostile.query === undefined ? '' : `?${hostile.query}`;
    if (operation.streams) {
      return sendToStream(`${pathOf(operation, segment, hostile.segments)}${query}`, {
        ...credential,
        ...hostile.headers,
      });
    }
    let test = request(hub.server)
      [operation.method](`${pathOf(operation, segment, hostile.segments)}${query}`)
      .set({ ...credential, ...hostile.headers })
      .timeout(TIMEOUT_MS);
    if (hostile.body?.contentType) {
      test = test.set('content-type', hostile.body.contentType);
    }
    if (hostile.body) {
      test = test.send(hostile.body.payload);
    }
    try {
      const response = await test;
      return { status: response.status, headers: response.headers, text: response.text };
    } catch (error) {
      // The response contract (test/setup) rejects here too, naming what the document does not cover.
      return error instanceof Error ? error.message : String(error);
    }
  }

  /** A GET of an event stream: an accepted one never ends, so its head is the answer. */
  function sendToStream(path: string, headers: Headers): Promise<Answer | string> {
    return new Promise((resolve) => {
      const outgoing = httpRequest({ host: '127.0.0.1', port, path, headers, timeout: TIMEOUT_MS });
      outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
      outgoing.on('error', (error) => resolve(error.message));
      outgoing.on('response', (response) => {
        const chunks: Buffer[] = [];
        if (String(response.headers['content-type']).startsWith('text/event-stream')) {
          response.destroy();
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text: '' });
          return;
        }
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString(),
          }),
        );
      });
      outgoing.end();
    });
  }

  async function sendRaw(bytes: Buffer): Promise<Answer | string> {
    try {
      const answer = await rawHttp(port, [bytes], 0, TIMEOUT_MS);
      return { status: answer.status, headers: answer.headers, text: answer.body };
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  /** Sends one operation's batch as one principal; the problems found, with what was sent. */
  async function runBatch(operation: ApiOperation, principal: PrincipalName, fixtures: Fixtures): Promise<string[]> {
    const credential = await credentialOf(principal);
    const segment = defaultSegment(fixtures);
    const label = `${principal} ${operation.label}`;
    const random = fc.sample(randomRequestsFor(operation, segment), { seed: seedFor(label), numRuns: RANDOM_RUNS });
    const authorization = credential.authorization ? [`Authorization: ${credential.authorization}`] : [];
    const sends: Array<[string, () => Promise<Answer | string>]> = [
      ...[...catalogueFor(operation), ...random].map((hostile): [string, () => Promise<Answer | string>] => [
        describeRequest(hostile),
        () => sendOne(operation, credential, segment, hostile),
      ]),
      ...rawRequestsFor(operation, segment, authorization).map(
        ({ what, bytes }): [string, () => Promise<Answer | string>] => [`raw: ${what}`, () => sendRaw(bytes)],
      ),
    ];
    const problems: string[] = [];
    const allowed = new Set(WRITES_ON_REFUSAL[operation.label]);
    const atStart = await counter.counts();
    let before = atStart;
    for (const [what, send] of sends) {
      const start = Date.now();
      const answer = await send();
      slowestMs = Math.max(slowestMs, Date.now() - start);
      sent += 1;
      const found = typeof answer === 'string' ? [answer] : problemsOf(answer);
      const status = typeof answer === 'string' ? undefined : answer.status;
      // Every refusal of a write operation is checked on its own: a success before it may have written.
      if (operation.method !== 'get') {
        const after = await counter.counts();
        const changed = status !== undefined && status >= 400 ? changedTables(before, after, allowed) : [];
        if (changed.length > 0) {
          found.push(`rows changed although the answer was ${status}: ${changed.join(', ')}`);
        }
        before = after;
      }
      problems.push(...found.map((problem) => `${label} [${what}]: ${problem}`));
    }
    // GET never writes, whatever it answers (beyond the rate limits above).
    if (operation.method === 'get') {
      const changed = changedTables(atStart, await counter.counts(), allowed);
      if (changed.length > 0) {
        problems.push(`${label}: rows changed by GET requests: ${changed.join(', ')}`);
      }
    }
    return problems;
  }

  it.each(PRINCIPALS)(
    'answers every hostile request to every operation as %s with a success or a 4xx envelope, in time, writing nothing on refusal',
    async (principal) => {
      const fixtures = await createFixtures();
      const ordered = [...operations.filter((op) => !destructive(op)), ...operations.filter(destructive)];
      const problems: string[] = [];
      for (const operation of ordered) {
        problems.push(...(await runBatch(operation, principal, fixtures)));
      }
      const prototype = Object.prototype as Record<string, unknown>;
      for (const key of ['isAdmin', 'role', 'polluted']) {
        if (key in prototype) {
          problems.push(`Object.prototype.${key} was polluted`);
        }
      }
      expect(problems).toEqual([]);
    },
    120_000,
  );
});
