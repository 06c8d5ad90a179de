import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { answerCode, dataOfAnswer, type HubAnswer, hubRequest } from '../utils/hub-client.js';
import { type HubCluster, startHubCluster } from '../utils/hub-cluster.js';
import type { HubProcess } from '../utils/hub-processes.js';
import type { Page, TaskDto } from '../utils/payloads.js';
import { sleep } from '../utils/poll.js';
import { TEST_AGENT_TOKEN } from '../utils/test-config.js';
import { bearer, type Headers } from '../utils/tokens.js';
import { unique } from '../utils/values.js';

const CLAIMERS = 32;
const KEY_LIMITS = { alpha: 3, beta: 5 } as const;
const TEAM_LIMIT = 4;
const AGENT_LIMIT = 2;
/** How long a claimer works on a task before completing it: long enough for the limits to fill up. */
const WORK_MS = 60;
/** Long enough that an answer well before it is a wake-up, not the end of the wait. */
const LONG_WAIT_SECONDS = 20;

interface LimitDto {
  kind: 'key' | 'team';
  key: string | null;
  teamId: string | null;
  limit: number;
  active: number;
}

interface Claimer {
  id: string;
  headers: Headers;
  /** The client address its requests come from, so the per-address registration limit never interferes. */
  address: string;
  hub: HubProcess;
}

/**
 * Concurrency limits (issue 12, item 4) on real hub processes sharing one database: limits per concurrency
 * key, per team and per agent hold under many concurrent claimers on every instance, keys take turns within a
 * priority, and capacity freed or granted on one instance wakes a claim waiting on another.
 */
describe('Concurrency limits across hub processes (issue 12, item 4)', () => {
  let cluster: HubCluster;
  let hubs: HubProcess[];
  let registered = 0;
  const admin: Headers = bearer(TEST_AGENT_TOKEN);

  beforeAll(async () => {
    cluster = await startHubCluster(2);
    hubs = cluster.hubs;
  }, 120_000);
  afterAll(() => cluster?.close(), 60_000);

  const send = <T>(hub: HubProcess, path: string, method: 'POST' | 'PUT' | 'DELETE' | 'GET', body?: unknown) =>
    hubRequest<T>(hub.base, path, { method, headers: admin, body });

  async function registerClaimer(hub: HubProcess, extra: object = {}): Promise<Claimer> {
    registered += 1;
    const address = `127.0.3.${registered}`;
    const name = unique('claimer');
    const answer = await hubRequest(hub.base, '/api/agents/register', {
      method: 'POST',
      headers: admin,
      body: { name, url: `http://${name}.agents.test:5001`, ...extra },
      localAddress: address,
    });
    const { agent, agentKey } = dataOfAnswer<{ agent: { id: string }; agentKey: string }>(answer);
    return { id: agent.id, headers: bearer(agentKey), address, hub };
  }

  const createTask = async (hub: HubProcess, body: object): Promise<TaskDto> =>
    dataOfAnswer<TaskDto>(await send(hub, '/api/tasks', 'POST', body), 201);

  const claim = (claimer: Claimer, waitSeconds = 0, body: object = {}) =>
    hubRequest<{ data: TaskDto }>(claimer.hub.base, `/api/tasks/claim?waitSeconds=${waitSeconds}`, {
      method: 'POST',
      headers: claimer.headers,
      body,
      localAddress: claimer.address,
      timeoutMs: (waitSeconds + 15) * 1000,
    });

  async function complete(claimer: Claimer, taskId: string): Promise<void> {
    for (const status of ['in_progress', 'completed']) {
      dataOfAnswer(
        await hubRequest(claimer.hub.base, `/api/tasks/${taskId}/status`, {
          method: 'POST',
          headers: claimer.headers,
          body: { status },
          localAddress: claimer.address,
        }),
      );
    }
  }

  async function createTeamWith(members: Claimer[]): Promise<string> {
    const teamId = dataOfAnswer<{ id: string }>(
      await send(hubs[0], '/api/teams', 'POST', { name: unique('team') }),
      201,
    ).id;
    const roleId = dataOfAnswer<{ id: string }>(
      await send(hubs[0], '/api/roles', 'POST', { name: unique('role') }),
      201,
    ).id;
    for (const member of members) {
      dataOfAnswer(await send(hubs[0], `/api/teams/${teamId}/members`, 'POST', { agentId: member.id, roleId }), 201);
    }
    return teamId;
  }

  /** The most tasks under way at once per key, in the team and per agent, each read in one snapshot. */
  interface Peaks {
    alpha: number;
    beta: number;
    team: number;
    agent: number;
  }
  async function activeNow(teamId: string): Promise<Peaks> {
    const { rows } = await cluster.db.query<Peaks>(
      `SELECT
         count(*) FILTER (WHERE concurrency_key = 'alpha')::int AS alpha,
         count(*) FILTER (WHERE concurrency_key = 'beta')::int AS beta,
         count(*) FILTER (WHERE team_id = $1)::int AS team,
         COALESCE((SELECT max(n) FROM (SELECT count(*)::int AS n FROM tasks
           WHERE status IN ('assigned', 'in_progress') GROUP BY assigned_agent_id) per_agent), 0) AS agent
       FROM tasks WHERE status IN ('assigned', 'in_progress')`,
      [teamId],
    );
    return rows[0];
  }

  it(`never has more tasks of a key, a team or an agent under way than its limit, with ${CLAIMERS} claimers on two processes`, async () => {
    const claimers = await Promise.all(
      Array.from({ length: CLAIMERS }, (_, n) => registerClaimer(hubs[n % 2], { maxConcurrentTasks: AGENT_LIMIT })),
    );
    const teamId = await createTeamWith(claimers);
    for (const [key, limit] of Object.entries(KEY_LIMITS)) {
      dataOfAnswer(await send(hubs[1], `/api/concurrency-limits/keys/${key}`, 'PUT', { limit }));
    }
    dataOfAnswer(await send(hubs[0], `/api/concurrency-limits/teams/${teamId}`, 'PUT', { limit: TEAM_LIMIT }));
    const bodies = [
      ...Array.from({ length: 24 }, () => ({ concurrencyKey: 'alpha' })),
      ...Array.from({ length: 24 }, () => ({ concurrencyKey: 'beta' })),
      ...Array.from({ length: 24 }, () => ({ teamId })),
      ...Array.from({ length: 24 }, () => ({})),
    ];
    const title = unique('limited');
    const created = await Promise.all(bodies.map((body, n) => createTask(hubs[n % 2], { title, ...body })));

    const peaks: Peaks = { alpha: 0, beta: 0, team: 0, agent: 0 };
    let running = true;
    const sampler = (async () => {
      while (running) {
        const now = await activeNow(teamId);
        for (const name of Object.keys(peaks) as Array<keyof Peaks>) {
          peaks[name] = Math.max(peaks[name], now[name]);
        }
      }
    })();
    const claimedBy = new Map<string, string>();
    const deadline = Date.now() + 90_000;
    const work = claimers.map(async (claimer) => {
      const finishing: Array<Promise<void>> = [];
      // Claim again at once while holding a task, so the agent's own limit is tried as well.
      while (claimedBy.size < created.length && Date.now() < deadline) {
        const answer = await claim(claimer, 1);
        if (answer.status === 200) {
          const taskId = answer.body.data.id;
          expect(claimedBy.get(taskId)).toBeUndefined();
          claimedBy.set(taskId, claimer.id);
          finishing.push(sleep(WORK_MS).then(() => complete(claimer, taskId)));
        }
      }
      await Promise.all(finishing);
    });
    await Promise.all(work);
    running = false;
    await sampler;

    // Every limit was reached (so the run tried it) and none was ever exceeded.
    expect(peaks).toEqual({ alpha: KEY_LIMITS.alpha, beta: KEY_LIMITS.beta, team: TEAM_LIMIT, agent: AGENT_LIMIT });
    const { rows } = await cluster.db.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM tasks WHERE title = $1 GROUP BY status',
      [title],
    );
    expect(rows).toEqual([{ status: 'completed', n: created.length }]);
    const limits = dataOfAnswer<Page<LimitDto>>(await send(hubs[1], '/api/concurrency-limits?limit=100', 'GET'));
    expect(
      limits.items.map(({ kind, key, teamId: team, limit, active }) => ({ kind, key, team, limit, active })),
    ).toEqual(
      expect.arrayContaining([
        { kind: 'key', key: 'alpha', team: null, limit: KEY_LIMITS.alpha, active: 0 },
        { kind: 'key', key: 'beta', team: null, limit: KEY_LIMITS.beta, active: 0 },
        { kind: 'team', key: null, team: teamId, limit: TEAM_LIMIT, active: 0 },
      ]),
    );
  }, 120_000);

  it('takes concurrency keys in turn within a priority, so a key with a long backlog does not starve the others', async () => {
    const agent = await registerClaimer(hubs[0]);
    const teamId = await createTeamWith([agent]);
    const create = async (label: string, body: object) => ({
      label,
      id: (await createTask(hubs[1], { title: label, teamId, ...body })).id,
    });
    const order = [];
    for (let n = 1; n <= 5; n += 1) {
      order.push(await create(`bulk-${n}`, { concurrencyKey: 'bulk' }));
    }
    for (let n = 1; n <= 2; n += 1) {
      order.push(await create(`small-${n}`, { concurrencyKey: 'small' }));
    }
    order.push(await create('tiny-1', { concurrencyKey: 'tiny' }));
    order.push(await create('keyless', {}));
    order.push(await create('urgent', { concurrencyKey: 'bulk', priority: 'high' }));

    const claimed: string[] = [];
    for (;;) {
      const answer = await claim(agent, 0, { teamId });
      if (answer.status !== 200) {
        expect(answer.status).toBe(204);
        break;
      }
      claimed.push(order.find((task) => task.id === answer.body.data.id)!.label);
      await complete(agent, answer.body.data.id);
    }

    // Priority first; within it the first waiting task of each key (and the keyless one), then the second of
    // each, and so on, each round in the order of creation.
    expect(claimed).toEqual([
      'urgent',
      'bulk-1',
      'small-1',
      'tiny-1',
      'keyless',
      'bulk-2',
      'small-2',
      'bulk-3',
      'bulk-4',
      'bulk-5',
    ]);
  }, 60_000);

  it('holds back a key at limit 0, and a claim waiting on one process takes the task once the other raises the limit', async () => {
    const agent = await registerClaimer(hubs[1]);
    const key = unique('paused');
    dataOfAnswer(await send(hubs[0], `/api/concurrency-limits/keys/${key}`, 'PUT', { limit: 0 }));
    const held = await createTask(hubs[0], { title: unique('held'), concurrencyKey: key });
    expect((await claim(agent, 0)).status).toBe(204);

    const started = Date.now();
    const waiting = claim(agent, LONG_WAIT_SECONDS);
    await sleep(500);
    dataOfAnswer(await send(hubs[0], `/api/concurrency-limits/keys/${key}`, 'PUT', { limit: 1 }));
    const answer = await waiting;

    expect(dataOfAnswer<TaskDto>(answer).id).toBe(held.id);
    expect(Date.now() - started).toBeLessThan((LONG_WAIT_SECONDS * 1000) / 2);
  }, 60_000);

  it('wakes a claim waiting on one process when a task under the same limit finishes on the other', async () => {
    const [first, second] = await Promise.all([registerClaimer(hubs[0]), registerClaimer(hubs[1])]);
    const key = unique('single');
    dataOfAnswer(await send(hubs[0], `/api/concurrency-limits/keys/${key}`, 'PUT', { limit: 1 }));
    const tasks = [
      await createTask(hubs[0], { title: unique('one'), concurrencyKey: key }),
      await createTask(hubs[0], { title: unique('two'), concurrencyKey: key }),
    ];
    expect(dataOfAnswer<TaskDto>(await claim(first)).id).toBe(tasks[0].id);
    expect((await claim(second)).status).toBe(204);

    const started = Date.now();
    const waiting = claim(second, LONG_WAIT_SECONDS);
    await sleep(500);
    // Failing frees the place as well as completing does (a failure without retries ends the task).
    dataOfAnswer(
      await hubRequest(first.hub.base, `/api/tasks/${tasks[0].id}/status`, {
        method: 'POST',
        headers: first.headers,
        body: { status: 'in_progress' },
        localAddress: first.address,
      }),
    );
    dataOfAnswer(
      await hubRequest(first.hub.base, `/api/tasks/${tasks[0].id}/status`, {
        method: 'POST',
        headers: first.headers,
        body: { status: 'failed' },
        localAddress: first.address,
      }),
    );

    expect(dataOfAnswer<TaskDto>(await waiting).id).toBe(tasks[1].id);
    expect(Date.now() - started).toBeLessThan((LONG_WAIT_SECONDS * 1000) / 2);
  }, 60_000);

  it('wakes an agent waiting at its own limit when an admin raises maxConcurrentTasks on the other process', async () => {
    const agent = await registerClaimer(hubs[1], { maxConcurrentTasks: 1 });
    // Its own team, so no other test's task can come first.
    const teamId = await createTeamWith([agent]);
    const first = await createTask(hubs[0], { title: unique('first'), teamId });
    const second = await createTask(hubs[0], { title: unique('second'), teamId });
    expect(dataOfAnswer<TaskDto>(await claim(agent, 0, { teamId })).id).toBe(first.id);
    expect((await claim(agent, 0, { teamId })).status).toBe(204);

    const started = Date.now();
    const waiting = claim(agent, LONG_WAIT_SECONDS, { teamId });
    await sleep(500);
    const raised = await hubRequest(hubs[0].base, `/api/agents/${agent.id}`, {
      method: 'PATCH',
      headers: admin,
      body: { maxConcurrentTasks: 2 },
    });
    dataOfAnswer(raised);

    expect(dataOfAnswer<TaskDto>(await waiting).id).toBe(second.id);
    expect(Date.now() - started).toBeLessThan((LONG_WAIT_SECONDS * 1000) / 2);
  }, 60_000);

  describe('the limits resource', () => {
    it('lets administrators set, read and remove limits, audits each change, and answers 404 for one not set', async () => {
      const key = unique('managed');
      const path = `/api/concurrency-limits/keys/${key}`;
      expect(answerCode(await send(hubs[0], path, 'GET'))).toBe('concurrency_limit_not_found');

      const set = dataOfAnswer<LimitDto>(await send(hubs[0], path, 'PUT', { limit: 2 }));
      expect(set).toMatchObject({ kind: 'key', key, teamId: null, limit: 2, active: 0 });
      dataOfAnswer(await send(hubs[1], path, 'PUT', { limit: 7 }));
      expect(dataOfAnswer<LimitDto>(await send(hubs[1], path, 'GET'))).toMatchObject({ limit: 7 });
      expect((await send(hubs[0], path, 'DELETE')).status).toBe(204);
      expect((await send(hubs[0], path, 'DELETE')).status).toBe(404);

      const { rows } = await cluster.db.query<{ action: string; details: object }>(
        `SELECT action, details FROM audit_logs WHERE target_type = 'concurrency_key' AND target_id = $1 ORDER BY at`,
        [key],
      );
      expect(rows).toEqual([
        { action: 'concurrency_limit.set', details: { limit: 2, previous: null } },
        { action: 'concurrency_limit.set', details: { limit: 7, previous: 2 } },
        { action: 'concurrency_limit.deleted', details: {} },
      ]);
    });

    it('refuses registered agents with 403 on every write, leaving the limit as it was', async () => {
      const agent = await registerClaimer(hubs[0]);
      const key = unique('guarded');
      const path = `/api/concurrency-limits/keys/${key}`;
      dataOfAnswer(await send(hubs[0], path, 'PUT', { limit: 3 }));
      for (const [method, body] of [
        ['PUT', { limit: 50 }],
        ['DELETE', undefined],
      ] as const) {
        const answer = await hubRequest(hubs[1].base, path, {
          method,
          headers: agent.headers,
          body,
          localAddress: agent.address,
        });
        expect({ method, status: answer.status }).toEqual({ method, status: 403 });
      }
      // Reading is open to every authenticated caller, agents included (they plan around the limits).
      const read = await hubRequest(hubs[1].base, path, { headers: agent.headers, localAddress: agent.address });
      expect(dataOfAnswer<LimitDto>(read)).toMatchObject({ limit: 3 });
    });

    it('refuses bad limits, keys and teams with a clear 4xx, changing nothing', async () => {
      const key = unique('strict');
      const path = `/api/concurrency-limits/keys/${key}`;
      dataOfAnswer(await send(hubs[0], path, 'PUT', { limit: 4 }));
      const refusals: Array<[string, 'PUT' | 'POST', unknown, number, string]> = [
        [path, 'PUT', { limit: -1 }, 400, 'validation_failed'],
        [path, 'PUT', { limit: 100_001 }, 400, 'validation_failed'],
        [path, 'PUT', { limit: 1.5 }, 400, 'validation_failed'],
        [path, 'PUT', { limit: '3' }, 400, 'validation_failed'],
        [path, 'PUT', {}, 400, 'validation_failed'],
        [path, 'PUT', { limit: 3, extra: true }, 400, 'validation_failed'],
        ['/api/concurrency-limits/keys/has%20space', 'PUT', { limit: 1 }, 400, 'validation_failed'],
        [`/api/concurrency-limits/keys/${'k'.repeat(101)}`, 'PUT', { limit: 1 }, 400, 'validation_failed'],
        ['/api/concurrency-limits/teams/not-a-uuid', 'PUT', { limit: 1 }, 400, 'validation_failed'],
        [
          '/api/concurrency-limits/teams/00000000-0000-4000-8000-000000000000',
          'PUT',
          { limit: 1 },
          404,
          'team_not_found',
        ],
        ['/api/tasks', 'POST', { title: 'bad key', concurrencyKey: '-leading-dash' }, 400, 'validation_failed'],
        ['/api/tasks', 'POST', { title: 'bad key', concurrencyKey: 7 }, 400, 'validation_failed'],
      ];
      for (const [target, method, body, status, code] of refusals) {
        const answer: HubAnswer = await send(hubs[1], target, method, body);
        expect({ target, body, status: answer.status, code: answerCode(answer) }).toEqual({
          target,
          body,
          status,
          code,
        });
      }
      expect(dataOfAnswer<LimitDto>(await send(hubs[0], path, 'GET'))).toMatchObject({ limit: 4 });
      const { rows } = await cluster.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM tasks WHERE title = 'bad key'`,
      );
      expect(rows[0].n).toBe(0);
    });

    it("takes an agent's maxConcurrentTasks at registration, lets an admin change or remove it, and refuses bad values", async () => {
      const agent = await registerClaimer(hubs[0], { maxConcurrentTasks: 3 });
      const read = async () =>
        dataOfAnswer<{ maxConcurrentTasks: number | null }>(await send(hubs[1], `/api/agents/${agent.id}`, 'GET'))
          .maxConcurrentTasks;
      expect(await read()).toBe(3);
      for (const value of [0, -1, 10_001, 2.5, '2']) {
        const answer = await hubRequest(hubs[0].base, `/api/agents/${agent.id}`, {
          method: 'PATCH',
          headers: admin,
          body: { maxConcurrentTasks: value },
        });
        expect({ value, status: answer.status }).toEqual({ value, status: 400 });
      }
      expect(await read()).toBe(3);
      const patch = (maxConcurrentTasks: number | null) =>
        hubRequest(hubs[0].base, `/api/agents/${agent.id}`, {
          method: 'PATCH',
          headers: admin,
          body: { maxConcurrentTasks },
        });
      dataOfAnswer(await patch(1));
      expect(await read()).toBe(1);
      dataOfAnswer(await patch(null));
      expect(await read()).toBeNull();
    });
  });
});
