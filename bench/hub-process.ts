import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startHubProcess } from '../test/utils/hub-processes.js';
import { adminQuery, urlFor } from '../test/utils/test-database.js';

/** Shared plumbing of the benchmarks: a scratch database, the built hub as a child process, load runs. */
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

export interface BenchHub {
  base: string;
  databaseUrl: string;
  adminPassword: string;
  agentToken: string;
  stop(): Promise<void>;
}

/** Creates a scratch database and starts `dist/main.js` on it with production settings; waits until ready. */
export async function startHub(name: string): Promise<BenchHub> {
  const database = `ananta_bench_${name}_${process.pid}`;
  const databaseUrl = urlFor(database);
  await adminQuery(`CREATE DATABASE ${database}`);
  const adminPassword = `Bench-${randomBytes(6).toString('hex')}-Aa1!`;
  const agentToken = randomBytes(32).toString('hex');
  const hub = await startHubProcess(join(import.meta.dirname, '..', 'dist', 'main.js'), {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    SECRET_KEY: randomBytes(48).toString('base64url'),
    AGENT_TOKEN: agentToken,
    INITIAL_ADMIN_PASSWORD: adminPassword,
    SCHEDULER_ENABLED: 'false',
  });
  return {
    base: hub.base,
    databaseUrl,
    adminPassword,
    agentToken,
    stop: async () => {
      await hub.stop();
      await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    },
  };
}

export interface Scenario {
  name: string;
  connections: number;
  request: () => autocannon.Options;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

export async function load(scenario: Scenario): Promise<LoadResult> {
  const result = await autocannon({ ...scenario.request(), connections: scenario.connections, duration: SECONDS });
  const errors = result.errors + result.non2xx + result.timeouts;
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors };
}

/** Runs every scenario ROUNDS times, interleaved, and prints medians with the ratio to the first scenario. */
export async function runScenarios(scenarios: Scenario[]): Promise<void> {
  const results = new Map<string, LoadResult[]>();
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const scenario of scenarios) {
      results.set(scenario.name, [...(results.get(scenario.name) ?? []), await load(scenario)]);
    }
  }
  const baseline = median(results.get(scenarios[0].name)!.map((r) => r.rps));
  console.log(`\n${ROUNDS} rounds × ${SECONDS} s per scenario, medians; node ${process.version}\n`);
  console.log('| scenario | req/s | × baseline | p50 ms | p99 ms | non-2xx/errors |');
  console.log('|---|---|---|---|---|---|');
  for (const scenario of scenarios) {
    const runs = results.get(scenario.name)!;
    const rps = median(runs.map((r) => r.rps));
    const cells = [
      rps.toFixed(0),
      (rps / baseline).toFixed(3),
      median(runs.map((r) => r.p50)),
      median(runs.map((r) => r.p99)),
    ];
    console.log(`| ${scenario.name} | ${cells.join(' | ')} | ${runs.reduce((n, r) => n + r.errors, 0)} |`);
  }
}
