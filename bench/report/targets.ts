import type { BenchResults, TargetCheck } from './results.js';

const RSS_UNDER_LOAD_MB = 250;
const RSS_IDLE_EMBEDDED_MB = 300;
const START_TO_READY_MS = 2_000;
const LOGIN_SHARE_OF_BOUND = 0.9;
const HEALTH_P99_DURING_LOGIN_MS = 20;

/** The targets that span scenarios, plus each scenario's own, as measured in this run. */
export function targetChecks(results: Omit<BenchResults, 'targets'>): TargetCheck[] {
  const checks: TargetCheck[] = results.scenarios
    .filter((s) => s.target)
    .map((s) => ({
      target: `${s.id}: ${s.target!.text}`,
      measured: `${(s.ratio * 100).toFixed(0)} % of baseline, ${s.hub.rps.toFixed(0)} req/s, p99 ${s.hub.p99Ms.toFixed(1)} ms`,
      met: s.target!.met,
    }));
  const claims = results.checks.claims;
  if (claims) {
    checks.push({
      target: 'claim: zero duplicates (SQL after the run)',
      measured: `${claims.tasksClaimedTwice} tasks claimed twice, ${claims.duplicateAnswers} ids answered twice, ${claims.tasksClaimed} tasks for ${claims.claims} claims`,
      met: claims.passed,
    });
  }
  const login = results.scenarios.find((s) => s.id === 'login');
  if (login) {
    const bound = results.environment.argon2.loginsPerSecond;
    checks.push(
      {
        target: `login: ≥ ${LOGIN_SHARE_OF_BOUND * 100} % of the argon2 bound (${bound.toFixed(1)}/s)`,
        measured: `${login.hub.rps.toFixed(1)} logins/s = ${((login.hub.rps / bound) * 100).toFixed(0)} %`,
        met: login.hub.rps >= LOGIN_SHARE_OF_BOUND * bound,
      },
      {
        target: `GET /api/health p99 ≤ ${HEALTH_P99_DURING_LOGIN_MS} ms during the login load`,
        measured: `${login.hub.healthP99Ms?.toFixed(1) ?? 'n/a'} ms (worst round)`,
        met: (login.hub.healthP99Ms ?? Infinity) <= HEALTH_P99_DURING_LOGIN_MS,
      },
    );
  }
  const rss = Math.max(...results.scenarios.map((s) => s.hub.rssMaxMb));
  const starts = [...results.environment.startToReadyMs].sort((a, b) => a - b);
  const medianStart = starts[Math.floor(starts.length / 2)];
  const errors = results.scenarios.reduce((sum, s) => sum + s.hub.errors + s.baseline.errors, 0);
  checks.push(
    {
      target: `RSS ≤ ${RSS_UNDER_LOAD_MB} MB under load on PostgreSQL`,
      measured: `${rss.toFixed(0)} MB (highest sample of every hub run)`,
      met: rss <= RSS_UNDER_LOAD_MB,
    },
    {
      target: `RSS ≤ ${RSS_IDLE_EMBEDDED_MB} MB idle on the embedded database`,
      measured: `${results.environment.embeddedIdle.rssMb.toFixed(0)} MB`,
      met: results.environment.embeddedIdle.rssMb <= RSS_IDLE_EMBEDDED_MB,
    },
    {
      target: `start to ready ≤ ${START_TO_READY_MS / 1000} s on PostgreSQL`,
      measured: `median ${medianStart.toFixed(0)} ms of ${starts.length} starts`,
      met: medianStart <= START_TO_READY_MS,
    },
    {
      target: 'zero error responses in every run',
      measured: `${errors} errors (hub and baseline, all rounds)`,
      met: errors === 0,
    },
  );
  if (results.checks.outbox) {
    checks.push({
      target: 'status change: one outbox row per change',
      measured: `${results.checks.outbox.outboxRows} rows for ${results.checks.outbox.statusChanges} changes`,
      met: results.checks.outbox.passed,
    });
  }
  return checks;
}
