import { performance } from 'node:perf_hooks';
import { runWrk } from './load/wrk.js';
import type { PlanInputs, Scenario } from './scenarios.js';
import { coreTicks, cpuTicks, sampleRss, type ServerProcess } from './server-process.js';
import { median } from './statistics.js';

export type ServerName = 'hub' | 'baseline';

export interface RunMeasurement {
  round: number;
  /** Successful answers per second (2xx; a claim's 204 "nothing to claim" is not a success). */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  requests: number;
  /** Non-2xx answers (204 too, except where documented), socket errors and timeouts. */
  errors: number;
  statuses: Record<string, number>;
  rssMaxMb: number;
  /** CPU the server process used, in % of one core: near 100 means the server, not the load, was the limit. */
  serverCpuPct: number;
  /** Busy % of each core during the run (core 1 carries load generator and PostgreSQL). */
  coreBusyPct: number[];
  /** GET /api/health at 20 req/s beside the load (login only): what a cheap request waits meanwhile. */
  healthProbe?: { requests: number; errors: number; p50Ms: number; p99Ms: number };
}

export interface ServerSummary {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  rssMaxMb: number;
  serverCpuPct: number;
  coreBusyPct: number[];
  healthP99Ms?: number;
}

export interface ScenarioResult {
  id: string;
  title: string;
  connections: number;
  runs: Record<ServerName, RunMeasurement[]>;
  hub: ServerSummary;
  baseline: ServerSummary;
  /** Median of the per-round ratios hub rps / baseline rps; NaN (null in JSON) when no round had one. */
  ratio: number;
  ratios: number[];
}

export interface LoadContext {
  servers: Record<ServerName, ServerProcess>;
  inputs: () => Promise<PlanInputs>;
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  workDir: string;
  log: (line: string) => void;
  /** Every successful answer per scenario, warm-ups included (for the outbox and claim checks). */
  successes: Map<string, number>;
  /**
   * Per scenario, how many requests may have been in flight when a wrk run ended: served and committed, but
   * never answered to wrk (one per connection and run).
   */
  unanswered: Map<string, number>;
  /** Task ids of every successful claim, warm-ups included. */
  claimedIds: string[];
}

const HEALTH_PROBE_INTERVAL_MS = 50;
const PAUSE_BETWEEN_RUNS_MS = 1_000;

/** A light second load: one GET /api/health every 50 ms, timed from this process, until `stop()`. */
function healthProbe(base: string): { stop(): Promise<NonNullable<RunMeasurement['healthProbe']>> } {
  const latencies: number[] = [];
  let errors = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      const response = await fetch(`${base}/api/health`).catch(() => undefined);
      if (response?.ok) {
        await response.arrayBuffer();
        latencies.push(performance.now() - started);
      } else {
        errors += 1;
      }
      await new Promise((resolve) => setTimeout(resolve, HEALTH_PROBE_INTERVAL_MS));
    }
  })();
  const percentile = (sorted: number[], p: number): number =>
    sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
  return {
    stop: async () => {
      running = false;
      await loop;
      const sorted = [...latencies].sort((a, b) => a - b);
      return { requests: latencies.length, errors, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) };
    },
  };
}

async function measure(
  context: LoadContext,
  scenario: Scenario,
  server: ServerProcess,
  seconds: number,
  round: number,
): Promise<RunMeasurement> {
  const plan = scenario.plan(await context.inputs());
  const cpuBefore = cpuTicks(server.pid);
  const coresBefore = coreTicks();
  const rss = sampleRss(server.pid);
  const probe = scenario.id === 'login' ? healthProbe(server.base) : undefined;
  const result = await runWrk({
    base: server.base,
    plan,
    connections: scenario.connections,
    threads: scenario.threads,
    seconds,
    captureIds: scenario.captureIds,
    workDir: context.workDir,
  });
  const healthResult = await probe?.stop();
  const rssMaxMb = rss.stop();
  const coresAfter = coreTicks();
  const ticksPerSecond = 100;
  const successes = Object.entries(result.statuses)
    .filter(([status]) => status.startsWith('2') && status !== '204')
    .reduce((sum, [, count]) => sum + count, 0);
  const empty = result.statuses['204'] ?? 0;
  const socketErrors = Object.values(result.socketErrors).reduce((sum, count) => sum + count, 0);
  context.successes.set(scenario.id, (context.successes.get(scenario.id) ?? 0) + successes);
  context.unanswered.set(scenario.id, (context.unanswered.get(scenario.id) ?? 0) + scenario.connections);
  context.claimedIds.push(...result.ids);
  return {
    round,
    rps: successes / result.seconds,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    maxMs: result.maxMs,
    requests: result.requests,
    errors: result.requests - successes - (scenario.allows204 ? empty : 0) + socketErrors,
    statuses: result.statuses,
    rssMaxMb,
    serverCpuPct: ((cpuTicks(server.pid) - cpuBefore) / ticksPerSecond / result.seconds) * 100,
    coreBusyPct: coresAfter.map((core, index) => {
      const total = core.total - coresBefore[index].total;
      return total > 0 ? ((core.busy - coresBefore[index].busy) / total) * 100 : 0;
    }),
    healthProbe: healthResult,
  };
}

function summarise(runs: RunMeasurement[]): ServerSummary {
  const probes = runs.flatMap((run) => (run.healthProbe ? [run.healthProbe.p99Ms] : []));
  return {
    rps: median(runs.map((run) => run.rps)),
    p50Ms: median(runs.map((run) => run.p50Ms)),
    p99Ms: median(runs.map((run) => run.p99Ms)),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    rssMaxMb: Math.max(...runs.map((run) => run.rssMaxMb)),
    serverCpuPct: median(runs.map((run) => run.serverCpuPct)),
    coreBusyPct: runs[0].coreBusyPct.map((_, core) => median(runs.map((run) => run.coreBusyPct[core]))),
    healthP99Ms: probes.length ? Math.max(...probes) : undefined,
  };
}

const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, PAUSE_BETWEEN_RUNS_MS));

/**
 * One scenario: a warm-up of each server (not recorded), then `rounds` rounds of hub and baseline back to
 * back, alternating which goes first, so drift of the machine or the data hits both alike.
 */
export async function runScenario(context: LoadContext, scenario: Scenario): Promise<ScenarioResult> {
  const runs: Record<ServerName, RunMeasurement[]> = { hub: [], baseline: [] };
  for (const name of ['hub', 'baseline'] as const) {
    await measure(context, scenario, context.servers[name], context.warmupSeconds, 0);
    await pause();
  }
  for (let round = 1; round <= context.rounds; round += 1) {
    const order: ServerName[] = round % 2 ? ['hub', 'baseline'] : ['baseline', 'hub'];
    for (const name of order) {
      const run = await measure(context, scenario, context.servers[name], context.seconds, round);
      runs[name].push(run);
      context.log(
        `  ${scenario.id} round ${round} ${name}: ${run.rps.toFixed(0)} req/s, p99 ${run.p99Ms.toFixed(1)} ms, ` +
          `${run.errors} errors, server CPU ${run.serverCpuPct.toFixed(0)} %, RSS ${run.rssMaxMb.toFixed(0)} MB`,
      );
      await pause();
    }
  }
  // A round where the baseline answered nothing (every request timed out) has no ratio.
  const ratios = runs.hub.map((run, index) => run.rps / runs.baseline[index].rps).filter(Number.isFinite);
  return {
    id: scenario.id,
    title: scenario.title,
    connections: scenario.connections,
    runs,
    hub: summarise(runs.hub),
    baseline: summarise(runs.baseline),
    ratio: median(ratios),
    ratios,
  };
}
