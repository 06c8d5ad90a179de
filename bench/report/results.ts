import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClaimCheck, OutboxCheck } from '../checks.js';
import type { DispatchResult } from '../dispatch.js';
import type { EventFanoutResult } from '../events.js';
import type { Argon2Bound } from '../measurements.js';
import { profileMarkdown } from '../profile/cpu-profile.js';
import type { ProfileResult } from '../profile/profile-run.js';
import type { ScenarioResult } from '../rounds.js';
import { chartSvg } from './chart.js';

export const RESULTS_DIR = join(import.meta.dirname, '..', 'results');

export interface ScenarioReport extends ScenarioResult {
  /** Size of one answer's body, hub and baseline (what JSON serialisation and the network carry). */
  bodyBytes: { hub: number; baseline: number };
  /** Where the baseline's answer differs in shape from the hub's: empty when they are kept in step. */
  shapeDifferences: string[];
  target?: { text: string; met: boolean };
}

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
}

export interface BenchResults {
  startedAt: string;
  durationSeconds: number;
  machine: { node: string; cpus: number; postgres: string; loadGenerator: string; note: string };
  hubCommit: string;
  settings: { tasks: number; users: number; agents: number; rounds: number; seconds: number; warmupSeconds: number };
  environment: {
    argon2: Argon2Bound;
    startToReadyMs: number[];
    embeddedIdle: { rssMb: number; startToReadyMs: number };
  };
  scenarios: ScenarioReport[];
  checks: { claims?: ClaimCheck; outbox?: OutboxCheck };
  /** Long-polling claims against polling agents (issue 12); absent when BENCH_ONLY leaves it out. */
  dispatch?: DispatchResult;
  events?: EventFanoutResult;
  targets: TargetCheck[];
  profile?: ProfileResult;
}

// Values are null in results.json where they were NaN (no successful answer, no ratio).
const known = (value: number | null): value is number => value !== null && Number.isFinite(value);
const n0 = (value: number | null): string => (known(value) ? value.toFixed(0) : 'n/a');
const n1 = (value: number | null): string => (known(value) ? value.toFixed(1) : 'n/a');
const pct = (value: number | null): string => (known(value) ? `${(value * 100).toFixed(0)} %` : 'n/a');
const yes = (met: boolean): string => (met ? 'yes' : '**no**');

function markdown(results: BenchResults): string {
  const { settings, environment } = results;
  const lines = [
    '# Benchmark results',
    '',
    `Run of ${results.startedAt} (${n0(results.durationSeconds)} s) on hub commit ${results.hubCommit}: ` +
      `${settings.tasks} tasks, ${settings.users} users, ${settings.agents} agents; ${settings.rounds} rounds × ` +
      `${settings.seconds} s per server and scenario after a ${settings.warmupSeconds} s warm-up. ` +
      `${results.machine.note} Node ${results.machine.node}, ${results.machine.postgres}, ${results.machine.loadGenerator}.`,
    '',
    'req/s counts successful answers; latencies are medians over the rounds of each run’s p50 / p99; errors are',
    'all non-2xx answers (a claim’s documented 204 excepted), socket errors and timeouts of every round; RSS is',
    'the highest resident set size sampled during the rounds; ratio is the median of the per-round ratios.',
    '',
    '| scenario | conns | hub req/s | baseline req/s | ratio | hub p50 / p99 ms | baseline p50 / p99 ms | errors hub / baseline | RSS hub / baseline MB | target | met |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
    ...results.scenarios.map((s) =>
      [
        '',
        `${s.id}: ${s.title}`,
        s.connections,
        n0(s.hub.rps),
        n0(s.baseline.rps),
        pct(s.ratio),
        `${n1(s.hub.p50Ms)} / ${n1(s.hub.p99Ms)}`,
        `${n1(s.baseline.p50Ms)} / ${n1(s.baseline.p99Ms)}`,
        `${s.hub.errors} / ${s.baseline.errors}`,
        `${n0(s.hub.rssMaxMb)} / ${n0(s.baseline.rssMaxMb)}`,
        s.target?.text ?? '',
        s.target ? yes(s.target.met) : '',
        '',
      ]
        .join(' | ')
        .trim(),
    ),
    '',
    '![throughput and p99 per scenario](chart.svg)',
    '',
    '## Targets of the issue',
    '',
    '| target | measured | met |',
    '| --- | --- | --- |',
    ...results.targets.map((t) => `| ${t.target} | ${t.measured} | ${yes(t.met)} |`),
    '',
    '## Was the server the bottleneck?',
    '',
    'Server CPU is the server process’s CPU time in % of one core (all its threads, all on core 0); core 1',
    'carries wrk, PostgreSQL and the runner. A server near 100 % was the limit; a busy core 1 with a server well',
    'below 100 % means the database or the load generator was.',
    '',
    '| scenario | hub CPU | baseline CPU | core 1 busy (hub run / baseline run) | body bytes hub / baseline | shape differences |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...results.scenarios.map(
      (s) =>
        `| ${s.id} | ${n0(s.hub.serverCpuPct)} % | ${n0(s.baseline.serverCpuPct)} % | ` +
        `${n0(s.hub.coreBusyPct[1] ?? 0)} % / ${n0(s.baseline.coreBusyPct[1] ?? 0)} % | ` +
        `${s.bodyBytes.hub} / ${s.bodyBytes.baseline} | ${s.shapeDifferences.join('; ') || 'none'} |`,
    ),
    '',
    '## Environment',
    '',
    `- argon2id at m=${environment.argon2.parameters.memoryCost} KiB, t=${environment.argon2.parameters.timeCost}, ` +
      `p=${environment.argon2.parameters.parallelism}: one hash ` +
      `${n1(environment.argon2.hashMs)} ms (median of 9, in the runner); bound ${n1(environment.argon2.loginsPerSecond)} ` +
      `logins/s = ${environment.argon2.cores} core ÷ hash time (the server is pinned to one core).`,
    `- Start to ready on PostgreSQL (spawn to the first 200 of /api/ready, pinned): ` +
      `${environment.startToReadyMs.map(n0).join(', ')} ms.`,
    `- Embedded database (PGlite), idle after start: RSS ${n0(environment.embeddedIdle.rssMb)} MB; ` +
      `start to ready ${n0(environment.embeddedIdle.startToReadyMs)} ms (first start: migrations).`,
  ];
  if (results.checks.claims) {
    const c = results.checks.claims;
    lines.push(
      `- Claims: ${c.claims} successful, ${c.duplicateAnswers} task ids answered twice, ${c.tasksClaimed} tasks ` +
        `claimed by SQL (up to ${c.unansweredAllowed} more than answered: in flight when a run stopped), ` +
        `${c.tasksClaimedTwice} claimed twice: ${c.passed ? 'no duplicates' : '**check failed**'}.`,
    );
  }
  if (results.checks.outbox) {
    const o = results.checks.outbox;
    lines.push(
      `- Outbox: ${o.statusChanges} status changes answered, ${o.outboxRows} callback deliveries written ` +
        `(up to ${o.unansweredAllowed} more allowed: in flight when a run stopped): ` +
        `${o.passed ? 'one each' : '**mismatch**'}.`,
    );
  }
  if (results.dispatch) {
    const d = results.dispatch;
    lines.push(
      '',
      '## Dispatch latency (long-polling claims)',
      '',
      `From sending \`POST /api/tasks\` to a waiting agent's claim answer with that task: ${d.waiters} agents, ` +
        `${d.tasks} tasks created one after another on a small database of their own (same run, same pinning).`,
      '',
      '| agents | p50 ms | p99 ms | max ms |',
      '| --- | ---: | ---: | ---: |',
      `| long polling (\`?waitSeconds=30\`) | ${n1(d.longPoll.p50Ms)} | ${n1(d.longPoll.p99Ms)} | ${n1(d.longPoll.maxMs)} |`,
      `| polling every ${d.pollIntervalMs} ms (baseline) | ${n1(d.polling.p50Ms)} | ${n1(d.polling.p99Ms)} | ${n1(d.polling.maxMs)} |`,
      '',
      `Long polling hands out a new task ${n1(d.speedup)}× sooner at the median.`,
    );
  }
  if (results.events) {
    const e = results.events;
    lines.push(
      '',
      '## Event fan-out (`GET /api/events`)',
      '',
      `${e.subscribers} streams on instance A, ${e.writers} writers creating tasks on instance B, ${e.rounds} rounds ` +
        `interleaved with the same writes and no stream open (the baseline).`,
      '',
      `- Deliveries: ${n1(e.deliveriesPerSecond)} events/s summed over the streams; ${e.missing} missing.`,
      `- Create to arrival on a stream: p50 ${n1(e.latency.p50Ms)} ms, p99 ${n1(e.latency.p99Ms)} ms.`,
      `- Writes ${n1(e.writesPerSecond)}/s with the streams, ${n1(e.baselineWritesPerSecond)}/s without ` +
        `(${n1(e.writeRatio)}×).`,
    );
  }
  if (results.profile) {
    lines.push(
      '',
      `## CPU profile of the hub: ${results.profile.scenario}`,
      '',
      `\`${results.profile.file}\`, ${n0(results.profile.rps)} req/s while profiled, one answer ` +
        `${results.profile.bodyBytes} bytes.`,
      '',
      profileMarkdown(results.profile.summary),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** results.json, results.md and chart.svg in bench/results/. */
export async function writeResults(results: BenchResults): Promise<void> {
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(join(RESULTS_DIR, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(join(RESULTS_DIR, 'results.md'), markdown(results));
  const rows = results.scenarios.flatMap((s) =>
    (['hub', 'baseline'] as const).map((server) => ({
      scenario: s.id,
      server,
      rps: s[server].rps,
      p99Ms: s[server].p99Ms,
    })),
  );
  const subtitle = `${results.startedAt}, ${results.settings.tasks} tasks, ${results.settings.rounds} rounds × ${results.settings.seconds} s`;
  await writeFile(join(RESULTS_DIR, 'chart.svg'), await chartSvg(rows, subtitle));
}
