import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import argon2 from 'argon2';
import { processSecret } from '../test/utils/hub-processes.js';
import { HUB_MAIN, HUB_NODE_ARGS } from './build.js';
import { USER_PASSWORD } from './database/seed-sql.js';
import { median } from './statistics.js';
import { rssMb, sampleRss, startServer } from './server-process.js';
import type { BenchSettings } from './settings.js';

const HASHES = 9;
/** The server is pinned to one core, and argon2 (p = 1) uses one core per hash: the bound counts one. */
export const SERVER_CORES = 1;

export interface Argon2Bound {
  parameters: BenchSettings['argon2'];
  hashMs: number;
  cores: number;
  loginsPerSecond: number;
}

/** The median time of one argon2id hash at the configured parameters, in this process, and the bound. */
export async function argon2Bound(settings: BenchSettings): Promise<Argon2Bound> {
  const samples: number[] = [];
  for (let i = 0; i < HASHES; i += 1) {
    const started = performance.now();
    await argon2.hash(USER_PASSWORD, { type: argon2.argon2id, ...settings.argon2 });
    samples.push(performance.now() - started);
  }
  const hashMs = median(samples);
  return { parameters: settings.argon2, hashMs, cores: SERVER_CORES, loginsPerSecond: (SERVER_CORES * 1000) / hashMs };
}

const IDLE_SETTLE_MS = 5_000;
const EMBEDDED_READY_TIMEOUT_MS = 300_000;
const IDLE_SAMPLE_MS = 3_000;

/** RSS of the hub idling on its embedded database (no DATABASE_URL, a fresh DATA_DIR), after it settled. */
export async function embeddedIdleRss(): Promise<{ rssMb: number; startToReadyMs: number }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ananta-bench-embedded-'));
  try {
    const hub = await startServer({
      name: 'hub (embedded)',
      main: HUB_MAIN,
      nodeArgs: HUB_NODE_ARGS,
      readyPath: '/api/ready',
      env: { NODE_ENV: 'production', SECRET_KEY: processSecret(), DATA_DIR: dataDir, SCHEDULER_ENABLED: 'false' },
      readyTimeoutMs: EMBEDDED_READY_TIMEOUT_MS,
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
      const sampler = sampleRss(hub.pid);
      await new Promise((resolve) => setTimeout(resolve, IDLE_SAMPLE_MS));
      return { rssMb: Math.max(sampler.stop(), rssMb(hub.pid)), startToReadyMs: hub.startToReadyMs };
    } finally {
      await hub.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
