import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource, QueryRunner } from 'typeorm';
import { openTestInstances, type TestInstances } from '../../../test/utils/test-database.js';
import { formatPosition, START_POSITION } from './hub-event.js';
import { HubEventsRepository } from './hub-events.repository.js';

/** The event log on real PostgreSQL: written by the triggers, read only as far as its order is final. */
describe(HubEventsRepository.name, () => {
  let instances: TestInstances;
  let source: DataSource;
  let events: HubEventsRepository;

  beforeAll(async () => {
    instances = await openTestInstances(1);
    source = instances.sources[0]!;
    events = new HubEventsRepository(source);
  });
  afterAll(() => instances.close());

  const insertTask = (runner: DataSource | QueryRunner, title: string) =>
    runner.query(
      `INSERT INTO tasks (id, title, history) VALUES (gen_random_uuid(), $1, '[{"type":"created"}]') RETURNING id`,
      [title],
    ) as Promise<Array<{ id: string }>>;
  const titles = async (after = START_POSITION) => (await events.after(after, 100)).map((event) => event.data.title);

  it('writes one event per insert, claim, status change and removal, with the writing transaction', async () => {
    const head = (await events.head()) ?? START_POSITION;
    const [task] = await insertTask(source, 'lifecycle');
    await source.query(
      `UPDATE tasks SET status = 'assigned', history = history || '[{"type":"claimed"}]' WHERE id = $1`,
      [task.id],
    );
    await source.query(`UPDATE tasks SET title = 'renamed' WHERE id = $1`, [task.id]); // no status change: no event
    await source.query(
      `UPDATE tasks SET status = 'todo', history = history || '[{"type":"lease_expired"}]' WHERE id = $1`,
      [task.id],
    );
    await source.query(`DELETE FROM tasks WHERE id = $1`, [task.id]);
    const written = await events.after(head, 100);
    expect(written.map((event) => [event.type, event.data.status, event.data.previousStatus])).toEqual([
      ['task.created', 'todo', null],
      ['task.claimed', 'assigned', 'todo'],
      ['task.lease_expired', 'todo', 'assigned'],
      ['task.removed', 'todo', null],
    ]);
    expect(new Set(written.map((event) => event.taskId))).toEqual(new Set([task.id]));
    expect(new Set(written.map((event) => event.position.tx)).size).toBe(4);
  });

  it('calls a retry after an expired lease a lease expiry too', async () => {
    const head = (await events.head()) ?? START_POSITION;
    const [task] = await insertTask(source, 'retried');
    await source.query(
      `UPDATE tasks SET status = 'assigned', history = history || '[{"type":"claimed"}]' WHERE id = $1`,
      [task.id],
    );
    // What failurePlan writes when a lease expires with attempts left (task-retries.ts).
    await source.query(
      `UPDATE tasks SET status = 'todo', attempt = 2,
         history = history || '[{"type":"retry_scheduled","details":{"cause":"lease_expired"}}]' WHERE id = $1`,
      [task.id],
    );
    const written = await events.after(head, 100);
    expect(written.map((event) => [event.type, event.data.attempt, event.data.cause])).toEqual([
      ['task.created', 1, 'created'],
      ['task.claimed', 1, 'claimed'],
      ['task.lease_expired', 2, 'retry_scheduled'],
    ]);
  });

  it('holds back events behind a transaction still running, then gives them in transaction order', async () => {
    const head = (await events.head()) ?? START_POSITION;
    const slow = source.createQueryRunner();
    await slow.startTransaction();
    try {
      await insertTask(slow, 'slow, first to write'); // the older transaction id
      await insertTask(source, 'quick, first to commit');
      // Committed, but a transaction with a lower id may still add events before it: not final yet.
      expect(await titles(head)).toEqual([]);
      expect(await events.anyBeyondFrontier(head)).toBe(true);
      await slow.commitTransaction();
    } finally {
      await slow.release();
    }
    expect(await titles(head)).toEqual(['slow, first to write', 'quick, first to commit']);
    expect(await events.anyBeyondFrontier((await events.head())!)).toBe(false);
  });

  it('never lets an event appear before one already read', async () => {
    const seen: string[] = [];
    let position = (await events.head()) ?? START_POSITION;
    const writers = Array.from({ length: 8 }, async (_, writer) => {
      for (let index = 0; index < 10; index += 1) {
        await source.transaction(async (manager) => {
          await manager.query(`INSERT INTO tasks (id, title) VALUES (gen_random_uuid(), $1)`, [`w${writer}-${index}`]);
          await manager.query('SELECT pg_sleep(0.002)');
        });
      }
    });
    const reading = (async () => {
      for (let pass = 0; pass < 400 && seen.length < 80; pass += 1) {
        for (const event of await events.after(position, 500)) {
          seen.push(formatPosition(event.position));
          position = event.position;
        }
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    await Promise.all([...writers, reading]);
    for (const event of await events.after(position, 500)) {
      seen.push(formatPosition(event.position));
    }
    // Read in passes while writers commit out of order, the log still arrives whole and in one order.
    const logged = await source.query<Array<{ position: string }>>(
      `SELECT tx || '-' || id AS position FROM hub_events WHERE data ->> 'title' LIKE 'w%-%' ORDER BY tx, id`,
    );
    expect(seen).toEqual(logged.map((row) => row.position));
  });

  it('moves the horizon to the newest event retention deleted', async () => {
    const [kept] = await insertTask(source, 'kept');
    await source.query(
      `UPDATE hub_events SET occurred_at = now() - interval '3 hours' WHERE task_id IS DISTINCT FROM $1`,
      [kept.id],
    );
    const deleted = await events.deleteOlderThan(2);
    expect(deleted).toBeGreaterThan(0);
    const remaining = await events.after(START_POSITION, 100);
    expect(remaining.map((event) => event.data.title)).toEqual(['kept']);
    const horizon = await events.horizon();
    expect(horizon && horizon.tx < remaining[0].position.tx).toBe(true);
    expect(await events.deleteOlderThan(2)).toBe(0);
    expect(await events.horizon()).toEqual(horizon);
  });
});
