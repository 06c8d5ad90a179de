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
import { createSecretKey, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { median, runScenarios, startHub } from './hub-process.js';

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
  const hub = await startHub('auth');
  try {
    const loginBody = JSON.stringify({ username: 'admin', password: hub.adminPassword });
    const login = (await (
      await fetch(`${hub.base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: loginBody,
      })
    ).json()) as { data: { accessToken: string; user: { id: string } } };
    const accessToken = login.data.accessToken;

    await runScenarios([
      {
        name: 'GET /api/health (baseline: no auth, no database)',
        connections: 10,
        request: () => ({ url: `${hub.base}/api/health` }),
      },
      {
        name: 'GET /api/profile (user JWT + token-version check + primary-key read)',
        connections: 10,
        request: () => ({ url: `${hub.base}/api/profile`, headers: { authorization: `Bearer ${accessToken}` } }),
      },
      {
        name: 'POST /api/auth/login (argon2id m=19456 t=2 p=1, refresh token insert, audit row)',
        connections: 4,
        request: () => ({
          url: `${hub.base}/api/auth/login`,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: loginBody,
        }),
      },
    ]);

    const micro = microbenchmarks(hub.databaseUrl, login.data.user.id);
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
    await hub.stop();
  }
}

await main();
