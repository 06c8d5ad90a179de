/**
 * Benchmark (not a test): task list and claim throughput with 100 000 tasks in the table, against the built
 * hub on PostgreSQL, with GET /api/health as the in-run baseline.
 *
 *   npm run build && npm run bench:tasks
 */
import pg from 'pg';
import { runScenarios, startHub } from './hub-process.js';

const TASKS = Number(process.env.BENCH_TASKS ?? 100_000);

async function main(): Promise<void> {
  const hub = await startHub('tasks');
  try {
    const auth = { authorization: `Bearer ${hub.agentToken}`, 'content-type': 'application/json' };
    const register = await fetch(`${hub.base}/api/agents/register`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'bench-worker', url: 'http://127.0.0.1:9/bench-worker' }),
    });
    const { data } = (await register.json()) as { data: { agentKey: string } };
    // Statuses and priorities spread evenly, titles with a searchable number, ages over ~28 hours.
    const db = new pg.Client({ connectionString: hub.databaseUrl });
    await db.connect();
    await db.query(
      `INSERT INTO tasks (id, title, status, priority, created_at, updated_at)
       SELECT gen_random_uuid(), 'Task ' || i || ' ' || md5(i::text),
              (ARRAY['todo','completed','in_progress','failed','blocked'])[1 + i % 5],
              (ARRAY['low','medium','high','critical'])[1 + i % 4],
              now() - make_interval(secs => i), now() - make_interval(secs => i)
       FROM generate_series(1, ${TASKS}) AS i;
       ANALYZE tasks;`,
    );
    await db.end();
    console.log(`${TASKS} tasks inserted (${TASKS / 5} todo)`);
    const get = (path: string) => () => ({ url: `${hub.base}${path}`, headers: auth });
    await runScenarios([
      { name: 'GET /api/health (baseline)', connections: 10, request: get('/api/health') },
      {
        name: 'GET /api/tasks?limit=50 (newest first, with total)',
        connections: 10,
        request: get('/api/tasks?limit=50'),
      },
      {
        name: 'GET /api/tasks?status=todo&priority=high&limit=50',
        connections: 10,
        request: get('/api/tasks?status=todo&priority=high&limit=50'),
      },
      {
        name: 'GET /api/tasks?q=md5-fragment&limit=50 (trigram title search)',
        connections: 10,
        request: get('/api/tasks?q=4ab2&limit=50'),
      },
      {
        name: 'POST /api/tasks/claim (agent key, 10 concurrent claimers)',
        connections: 10,
        request: () => ({
          url: `${hub.base}/api/tasks/claim`,
          method: 'POST',
          headers: { authorization: `Bearer ${data.agentKey}`, 'content-type': 'application/json' },
          body: '{"leaseSeconds":600}',
        }),
      },
    ]);
  } finally {
    await hub.stop();
  }
}

await main();
