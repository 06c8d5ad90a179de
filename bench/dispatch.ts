import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase } from '../test/utils/test-database.js';
import { processSecret } from '../test/utils/hub-processes.js';
import { hubServer } from './build.js';
import { startServer } from './server-process.js';
import { quantile } from './statistics.js';

/** Agents waiting for work, the tasks created one after another, and how often a polling agent asks. */
const WAITERS = 8;
const TASKS = 150;
const CREATE_GAP_MS = 40;
export const POLL_INTERVAL_MS = 1_000;

export interface LatencySummary {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Dispatch latency: from sending `POST /api/tasks` to a waiting agent's claim answer carrying that task. */
export interface DispatchResult {
  waiters: number;
  tasks: number;
  pollIntervalMs: number;
  longPoll: LatencySummary;
  polling: LatencySummary;
  /** Polling's p50 over long polling's: how many times sooner long polling hands out a new task. */
  speedup: number;
}

type Mode = 'long-poll' | 'polling';

export const latencySummary = (values: number[]): LatencySummary => ({
  p50Ms: quantile(values, 0.5),
  p99Ms: quantile(values, 0.99),
  maxMs: values.reduce((max, value) => Math.max(max, value), -Infinity),
});

/**
 * Measures on its own small database and hub (the 1 000 000 seeded tasks would be claimable at once): WAITERS
 * agents claim in a loop, either long polling (`?waitSeconds=30`, the feature) or as agents without it do,
 * polling every POLL_INTERVAL_MS (the baseline), while the runner creates TASKS tasks one by one.
 */
export async function measureDispatch(log: (line: string) => void): Promise<DispatchResult> {
  const database = await createTestDatabase();
  const agentToken = processSecret();
  const hub = await startServer(
    hubServer('hub (dispatch)', { DATABASE_URL: database.url, SECRET_KEY: processSecret(), AGENT_TOKEN: agentToken }),
  );
  try {
    const admin = { authorization: `Bearer ${agentToken}`, 'content-type': 'application/json' };
    const keys: string[] = [];
    for (let n = 0; n < WAITERS; n += 1) {
      const name = `dispatch-${n}`;
      const response = await fetch(`${hub.base}/api/agents/register`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ name, url: `http://${name}.bench.test:5001` }),
      });
      keys.push(((await response.json()) as { data: { agentKey: string } }).data.agentKey);
    }
    const latencies: Record<Mode, number[]> = { 'long-poll': [], polling: [] };
    for (const mode of ['long-poll', 'polling'] as const) {
      latencies[mode] = await dispatchRound(hub.base, admin, keys, mode);
      log(
        `dispatch (${mode}): p50 ${quantile(latencies[mode], 0.5).toFixed(1)} ms over ${latencies[mode].length} tasks`,
      );
    }
    const longPoll = latencySummary(latencies['long-poll']);
    const polling = latencySummary(latencies.polling);
    return {
      waiters: WAITERS,
      tasks: TASKS,
      pollIntervalMs: POLL_INTERVAL_MS,
      longPoll,
      polling,
      speedup: polling.p50Ms / longPoll.p50Ms,
    };
  } finally {
    await hub.stop();
    await database.drop();
  }
}

async function dispatchRound(
  base: string,
  admin: Record<string, string>,
  keys: string[],
  mode: Mode,
): Promise<number[]> {
  const claimedAt = new Map<string, number>();
  const stop = new AbortController();
  const query = mode === 'long-poll' ? '?waitSeconds=30' : '';
  const agents = keys.map(async (key, index) => {
    // Polling agents start spread over one interval, as independent agents would be.
    if (mode === 'polling') {
      await sleep((POLL_INTERVAL_MS * index) / keys.length);
    }
    while (!stop.signal.aborted) {
      const response = await fetch(`${base}/api/tasks/claim${query}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: '{}',
        signal: stop.signal,
      }).catch(() => undefined);
      if (response?.status === 200) {
        const { data } = (await response.json()) as { data: { id: string } };
        claimedAt.set(data.id, performance.now());
      } else if (mode === 'polling' && !stop.signal.aborted) {
        await sleep(POLL_INTERVAL_MS);
      }
    }
  });
  // Let the long polls arrive and start waiting before the first task.
  await sleep(500);
  const createdAt = new Map<string, number>();
  for (let n = 0; n < TASKS; n += 1) {
    const sent = performance.now();
    const response = await fetch(`${base}/api/tasks`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ title: `dispatch ${mode} ${n}` }),
    });
    createdAt.set(((await response.json()) as { data: { id: string } }).data.id, sent);
    await sleep(CREATE_GAP_MS);
  }
  const deadline = performance.now() + 10_000 + POLL_INTERVAL_MS;
  while (claimedAt.size < TASKS && performance.now() < deadline) {
    await sleep(50);
  }
  stop.abort();
  await Promise.allSettled(agents);
  if (claimedAt.size < TASKS) {
    throw new Error(`dispatch (${mode}): only ${claimedAt.size} of ${TASKS} tasks were claimed`);
  }
  return [...createdAt].map(([id, sent]) => claimedAt.get(id)! - sent);
}
