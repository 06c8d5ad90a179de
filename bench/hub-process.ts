import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import autocannon from 'autocannon';
import pg from 'pg';

/** Shared plumbing of the benchmarks: a scratch database, the built hub as a child process, load runs. */
export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function adminQuery(sql: string, url = ADMIN_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(sql);
  await client.end();
}

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
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  await adminQuery(`CREATE DATABASE ${database}`);
  const port = await freePort();
  const adminPassword = `Bench-${randomBytes(6).toString('hex')}-Aa1!`;
  const agentToken = randomBytes(32).toString('hex');
  const child: ChildProcess = spawn(process.execPath, ['dist/main.js'], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: url.toString(),
      SECRET_KEY: randomBytes(48).toString('base64url'),
      AGENT_TOKEN: agentToken,
      INITIAL_ADMIN_PASSWORD: adminPassword,
      LOG_LEVEL: 'warn',
      SCHEDULER_ENABLED: 'false',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt += 1) {
    const ready = await fetch(`${base}/api/ready`).catch(() => undefined);
    if (ready?.ok) {
      break;
    }
    if (attempt > 100) {
      throw new Error('the hub did not become ready');
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    base,
    databaseUrl: url.toString(),
    adminPassword,
    agentToken,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
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
