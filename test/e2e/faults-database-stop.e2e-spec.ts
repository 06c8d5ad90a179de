import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { answerCode, hubRequest } from '../utils/hub-client.js';
import { buildHub, type HubProcess, startHubProcess } from '../utils/hub-processes.js';
import { PgCluster, type StopMode } from '../utils/pg-cluster.js';
import { pollUntil, sleep } from '../utils/poll.js';
import { type Exchange, lostWrites, TaskLoad } from '../utils/task-load.js';
import { TEST_AGENT_TOKEN, testProcessEnv } from '../utils/test-config.js';
import { bearer } from '../utils/tokens.js';

const CLIENTS = 6;
const STEADY_MS = 3_000;
const OUTAGE_MS = 4_000;
/** The requirement: the hub is back by itself within 10 s of the database returning. */
const RECOVERY_LIMIT_MS = 10_000;

interface Probe {
  path: '/api/health' | '/api/ready';
  at: number;
  status: number | null;
  code?: string;
}

interface Outage {
  mode: StopMode;
  /** `pg_ctl stop` was called. */
  stoppingAt: number;
  /** `pg_ctl stop` returned: the server is gone. */
  stoppedAt: number;
  /** `pg_ctl start` was called. */
  restartingAt: number;
  /** `pg_ctl start -w` returned: the server accepts connections. */
  backAt: number;
}

/** Polls liveness and readiness every 200 ms until stopped. */
function probeContinuously(base: string, probes: Probe[]): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const path of ['/api/health', '/api/ready'] as const) {
        const answer = await hubRequest(base, path, { timeoutMs: 10_000 }).catch(() => undefined);
        probes.push({ path, at: Date.now(), status: answer?.status ?? null, code: answer && answerCode(answer) });
      }
      await sleep(200);
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

const isOk = (status: number | null): boolean => status !== null && status >= 200 && status < 300;

/**
 * When the hub had recovered from an outage: the end of the last failed request (or readiness probe) that
 * ran after the database was back and before the next outage began.
 */
function recoveredAt(outage: Outage, until: number, exchanges: Exchange[], probes: Probe[]): number {
  const between = (at: number): boolean => at >= outage.backAt && at < until;
  const failures = [
    ...exchanges.filter((e) => between(e.startedAt) && between(e.endedAt) && !isOk(e.status)).map((e) => e.endedAt),
    ...probes.filter((p) => p.path === '/api/ready' && between(p.at) && p.status !== 200).map((p) => p.at),
  ];
  return Math.max(outage.backAt, ...failures);
}

describe('Fault: PostgreSQL stops under a steady mixed load (issue 10, item 1a)', () => {
  let cluster: PgCluster;
  let hub: HubProcess;
  let db: pg.Client | undefined;

  beforeAll(async () => {
    const [main, created] = await Promise.all([buildHub(), PgCluster.create()]);
    cluster = created;
    // The system jobs keep ticking through the outage as in production; they must not take the hub down.
    hub = await startHubProcess(main, testProcessEnv(cluster.url(), { SCHEDULER_ENABLED: 'true' }));
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await hub?.stop();
    await cluster?.destroy();
  }, 60_000);

  it('answers 503 database_unavailable while it is down, recovers within 10 s, and keeps every acknowledged write', async () => {
    const load = new TaskLoad(hub.base, { clients: CLIENTS, headers: bearer(TEST_AGENT_TOKEN) });
    const probes: Probe[] = [];
    const outages: Outage[] = [];
    load.start();
    const stopProbing = probeContinuously(hub.base, probes);
    await sleep(STEADY_MS);
    // A clean shutdown (sessions are told and closed) and a crash (server processes die, recovery from WAL).
    for (const mode of ['fast', 'immediate'] as const) {
      const stoppingAt = Date.now();
      await cluster.stop(mode);
      const stoppedAt = Date.now();
      await sleep(OUTAGE_MS);
      const restartingAt = Date.now();
      await cluster.start();
      outages.push({ mode, stoppingAt, stoppedAt, restartingAt, backAt: Date.now() });
      // Waits for readiness (at most the limit, after which the assertions below fail), then steady load again.
      await pollUntil(
        async () => (await hubRequest(hub.base, '/api/ready').catch(() => undefined))?.status === 200,
        RECOVERY_LIMIT_MS,
      );
      await sleep(STEADY_MS);
    }
    const endedAt = Date.now();
    await load.stop();
    await stopProbing();

    const { exchanges } = load;
    // Nothing but success or the documented 503: no 500, no dropped connection, no other code.
    const unexpected = exchanges.filter(
      (e) => !isOk(e.status) && !(e.status === 503 && e.code === 'database_unavailable' && Number(e.retryAfter) > 0),
    );
    expect(unexpected).toEqual([]);
    for (const [index, outage] of outages.entries()) {
      const until = outages[index + 1]?.stoppingAt ?? endedAt;
      const during = load.endedBetween(outage.stoppedAt + 500, outage.restartingAt);
      const duringProbes = probes.filter((p) => p.at > outage.stoppedAt + 500 && p.at < outage.restartingAt);
      // Every request that started and ended while the server was down got the 503 envelope.
      expect(during.length).toBeGreaterThan(CLIENTS);
      expect(during.filter((e) => e.startedAt > outage.stoppedAt && e.status !== 503)).toEqual([]);
      expect(new Set(duringProbes.filter((p) => p.path === '/api/ready').map((p) => p.status))).toEqual(new Set([503]));
      expect(new Set(duringProbes.filter((p) => p.path === '/api/health').map((p) => p.status))).toEqual(
        new Set([200]),
      );

      const recovered = recoveredAt(outage, until, exchanges, probes);
      expect(recovered - outage.backAt).toBeLessThanOrEqual(RECOVERY_LIMIT_MS);
      // And it is really back: writes and reads succeed after the recovery, before the next outage.
      const after = exchanges.filter((e) => e.startedAt > recovered && e.endedAt < until);
      expect(new Set(after.filter((e) => isOk(e.status)).map((e) => e.kind))).toEqual(
        new Set(['create', 'read', 'status', 'list']),
      );
    }

    db = new pg.Client({ connectionString: cluster.url() });
    await db.connect();
    const beforeFirst = exchanges.filter(
      (e) => e.kind === 'create' && isOk(e.status) && e.endedAt < outages[0].stoppingAt,
    );
    const afterLast = exchanges.filter((e) => e.kind === 'create' && isOk(e.status) && e.startedAt > outages[1].backAt);
    expect(beforeFirst.length).toBeGreaterThan(0);
    expect(afterLast.length).toBeGreaterThan(0);
    expect(await lostWrites(db, load)).toEqual({ tasks: [], statusChanges: [] });
  }, 90_000);
});
