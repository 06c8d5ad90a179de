import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { EventStreamClient, type HubEventMessage } from '../utils/event-stream-client.js';
import { answerCode, dataOfAnswer, type HubAgent, hubRequest, registerHubAgent } from '../utils/hub-client.js';
import { type HubCluster, startHubCluster } from '../utils/hub-cluster.js';
import { type HubProcess, startHubProcess } from '../utils/hub-processes.js';
import type { TaskDto } from '../utils/payloads.js';
import { TEST_AGENT_TOKEN } from '../utils/test-config.js';
import { bearer, type Headers } from '../utils/tokens.js';
import { unique } from '../utils/values.js';

const admin: Headers = bearer(TEST_AGENT_TOKEN);

/** Positions compare as (transaction, id) pairs. */
const positionOf = (id: string): [bigint, bigint] => {
  const [tx, event] = id.split('-');
  return [BigInt(tx), BigInt(event)];
};
const ascending = (ids: string[]): boolean =>
  ids.every((id, index) => {
    if (index === 0) {
      return true;
    }
    const [tx, event] = positionOf(id);
    const [previousTx, previousEvent] = positionOf(ids[index - 1]);
    return tx > previousTx || (tx === previousTx && event > previousEvent);
  });

const ofTask = (messages: HubEventMessage[], taskId: string): string[] =>
  messages.filter((message) => message.taskId === taskId).map((message) => message.type);

/**
 * `GET /api/events` across real hub processes on one database: a stream on one instance carries what happens
 * on another, in one order everywhere, resumes with Last-Event-ID without loss or repetition, honours the
 * caller's visibility and filters, and ends when its credential stops working.
 */
describe('Live events over Server-Sent Events, across hub processes (issue 12, item 6)', () => {
  let cluster: HubCluster;
  let a: HubProcess;
  let b: HubProcess;
  let db: pg.Client;
  let sequence = 0;
  const streams: EventStreamClient[] = [];

  beforeAll(async () => {
    cluster = await startHubCluster(2);
    ({ db } = cluster);
    [a, b] = cluster.hubs as [HubProcess, HubProcess];
  }, 120_000);

  afterAll(async () => {
    for (const stream of streams) {
      stream.close();
    }
    await cluster?.close();
  }, 60_000);

  async function open(hub: HubProcess, query = '', headers: Headers = admin): Promise<EventStreamClient> {
    const stream = await EventStreamClient.open(hub.base, `/api/events${query}`, headers);
    streams.push(stream);
    return stream;
  }
  async function registerAgent(hub: HubProcess): Promise<HubAgent> {
    sequence += 1;
    return registerHubAgent(hub.base, 'listener', `127.0.2.${sequence}`);
  }
  const post = async <T>(hub: HubProcess, path: string, body: unknown, headers = admin, expected = 201): Promise<T> =>
    dataOfAnswer<T>(await hubRequest(hub.base, path, { method: 'POST', headers, body }), expected);
  const createTask = (hub: HubProcess, body: Record<string, unknown> = {}): Promise<TaskDto> =>
    post<TaskDto>(hub, '/api/tasks', { title: unique('event-task'), ...body });
  async function teamWith(agentId: string): Promise<string> {
    const role = await post<{ id: string }>(a, '/api/roles', { name: unique('role') });
    const team = await post<{ id: string }>(a, '/api/teams', { name: unique('team') });
    await post(a, `/api/teams/${team.id}/members`, { agentId, roleId: role.id });
    return team.id;
  }

  it('delivers changes made on instance B to a stream on instance A, in the order they happened', async () => {
    const stream = await open(a);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(stream.headers['cache-control']).toBe('no-store');
    const agent = await registerAgent(b);
    const task = await createTask(b);
    const claimed = await post<TaskDto>(b, '/api/tasks/claim', {}, agent.headers, 200);
    expect(claimed.id).toBe(task.id);
    await post(b, `/api/tasks/${task.id}/status`, { status: 'in_progress' }, agent.headers, 200);
    await post(b, `/api/tasks/${task.id}/status`, { status: 'completed' }, agent.headers, 200);

    await stream.waitFor((s) => ofTask(s.messages, task.id).length === 4);
    expect(ofTask(stream.messages, task.id)).toEqual([
      'task.created',
      'task.claimed',
      'task.status_changed',
      'task.status_changed',
    ]);
    const statuses = stream.messages.filter((m) => m.taskId === task.id).map((m) => m.data.status);
    expect(statuses).toEqual(['todo', 'assigned', 'in_progress', 'completed']);
    const claim = stream.messages.find((m) => m.taskId === task.id && m.type === 'task.claimed')!;
    expect(claim.agentId).toBe(agent.id);
    expect(stream.messages.some((m) => m.type === 'agent.online' && m.agentId === agent.id)).toBe(true);
    // The SSE id and event name are the message's; ids only ever grow.
    expect(stream.events.map((event) => [event.id, event.event])).toEqual(stream.messages.map((m) => [m.id, m.type]));
    expect(ascending(stream.events.map((event) => event.id!))).toBe(true);
    expect(stream.retryMs).toBeGreaterThan(0);
  });

  it('gives streams on both instances the same events in the same order while both write concurrently', async () => {
    const [onA, onB] = [await open(a, '?type=task.created'), await open(b, '?type=task.created')];
    const writes = Array.from({ length: 40 }, (_, index) => createTask(index % 2 ? a : b));
    const created = await Promise.all(writes);
    const ids = new Set(created.map((task) => task.id));
    const mine = (s: EventStreamClient) => s.messages.filter((m) => ids.has(m.taskId!));
    await onA.waitFor((s) => mine(s).length === ids.size);
    await onB.waitFor((s) => mine(s).length === ids.size);
    expect(mine(onA).map((m) => m.id)).toEqual(mine(onB).map((m) => m.id));
    expect(new Set(mine(onA).map((m) => m.taskId))).toEqual(ids);
    expect(onA.messages.every((m) => m.type === 'task.created')).toBe(true);
    // The order is the durable log's (transaction, id) order.
    const logged = await db.query<{ position: string }>(
      `SELECT tx || '-' || id AS position FROM hub_events WHERE type = 'task.created' AND task_id = ANY($1)
       ORDER BY tx, id`,
      [[...ids]],
    );
    expect(mine(onA).map((m) => m.id)).toEqual(logged.rows.map((row) => row.position));
  });

  it('resumes after a disconnect with Last-Event-ID, on another instance, without loss or repetition', async () => {
    const first = await open(a, '?type=task.*');
    const before = await createTask(b);
    await first.waitFor((s) => s.messages.some((m) => m.taskId === before.id));
    const lastSeen = first.lastEventId!;
    first.close();

    const missed = [];
    for (let index = 0; index < 10; index += 1) {
      missed.push(await createTask(index % 2 ? a : b));
    }
    const resumed = await open(b, '?type=task.*', { ...admin, 'last-event-id': lastSeen });
    const after = await createTask(a);
    await resumed.waitFor((s) => s.messages.some((m) => m.taskId === after.id));

    const created = resumed.messages.filter((m) => m.type === 'task.created').map((m) => m.taskId);
    expect(created).toEqual([...missed.map((task) => task.id), after.id]);
    expect(resumed.messages.some((m) => m.taskId === before.id)).toBe(false);
    expect(ascending([lastSeen, ...resumed.events.map((event) => event.id!)])).toBe(true);

    // The query parameter does the same for clients that cannot send the header.
    const byQuery = await open(a, `?type=task.created&lastEventId=${lastSeen}`);
    await byQuery.waitFor((s) => s.messages.some((m) => m.taskId === after.id));
    expect(byQuery.messages.map((m) => m.taskId)).toEqual([...missed.map((task) => task.id), after.id]);
  });

  it('shows an agent its own tasks and its teams’ tasks only, and its own status', async () => {
    const agent = await registerAgent(a);
    const other = await registerAgent(a);
    const teamId = await teamWith(agent.id);
    const otherTeam = await teamWith(other.id);
    const stream = await open(b, '', agent.headers);

    const inTeam = await createTask(a, { teamId });
    const elsewhere = await createTask(a, { teamId: otherTeam });
    const teamless = await createTask(a);
    const assigned = await createTask(a);
    await post(a, `/api/tasks/${assigned.id}/assign`, { agentId: agent.id }, admin, 200);
    await post(a, `/api/agents/${other.id}/heartbeat`, { status: 'busy' }, other.headers, 200);
    await post(a, `/api/agents/${agent.id}/heartbeat`, { status: 'busy' }, agent.headers, 200);
    const marker = await createTask(a, { teamId });

    await stream.waitFor((s) => s.messages.some((m) => m.taskId === marker.id));
    const taskIds = new Set(stream.messages.map((m) => m.taskId));
    expect(taskIds.has(inTeam.id)).toBe(true);
    // Its own: not while teamless and unassigned, but once assigned to it.
    expect(ofTask(stream.messages, assigned.id)).toEqual(['task.status_changed']);
    expect(taskIds.has(elsewhere.id)).toBe(false);
    expect(taskIds.has(teamless.id)).toBe(false);
    const agentEvents = stream.messages.filter((m) => m.type.startsWith('agent.'));
    expect(agentEvents.map((m) => [m.agentId, m.data.status])).toEqual([[agent.id, 'busy']]);
  });

  it('tells of a schedule occurrence that fired on the other instance, with the task it created', async () => {
    const schedule = await post<{ id: string }>(b, '/api/scheduled-tasks', {
      name: unique('hourly'),
      intervalSeconds: 3600,
      task: { title: 'scheduled work' },
    });
    const stream = await open(a, '?type=schedule.*,task.created');
    const run = await post<{ id: string; taskId: string }>(
      b,
      `/api/scheduled-tasks/${schedule.id}/run`,
      {},
      admin,
      200,
    );
    await stream.waitFor((s) => s.messages.some((m) => m.type === 'schedule.fired'));
    const fired = stream.messages.find((m) => m.type === 'schedule.fired')!;
    expect(fired.scheduleId).toBe(schedule.id);
    expect(fired.taskId).toBe(run.taskId);
    expect(fired.data).toMatchObject({ runId: run.id, outcome: 'succeeded', manual: true });
    // The task came first: it was created before its occurrence was recorded as done.
    expect(stream.messages.map((m) => m.type)).toEqual(['task.created', 'schedule.fired']);
  });

  it('filters by type, team and task', async () => {
    const agent = await registerAgent(a);
    const teamId = await teamWith(agent.id);
    const target = await createTask(a, { teamId });
    const byTask = await open(b, `?taskId=${target.id}`);
    const byTeam = await open(b, `?teamId=${teamId}&type=task.status_changed`);
    const other = await createTask(a, { teamId });
    await post(a, `/api/tasks/${other.id}/status`, { status: 'blocked' }, admin, 200);
    await post(a, `/api/tasks/${target.id}/status`, { status: 'blocked' }, admin, 200);

    await byTask.waitFor((s) => s.messages.length === 1);
    await byTeam.waitFor((s) => s.messages.length === 2);
    expect(byTask.messages.map((m) => [m.taskId, m.type])).toEqual([[target.id, 'task.status_changed']]);
    expect(byTeam.messages.map((m) => m.taskId)).toEqual([other.id, target.id]);
  });

  it('refuses bad input with an envelope before streaming', async () => {
    const unknownType = await open(a, '?type=task.nonsense');
    expect(unknownType.status).toBe(400);
    expect((unknownType.refusal as { data: { code: string } }).data.code).toBe('validation_failed');
    const badHeader = await open(a, '', { ...admin, 'last-event-id': 'yesterday' });
    expect(badHeader.status).toBe(400);
    const badQuery = await open(a, '?lastEventId=1-2-3');
    expect(badQuery.status).toBe(400);
    const badTeam = await open(a, '?teamId=not-a-uuid');
    expect(badTeam.status).toBe(400);
    const anonymous = await open(a, '', {});
    expect(anonymous.status).toBe(401);
    expect(answerCode({ status: 401, headers: {}, body: anonymous.refusal })).toBe('unauthenticated');
  });

  it('accepts the token as ?token= (EventSource cannot send headers)', async () => {
    const stream = await open(a, `?token=${encodeURIComponent(TEST_AGENT_TOKEN)}&type=task.created`, {});
    expect(stream.status).toBe(200);
    const task = await createTask(b);
    await stream.waitFor((s) => s.messages.some((m) => m.taskId === task.id));
  });

  it('ends the stream of an agent an admin disables, on the other instance too', async () => {
    const agent = await registerAgent(a);
    const stream = await open(b, '', agent.headers);
    const patched = await hubRequest(a.base, `/api/agents/${agent.id}`, {
      method: 'PATCH',
      headers: admin,
      body: { status: 'disabled' },
    });
    expect(patched.status).toBe(200);
    await stream.untilEnded(15_000);
    expect(stream.ended).toBe(true);
  });

  it('ends its streams when the hub shuts down, so the process exits cleanly', async () => {
    const closing = await startHubProcess(cluster.main, cluster.env);
    const stream = await open(closing);
    const task = await createTask(closing);
    await stream.waitFor((s) => s.messages.some((m) => m.taskId === task.id));
    await closing.stop();
    await stream.untilEnded();
    expect(stream.ended).toBe(true);
  }, 60_000);
});
