import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { type HubCluster, startHubCluster } from '../utils/hub-cluster.js';
import type { HubProcess } from '../utils/hub-processes.js';
import { sleep } from '../utils/poll.js';
import { TEST_AGENT_TOKEN } from '../utils/test-config.js';

const INTERVAL_SECONDS = 10;
const OBSERVE_MS = 27_000;

describe('Scheduled tasks with three hub processes on one database (SPEC section 8)', () => {
  let cluster: HubCluster;
  let hubs: HubProcess[] = [];
  let client: pg.Client;

  beforeAll(async () => {
    cluster = await startHubCluster(3, { SCHEDULER_ENABLED: 'true' });
    ({ hubs, db: client } = cluster);
  }, 120_000);

  afterAll(() => cluster?.close(), 60_000);

  it(
    'creates exactly one task per occurrence of an interval schedule',
    async () => {
      const created = await fetch(`${hubs[0].base}/api/scheduled-tasks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_AGENT_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'every ten seconds',
          intervalSeconds: INTERVAL_SECONDS,
          task: { title: 'process tick' },
        }),
      });
      expect(created.status).toBe(201);
      const { data } = (await created.json()) as { data: { id: string } };
      // Due at once, so the first occurrence does not wait a full interval.
      await client.query('UPDATE scheduled_tasks SET next_run_at = now() WHERE id = $1', [data.id]);

      await sleep(OBSERVE_MS);

      const runs = await client.query<{ scheduled_at: Date; task_id: string | null; outcome: string | null }>(
        'SELECT scheduled_at, task_id, outcome FROM scheduled_task_runs WHERE scheduled_task_id = $1 AND NOT manual',
        [data.id],
      );
      const tasks = await client.query<{ id: string }>(`SELECT id FROM tasks WHERE title = 'process tick'`);
      // Every 5 s each process looks for due schedules; in 27 s the 10-s schedule is due at least twice.
      expect(runs.rows.length).toBeGreaterThanOrEqual(2);
      expect(runs.rows.every((row) => row.outcome === 'succeeded' && row.task_id !== null)).toBe(true);
      expect(tasks.rows.map((row) => row.id).sort()).toEqual(runs.rows.map((row) => row.task_id).sort());
      expect(new Set(runs.rows.map((row) => row.scheduled_at.getTime())).size).toBe(runs.rows.length);
      for (const hub of hubs) {
        expect(hub.output()).not.toMatch(/error/i);
      }
    },
    OBSERVE_MS + 30_000,
  );
});
