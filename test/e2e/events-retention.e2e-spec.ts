import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { HousekeepingJob } from '../../src/modules/scheduler/jobs/housekeeping.job.js';
import { EventStreamClient } from '../utils/event-stream-client.js';
import { dataOfAnswer, hubRequest } from '../utils/hub-client.js';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import { TEST_AGENT_TOKEN } from '../utils/test-config.js';
import { bearer } from '../utils/tokens.js';
import { unique } from '../utils/values.js';

const admin = bearer(TEST_AGENT_TOKEN);

/**
 * The event log is kept EVENTS_RETENTION_HOURS: housekeeping deletes older events, and a stream resuming from
 * before what it deleted is told so (`events.truncated`) before it carries on, complete again from there.
 */
describe('Event retention and resuming past it (issue 12, item 6)', () => {
  let hub: TestApp;
  let base: string;
  let db: pg.Client;
  const streams: EventStreamClient[] = [];

  beforeAll(async () => {
    hub = await startTestApp({ env: { EVENTS_RETENTION_HOURS: '1' } });
    await hub.app.listen({ port: 0, host: '127.0.0.1' });
    base = await hub.app.getUrl();
    db = new pg.Client({ connectionString: hub.database.url });
    await db.connect();
  }, 60_000);
  afterAll(async () => {
    for (const stream of streams) {
      stream.close();
    }
    await db?.end();
    await hub?.close();
  });

  const open = async (headers: Record<string, string>): Promise<EventStreamClient> => {
    const stream = await EventStreamClient.open(base, '/api/events?type=task.created', headers);
    streams.push(stream);
    return stream;
  };
  const createTask = async (): Promise<string> =>
    dataOfAnswer<{ id: string }>(
      await hubRequest(base, '/api/tasks', { method: 'POST', headers: admin, body: { title: unique('kept') } }),
      201,
    ).id;

  it('deletes events past the retention, and tells a stream resuming from before them', async () => {
    const first = await open(admin);
    const oldTask = await createTask();
    await first.waitFor((s) => s.messages.some((m) => m.taskId === oldTask));
    const beforeOld = first.lastEventId!;
    const secondOld = await createTask();
    await first.waitFor((s) => s.messages.some((m) => m.taskId === secondOld));
    const afterOld = first.lastEventId!;
    first.close();

    await db.query(`UPDATE hub_events SET occurred_at = now() - interval '2 hours'`);
    const kept = await createTask();
    expect(await hub.app.get(HousekeepingJob, { strict: false }).tick(new Date())).toBe(true);
    const left = await db.query<{ task_id: string }>(`SELECT task_id FROM hub_events WHERE type = 'task.created'`);
    expect(left.rows.map((row) => row.task_id)).toEqual([kept]);

    // From before what was deleted: first the notice, then everything after the horizon.
    const behind = await open({ ...admin, 'last-event-id': beforeOld });
    await behind.waitFor((s) => s.messages.some((m) => m.taskId === kept));
    expect(behind.events.map((e) => e.event)).toEqual(['events.truncated', 'task.created']);
    expect(JSON.parse(behind.events[0].data)).toMatchObject({ type: 'events.truncated' });
    expect(behind.messages[1].taskId).toBe(kept);

    // From the newest deleted event itself: nothing was lost, so no notice.
    const current = await open({ ...admin, 'last-event-id': afterOld });
    await current.waitFor((s) => s.messages.some((m) => m.taskId === kept));
    expect(current.events.map((e) => e.event)).toEqual(['task.created']);
  });
});
