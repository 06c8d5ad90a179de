import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { answerCode, dataOfAnswer, type HubAnswer, hubRequest, registerHubAgent } from '../utils/hub-client.js';
import { type HubCluster, startHubCluster } from '../utils/hub-cluster.js';
import { type HubProcess, startHubProcess } from '../utils/hub-processes.js';
import type { TaskDto } from '../utils/payloads.js';
import { sleep } from '../utils/poll.js';
import { TEST_AGENT_TOKEN } from '../utils/test-config.js';
import { bearer, type Headers } from '../utils/tokens.js';
import { unique } from '../utils/values.js';

/** Long enough that an answer well before it is a wake-up, not the end of the wait. */
const LONG_WAIT_SECONDS = 25;
/** How long the waiting requests are given to reach their hubs and start waiting. */
const SETTLE_MS = 1_000;
const WAITERS = 6;

/**
 * Long-polling claims (`POST /api/tasks/claim?waitSeconds=N`) across real hub processes on one database:
 * wake-ups through PostgreSQL LISTEN/NOTIFY reach every instance, no task goes to two agents, a wait holds no
 * pool connection, and it ends cleanly when the client leaves or the hub shuts down.
 */
describe('Claims that wait for work, across hub processes (issue 12, item 1)', () => {
  let cluster: HubCluster;
  let hubs: HubProcess[] = [];
  let db: pg.Client;
  let sequence = 0;
  const admin: Headers = bearer(TEST_AGENT_TOKEN);

  beforeAll(async () => {
    // A pool of two connections: a wait that held one would soon starve the process.
    cluster = await startHubCluster(2, { DB_POOL_SIZE: '2' });
    ({ hubs, db } = cluster);
  }, 120_000);

  afterAll(() => cluster?.close(), 60_000);

  async function registerAgent(hub: HubProcess): Promise<Headers> {
    sequence += 1;
    return (await registerHubAgent(hub.base, 'waiter', `127.0.1.${sequence}`)).headers;
  }
  const createTask = async (hub: HubProcess, title: string): Promise<TaskDto> =>
    dataOfAnswer<TaskDto>(
      await hubRequest(hub.base, '/api/tasks', { method: 'POST', headers: admin, body: { title } }),
      201,
    );
  const waitingClaim = (hub: HubProcess, agent: Headers, waitSeconds: number, timeoutMs = 60_000) =>
    hubRequest<{ data: TaskDto }>(hub.base, `/api/tasks/claim?waitSeconds=${waitSeconds}`, {
      method: 'POST',
      headers: agent,
      body: {},
      timeoutMs,
    });
  const statusOf = async (id: string): Promise<string> =>
    (await db.query<{ status: string }>('SELECT status FROM tasks WHERE id = $1', [id])).rows[0].status;

  it('wakes agents waiting on both processes for tasks created on either, and gives no task to two of them', async () => {
    const agents = await Promise.all(Array.from({ length: WAITERS }, (_, n) => registerAgent(hubs[n % 2])));
    const started = Date.now();
    const answers = agents.map((agent, n) =>
      waitingClaim(hubs[n % 2], agent, LONG_WAIT_SECONDS).then((answer) => ({ answer, afterMs: Date.now() - started })),
    );
    await sleep(SETTLE_MS);
    // While six claims wait on two connections per process, the processes still answer other requests.
    for (const hub of hubs) {
      expect((await hubRequest(hub.base, '/api/tasks?limit=1', { headers: admin, timeoutMs: 5_000 })).status).toBe(200);
    }

    const title = unique('dispatched');
    const created = [];
    for (let n = 0; n < WAITERS; n += 1) {
      created.push(await createTask(hubs[(n + 1) % 2], title));
    }
    const settled = await Promise.all(answers);

    expect(settled.map(({ answer }) => answer.status)).toEqual(agents.map(() => 200));
    const claimedIds = settled.map(({ answer }) => answer.body.data.id);
    expect(new Set(claimedIds)).toEqual(new Set(created.map((task) => task.id)));
    // Woken by the creations on the other process, not released by the end of the wait.
    expect(settled.filter(({ afterMs }) => afterMs >= (LONG_WAIT_SECONDS * 1000) / 2)).toEqual([]);
    const { rows } = await db.query<{ status: string; holders: number }>(
      `SELECT status, count(DISTINCT assigned_agent_id)::int AS holders FROM tasks WHERE title = $1 GROUP BY status`,
      [title],
    );
    expect(rows).toEqual([{ status: 'assigned', holders: WAITERS }]);
  }, 60_000);

  it('answers at once when a task is already claimable, and 204 when none came within waitSeconds', async () => {
    const agent = await registerAgent(hubs[0]);
    const ready = await createTask(hubs[1], unique('ready'));
    const immediate = await waitingClaim(hubs[0], agent, LONG_WAIT_SECONDS, 10_000);
    expect(dataOfAnswer<TaskDto>(immediate).id).toBe(ready.id);

    const empty = await waitingClaim(hubs[0], agent, 1);
    expect(empty.status).toBe(204);
    expect(empty.body).toBeUndefined();
  });

  it('refuses a waitSeconds outside 0–30 or not a whole number with 400, claiming nothing', async () => {
    const agent = await registerAgent(hubs[1]);
    const waiting = await createTask(hubs[0], unique('not-taken'));
    for (const value of ['-1', '31', '2.5', 'soon', '1e9']) {
      const answer: HubAnswer = await hubRequest(hubs[1].base, `/api/tasks/claim?waitSeconds=${value}`, {
        method: 'POST',
        headers: agent,
        body: {},
      });
      expect({ value, status: answer.status, code: answerCode(answer) }).toEqual({
        value,
        status: 400,
        code: 'validation_failed',
      });
    }
    expect(await statusOf(waiting.id)).toBe('todo');
    // Leave the queue empty for the tests that follow.
    dataOfAnswer(await waitingClaim(hubs[1], agent, 0));
  });

  it('stops waiting when the client goes away: a task created afterwards is left for others', async () => {
    const leaving = await registerAgent(hubs[0]);
    const gone = await waitingClaim(hubs[0], leaving, LONG_WAIT_SECONDS, 500).then(
      () => 'answered',
      () => 'gone',
    );
    expect(gone).toBe('gone');
    await sleep(SETTLE_MS);
    const task = await createTask(hubs[1], unique('left-over'));
    await sleep(SETTLE_MS);
    expect(await statusOf(task.id)).toBe('todo');
    const other = await registerAgent(hubs[1]);
    expect(dataOfAnswer<TaskDto>(await waitingClaim(hubs[1], other, 0)).id).toBe(task.id);
  });

  it('ends a waiting claim with 204 when its hub shuts down, and the process exits', async () => {
    const closing = await startHubProcess(cluster.main, cluster.env);
    const agent = await registerAgent(closing);
    const started = Date.now();
    const waiting = waitingClaim(closing, agent, LONG_WAIT_SECONDS);
    await sleep(SETTLE_MS);
    await closing.stop();
    const answer = await waiting;
    expect(answer.status).toBe(204);
    // Ended by the shutdown, not by the end of the wait.
    expect(Date.now() - started).toBeLessThan((LONG_WAIT_SECONDS * 1000) / 2);
  }, 60_000);
});
