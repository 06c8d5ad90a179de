import { execFile, execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LOAD_CPU } from '../cpu-pinning.js';

const run = promisify(execFile);
const SCRIPT = join(import.meta.dirname, 'wrk.lua');

/** One request of a plan; wrk sends the lines of a plan in a loop. */
export interface PlanLine {
  method: 'GET' | 'POST';
  path: string;
  authorization?: string;
  body?: string;
}

export interface WrkRun {
  base: string;
  plan: PlanLine[];
  connections: number;
  threads: number;
  seconds: number;
  /** Keep the task id of every 200 answer (claims, for the duplicate check). */
  captureIds?: boolean;
  /** Where the plan and result files go. */
  workDir: string;
}

export interface WrkResult {
  requests: number;
  seconds: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  statuses: Record<string, number>;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  ids: string[];
}

const REQUEST_TIMEOUT_SECONDS = 5;

/**
 * wrk (C, event loop per thread) rather than autocannon: on the load core it drives well over the raw
 * baseline's rate, where autocannon in Node tops out near 10 000 req/s. Installed from Debian when missing.
 */
export function ensureWrk(log: (line: string) => void): void {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (error) {
    // wrk --version exits 1 after printing its version; only a missing binary throws ENOENT.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      return;
    }
    log('installing wrk from Debian (apt-get install wrk)');
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', 'wrk'], { stdio: 'inherit' });
  }
}

/** Runs wrk pinned to the load core and returns its counts and latency percentiles. */
export async function runWrk(options: WrkRun): Promise<WrkResult> {
  const planFile = join(options.workDir, 'plan.tsv');
  const resultFile = join(options.workDir, 'wrk-result.json');
  const lines = options.plan.map((line) =>
    [line.method, line.path, line.authorization ?? '', line.body ?? ''].join('\t'),
  );
  await writeFile(planFile, `${lines.join('\n')}\n`);
  const threads = Math.min(options.threads, options.connections);
  await run(
    'taskset',
    [
      '-c',
      String(LOAD_CPU),
      'wrk',
      `-t${threads}`,
      `-c${options.connections}`,
      `-d${options.seconds}s`,
      `--timeout`,
      `${REQUEST_TIMEOUT_SECONDS}s`,
      '-s',
      SCRIPT,
      options.base,
      '--',
      planFile,
      resultFile,
      String(threads),
      options.captureIds ? 'ids' : 'no-ids',
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const raw = JSON.parse(await readFile(resultFile, 'utf8')) as {
    requests: number;
    durationUs: number;
    p50Us: number;
    p90Us: number;
    p99Us: number;
    maxUs: number;
    errors: WrkResult['socketErrors'];
    statuses: Record<string, number>;
    ids: string[];
  };
  return {
    requests: raw.requests,
    seconds: raw.durationUs / 1e6,
    p50Ms: raw.p50Us / 1000,
    p90Ms: raw.p90Us / 1000,
    p99Ms: raw.p99Us / 1000,
    maxMs: raw.maxUs / 1000,
    statuses: raw.statuses,
    socketErrors: raw.errors,
    ids: raw.ids,
  };
}
