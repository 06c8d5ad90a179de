/**
 * Benchmark (not a test): login throughput and an authenticated read against the built hub on PostgreSQL,
 * with GET /api/health as the in-run baseline, plus the cost of the per-request token check.
 *
 *   npm run build && npm run bench
 *
 * Needs PostgreSQL (TEST_DATABASE_URL or postgresql://postgres@127.0.0.1:5432/postgres). Load goes to
 * 127.0.0.1 only and every run is bounded in time. Reports medians of several rounds, interleaved so
 * that machine noise hits every scenario alike.
 */
import { spawn } from 'node:child_process';
import { createSecretKey, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import jwt from 'jsonwebtoken';
import pg from 'pg';

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);

const median = (values: number[]): number => {
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

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  await client.query(sql);
  await client.end();
}

interface Scenario {
  name: string;
  connections: number;
  request: () => autocannon.Options;
}

async function load(scenario: Scenario): Promise<{ rps: number; p50: number; p99: number; errors: number }> {
  const result = await autocannon({ ...scenario.request(), connections: scenario.connections, duration: SECONDS });
  const errors = result.errors + result.non2xx + result.timeouts;
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors };
}

function microbenchmarks(databaseUrl: string, userId: string) {
  const secret = randomBytes(48).toString('base64url');
  const key = createSecretKey(Buffer.from(secret));
  const options = { algorithms: ['HS256' as const], issuer: 'ananta-hub', audience: 'ananta-hub' };
  const token = jwt.sign({ sub: userId, typ: 'access' }, key, {
    expiresIn: 900,
    issuer: 'ananta-hub',
    audience: 'ananta-hub',
  });
  const time = (iterations: number, body: () => void): number => {
    const start = performance.now();
    for (let i = 0; i < iterations; i += 1) {
      body();
    }
    return ((performance.now() - start) * 1000) / iterations;
  };
  const rounds = Array.from({ length: 5 }, () => ({
    keyObject: time(20_000, () => jwt.verify(token, key, options)),
    stringKey: time(20_000, () => jwt.verify(token, secret, options)),
  }));
  return {
    jwtVerifyKeyObjectUs: median(rounds.map((r) => r.keyObject)),
    jwtVerifyStringKeyUs: median(rounds.map((r) => r.stringKey)),
    async primaryKeyReadUs(): Promise<number> {
      // The uncached token-version check: exactly the query SessionVersions issues, on a pooled connection.
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      const sql = 'SELECT "token_version", "disabled" FROM "users" WHERE "id" = $1 LIMIT 1';
      const samples: number[] = [];
      for (let round = 0; round < 5; round += 1) {
        const start = performance.now();
        for (let i = 0; i < 2_000; i += 1) {
          await client.query(sql, [userId]);
        }
        samples.push(((performance.now() - start) * 1000) / 2_000);
      }
      await client.end();
      return median(samples);
    },
  };
}

async function main(): Promise<void> {
  const database = `ananta_bench_${process.pid}`;
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  await admin(`CREATE DATABASE ${database}`);
  const port = await freePort();
  const password = `Bench-${randomBytes(6).toString('hex')}-Aa1!`;
  const agentToken = randomBytes(32).toString('hex');
  const hub = spawn(process.execPath, ['dist/main.js'], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: url.toString(),
      SECRET_KEY: randomBytes(48).toString('base64url'),
      AGENT_TOKEN: agentToken,
      INITIAL_ADMIN_PASSWORD: password,
      LOG_LEVEL: 'warn',
      SCHEDULER_ENABLED: 'false',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  try {
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
    const loginBody = JSON.stringify({ username: 'admin', password });
    const login = (await (
      await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: loginBody,
      })
    ).json()) as { data: { accessToken: string; user: { id: string } } };
    const accessToken = login.data.accessToken;

    const scenarios: Scenario[] = [
      {
        name: 'GET /api/health (baseline: no auth, no database)',
        connections: 10,
        request: () => ({ url: `${base}/api/health` }),
      },
      {
        name: 'GET /api/profile (user JWT + token-version check + primary-key read)',
        connections: 10,
        request: () => ({ url: `${base}/api/profile`, headers: { authorization: `Bearer ${accessToken}` } }),
      },
      {
        name: 'POST /api/auth/login (argon2id m=19456 t=2 p=1, refresh token insert, audit row)',
        connections: 4,
        request: () => ({
          url: `${base}/api/auth/login`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: loginBody,
        }),
      },
    ];
    const results = new Map<string, Array<Awaited<ReturnType<typeof load>>>>();
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const scenario of scenarios) {
        results.set(scenario.name, [...(results.get(scenario.name) ?? []), await load(scenario)]);
      }
    }
    const baseline = median(results.get(scenarios[0].name)!.map((r) => r.rps));
    console.log(`\n${ROUNDS} rounds × ${SECONDS} s per scenario, medians; node ${process.version}\n`);
    console.log('| scenario | req/s | × baseline | p50 ms | p99 ms | errors |');
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

    const micro = microbenchmarks(url.toString(), login.data.user.id);
    const pkRead = await micro.primaryKeyReadUs();
    console.log('\nPer-request token check (medians of 5 rounds):');
    console.log(`- JWT verify, HS256, KeyObject key: ${micro.jwtVerifyKeyObjectUs.toFixed(1)} µs`);
    console.log(
      `- JWT verify, HS256, string key:    ${micro.jwtVerifyStringKeyUs.toFixed(1)} µs (ratio ${(micro.jwtVerifyStringKeyUs / micro.jwtVerifyKeyObjectUs).toFixed(2)})`,
    );
    console.log(
      `- token-version check, cache miss (primary-key read): ${pkRead.toFixed(1)} µs; a hit is a Map lookup.`,
    );
    console.log('  Misses happen at most once per user per 2 s (SESSION_CACHE_TTL_MS) per instance.');
  } finally {
    hub.kill('SIGTERM');
    await new Promise((resolve) => hub.once('exit', resolve));
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
}

await main();
