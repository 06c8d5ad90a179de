import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type HubAnswer, hubRequest } from '../utils/hub-client.js';
import { type HubCluster, startHubCluster } from '../utils/hub-cluster.js';
import type { TaskDto } from '../utils/payloads.js';
import { TEST_AGENT_TOKEN } from '../utils/test-config.js';
import { bearer } from '../utils/tokens.js';
import { unique } from '../utils/values.js';

const DUPLICATES = 20;

/** Concurrent duplicates of one `Idempotency-Key` on two real hub processes (issue 12, item 3). */
describe('Idempotency-Key across hub processes', () => {
  let cluster: HubCluster;

  beforeAll(async () => {
    cluster = await startHubCluster(2);
  }, 120_000);
  afterAll(() => cluster?.close(), 60_000);

  it(`creates one task for ${DUPLICATES} concurrent identical requests with one key, and every answer names it`, async () => {
    const key = randomUUID();
    const body = { title: unique('concurrent') };

    const answers = await Promise.all(
      Array.from({ length: DUPLICATES }, (_, n) =>
        hubRequest<{ data: TaskDto }>(cluster.hubs[n % 2].base, '/api/tasks', {
          method: 'POST',
          headers: { ...bearer(TEST_AGENT_TOKEN), 'idempotency-key': key },
          body,
        }),
      ),
    );

    const outcome = (answer: HubAnswer<{ data: TaskDto }>) => ({ status: answer.status, id: answer.body.data.id });
    const ids = new Set(answers.map((answer) => answer.body.data.id));
    expect(ids.size).toBe(1);
    expect(answers.map(outcome)).toEqual(answers.map(() => ({ status: 201, id: [...ids][0] })));
    expect(answers.filter((answer) => answer.headers['idempotent-replayed'] === undefined)).toHaveLength(1);
    expect(answers.filter((answer) => answer.headers['idempotent-replayed'] === 'true')).toHaveLength(DUPLICATES - 1);
    const { rows } = await cluster.db.query<{ n: number }>('SELECT count(*)::int AS n FROM tasks WHERE title = $1', [
      body.title,
    ]);
    expect(rows[0].n).toBe(1);
  }, 60_000);
});
