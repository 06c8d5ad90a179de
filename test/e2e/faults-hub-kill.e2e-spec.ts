import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { CallbackReceiver } from '../utils/callback-receiver.js';
import { dataOfAnswer, hubRequest } from '../utils/hub-client.js';
import { buildHub, type HubProcess, startHubProcess } from '../utils/hub-processes.js';
import { PgCluster } from '../utils/pg-cluster.js';
import { pollFor, pollUntil, sleep } from '../utils/poll.js';
import { lostWrites, TaskLoad } from '../utils/task-load.js';
import { TEST_AGENT_TOKEN, testProcessEnv } from '../utils/test-config.js';
import { bearer } from '../utils/tokens.js';
import { unique } from '../utils/values.js';

const CLIENTS = 4;
const LOAD_MS = 3_000;
/** Below CALLBACK_TIMEOUT_SECONDS (1 s), so every answered delivery counts as delivered. */
const RECEIVER_DELAY_MS = 500;
const admin = bearer(TEST_AGENT_TOKEN);

interface DeliveryRow {
  id: string;
  task_id: string;
  body: string;
  status: string;
}

/**
 * SIGKILL of a hub in the middle of work (issue 10, item 1b), on a PostgreSQL cluster of the test's own. The
 * callback outbox is at-least-once by construction: a delivery the killed hub had claimed and sent, but not
 * yet recorded, is sent again once its claim expires. So every delivery must arrive, and only those in
 * flight at the kill may arrive twice (receivers tell by `deliveryId`); every other one arrives exactly once.
 */
describe('Fault: a hub is killed with SIGKILL in the middle of work, then restarted (issue 10, item 1b)', () => {
  let main: string;
  let cluster: PgCluster;
  let receiver: CallbackReceiver;
  let hub: HubProcess | undefined;
  let db: pg.Client | undefined;
  let env: Record<string, string>;

  beforeAll(async () => {
    const [built, created] = await Promise.all([buildHub(), PgCluster.create()]);
    main = built;
    cluster = created;
    receiver = await CallbackReceiver.start();
    // A slow receiver keeps deliveries in flight, so the kill surely interrupts some of them mid-send.
    receiver.fallback = { status: 204, delayMs: RECEIVER_DELAY_MS };
    env = testProcessEnv(cluster.url(), {
      SCHEDULER_ENABLED: 'true',
      CALLBACK_ALLOW_PRIVATE_NETWORKS: 'true',
      CALLBACK_TIMEOUT_SECONDS: '1',
    });
    hub = await startHubProcess(main, env);
    db = new pg.Client({ connectionString: cluster.url() });
    await db.connect();
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await hub?.stop();
    await receiver?.close();
    await cluster?.destroy();
  }, 60_000);

  const exists = async (sql: string, params: unknown[] = []): Promise<boolean> =>
    ((await db!.query(sql, params)).rowCount ?? 0) > 0;

  /** A schedule whose task is rendered from a template, so a lock on `templates` can hold a run mid-way. */
  async function templatedSchedule(base: string): Promise<string> {
    const template = dataOfAnswer<{ id: string }>(
      await hubRequest(base, '/api/templates', {
        method: 'POST',
        headers: admin,
        body: { name: unique('nightly'), promptTemplate: 'Nightly run of {{task}}' },
      }),
      201,
    );
    const schedule = dataOfAnswer<{ id: string }>(
      await hubRequest(base, '/api/scheduled-tasks', {
        method: 'POST',
        headers: admin,
        body: {
          name: unique('hourly'),
          intervalSeconds: 3600,
          task: { title: 'interrupted occurrence', templateId: template.id, variables: { task: 'the report' } },
        },
      }),
      201,
    );
    return schedule.id;
  }

  it('loses no acknowledged write, delivers every callback (twice at most if in flight), and runs the interrupted occurrence once', async () => {
    const scheduleId = await templatedSchedule(hub!.base);
    const secret = `cb-${randomBytes(16).toString('hex')}`;
    const load = new TaskLoad(hub!.base, {
      clients: CLIENTS,
      headers: admin,
      callback: { url: receiver.url, secret },
    });
    load.start();
    await sleep(LOAD_MS);

    // The occurrence becomes due while `templates` is locked: the hub claims it (inserts its run row), then
    // waits for the lock in the middle of the run, and is killed there.
    const lock = new pg.Client({ connectionString: cluster.url() });
    await lock.connect();
    await lock.query('BEGIN');
    await lock.query('LOCK TABLE templates IN ACCESS EXCLUSIVE MODE');
    const [{ next_run_at: scheduledAt }] = (
      await db!.query<{ next_run_at: Date }>(
        'UPDATE scheduled_tasks SET next_run_at = now() WHERE id = $1 RETURNING next_run_at',
        [scheduleId],
      )
    ).rows;
    const claimed = await pollUntil(
      () => exists('SELECT 1 FROM scheduled_task_runs WHERE scheduled_task_id = $1', [scheduleId]),
      15_000,
    );
    // And a callback is being sent right now: the receiver got it and has not answered yet.
    const sending = await pollUntil(
      () =>
        Promise.resolve(receiver.requests.some((received) => Date.now() - received.receivedAt < RECEIVER_DELAY_MS / 2)),
      10_000,
      10,
    );
    expect({ claimed, sending }).toEqual({ claimed: true, sending: true });

    await hub!.kill();
    const killedAt = Date.now();
    // Claimed by the dead hub and not recorded: possibly received already, and sent again after the claim expires.
    const inFlight = new Set(
      (
        await db!.query<{ id: string }>(
          `SELECT id FROM callback_deliveries WHERE status IN ('pending', 'failed') AND locked_until > now()`,
        )
      ).rows.map((row) => row.id),
    );
    await lock.query('ROLLBACK');
    await lock.end();

    hub = await startHubProcess(main, env);
    load.base = hub.base;
    await sleep(LOAD_MS);
    await load.stop();

    // Everything settles: every delivery delivered (in-flight ones after their claim expired), the occurrence run.
    const [deliveriesSettled, occurrenceRan] = await Promise.all([
      pollUntil(
        async () => !(await exists(`SELECT 1 FROM callback_deliveries WHERE status <> 'delivered'`)),
        60_000,
        500,
      ),
      pollUntil(
        () =>
          exists('SELECT 1 FROM scheduled_task_runs WHERE scheduled_task_id = $1 AND outcome IS NOT NULL', [
            scheduleId,
          ]),
        60_000,
        500,
      ),
    ]);
    expect({ deliveriesSettled, occurrenceRan }).toEqual({ deliveriesSettled: true, occurrenceRan: true });

    // Writes: acknowledged before the kill and after the restart, none lost.
    const acknowledgedBefore = load.exchanges.filter((e) => e.status === 201 && e.endedAt < killedAt);
    const acknowledgedAfter = load.exchanges.filter((e) => e.status === 201 && e.startedAt > killedAt);
    expect(acknowledgedBefore.length).toBeGreaterThan(0);
    expect(acknowledgedAfter.length).toBeGreaterThan(0);
    expect(await lostWrites(db!, load)).toEqual({ tasks: [], statusChanges: [] });

    // Callbacks: one outbox row per acknowledged status change, each received; duplicates only of in-flight ones.
    const deliveries = (await db!.query<DeliveryRow>('SELECT id, task_id, body, status FROM callback_deliveries')).rows;
    const sent = new Set(
      deliveries.map((row) => {
        const body = JSON.parse(row.body) as { task: { id: string; status: string } };
        return `${body.task.id}:${body.task.status}`;
      }),
    );
    expect(load.acknowledgedStatusChanges().filter(({ taskId, to }) => !sent.has(`${taskId}:${to}`))).toEqual([]);
    const counts = receiver.deliveryCounts();
    expect(deliveries.filter((row) => !counts.has(row.id)).map((row) => row.id)).toEqual([]);
    expect([...counts.keys()].filter((id) => !deliveries.some((row) => row.id === id))).toEqual([]);
    const duplicates = [...counts].filter(([, count]) => count > 1);
    expect(duplicates.filter(([id, count]) => !inFlight.has(id) || count > 2)).toEqual([]);
    expect(inFlight.size).toBeGreaterThan(0);

    // The interrupted occurrence ran once after the restart, and the schedule moved on.
    const runs = await db!.query<{ scheduled_at: Date; task_id: string | null; outcome: string }>(
      'SELECT scheduled_at, task_id, outcome FROM scheduled_task_runs WHERE scheduled_task_id = $1',
      [scheduleId],
    );
    expect(runs.rows).toEqual([{ scheduled_at: scheduledAt, task_id: expect.any(String), outcome: 'succeeded' }]);
    const tasks = await db!.query<{ id: string; description: string }>(
      `SELECT id, description FROM tasks WHERE title = 'interrupted occurrence'`,
    );
    expect(tasks.rows).toEqual([{ id: runs.rows[0].task_id, description: 'Nightly run of the report' }]);
    const next = await pollFor(async () => {
      const { rows } = await db!.query<{ next_run_at: Date }>('SELECT next_run_at FROM scheduled_tasks WHERE id = $1', [
        scheduleId,
      ]);
      return rows[0].next_run_at > scheduledAt ? rows[0].next_run_at : undefined;
    }, 5_000);
    expect(next).toBeDefined();
  }, 150_000);
});
