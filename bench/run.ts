/**
 * The benchmark suite (not a test): the built hub against a raw fastify + pg baseline on the same seeded
 * PostgreSQL, scenario by scenario, servers pinned to core 0, wrk and PostgreSQL on core 1.
 *
 *   npm run bench                                   full run (about 15 minutes, seeding included)
 *   BENCH_TASKS=50000 BENCH_ROUNDS=1 BENCH_SECONDS=3 npm run bench        quick run
 *   npm run bench -- --profile read                 CPU profile of one scenario only
 *
 * Writes bench/results/results.{json,md} and chart.svg; see bench/README.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import argon2 from 'argon2';
import pg from 'pg';
import { processSecret } from '../test/utils/hub-processes.js';
import { BASELINE_MAIN, buildServers, hubServer } from './build.js';
import { checkClaims, checkOutbox, shapeDifferences } from './checks.js';
import { pinPostgres, pinSelfToLoadCore } from './cpu-pinning.js';
import { cloneTemplate, ensureSeededTemplate } from './database/bench-database.js';
import { USER_PASSWORD } from './database/seed-sql.js';
import { sendOnce } from './load/sample.js';
import { ensureWrk } from './load/wrk.js';
import { argon2Bound, embeddedIdleRss } from './measurements.js';
import { planInputs } from './plan-inputs.js';
import { profileMarkdown } from './profile/cpu-profile.js';
import { profileScenario } from './profile/profile-run.js';
import { type BenchResults, RESULTS_DIR, type ScenarioReport, writeResults } from './report/results.js';
import { targetChecks } from './report/targets.js';
import { type LoadContext, runScenario } from './rounds.js';
import { type PlanInputs, SCENARIOS, type Scenario } from './scenarios.js';
import { type DispatchResult, measureDispatch } from './dispatch.js';
import { type EventFanoutResult, measureEventFanout } from './events.js';
import { type ServerProcess, type ServerStart, startServer } from './server-process.js';
import { benchSettings } from './settings.js';

const HUB_STARTS = 3;
const started = Date.now();
const log = (line: string): void => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0)} s] ${line}`);

async function sampleBoth(
  context: LoadContext,
  scenario: Scenario,
): Promise<Pick<ScenarioReport, 'bodyBytes' | 'shapeDifferences'>> {
  const answers = [];
  for (const name of ['hub', 'baseline'] as const) {
    const answer = await sendOnce(context.servers[name].base, scenario.plan(await context.inputs())[0]);
    if (answer.status === 200 || answer.status === 201) {
      context.successes.set(scenario.id, (context.successes.get(scenario.id) ?? 0) + 1);
      if (scenario.captureIds) {
        context.claimedIds.push((JSON.parse(answer.text) as { data: { id: string } }).data.id);
      }
    }
    answers.push(answer);
  }
  const [hub, baseline] = answers;
  const parse = (text: string): unknown => (text ? JSON.parse(text) : null);
  return {
    bodyBytes: { hub: Buffer.byteLength(hub.text), baseline: Buffer.byteLength(baseline.text) },
    shapeDifferences:
      hub.status === baseline.status
        ? shapeDifferences(parse(hub.text), parse(baseline.text))
        : [`status ${hub.status} vs ${baseline.status}`],
  };
}

const git = (...args: string[]): string => execFileSync('git', args, { encoding: 'utf8' }).trim();

async function main(): Promise<void> {
  const settings = benchSettings(process.argv.slice(2));
  const selected = SCENARIOS.filter((s) => settings.only.length === 0 || settings.only.includes(s.id));
  const profileOnly = SCENARIOS.find((s) => s.id === settings.profile);
  if (settings.profile !== 'worst' && settings.profile !== 'off' && !profileOnly) {
    throw new Error(`BENCH_PROFILE / --profile: one of worst, off, ${SCENARIOS.map((s) => s.id).join(', ')}`);
  }
  ensureWrk(log);
  log('building the hub (npm run build) and the baseline');
  await buildServers();
  pinSelfToLoadCore();
  const passwordHash = await argon2.hash(USER_PASSWORD, { type: argon2.argon2id, ...settings.argon2 });
  const size = { tasks: settings.tasks, users: settings.users, agents: settings.agents };
  const template = await ensureSeededTemplate(size, passwordHash, log);
  const database = await cloneTemplate(template, `ananta_bench_run_${process.pid}`);
  log(`database ${database.name} cloned from ${template}`);
  const postgres = await pinPostgres();
  const restore = (): void => postgres.restore();
  process.once('exit', restore);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      restore();
      process.exit(130);
    });
  }
  log(`PostgreSQL (postmaster ${postgres.postmaster}) pinned to core 1, servers to core 0`);
  const workDir = await mkdtemp(join(tmpdir(), 'ananta-bench-'));
  const db = new pg.Pool({ connectionString: database.url, max: 2 });
  const servers: ServerProcess[] = [];
  try {
    const secretKey = processSecret();
    const argon2Env = {
      ARGON2_MEMORY_KIB: String(settings.argon2.memoryCost),
      ARGON2_TIME_COST: String(settings.argon2.timeCost),
      ARGON2_PARALLELISM: String(settings.argon2.parallelism),
    };
    const hubStart = hubServer('hub', { DATABASE_URL: database.url, SECRET_KEY: secretKey, ...argon2Env });
    const inputs = await planInputs(db, secretKey);
    if (profileOnly) {
      await profileOnlyRun(hubStart, profileOnly, await inputs(), settings, workDir);
      return;
    }
    const startToReadyMs: number[] = [];
    for (let i = 0; i < HUB_STARTS; i += 1) {
      const hub = await startServer(hubStart);
      startToReadyMs.push(hub.startToReadyMs);
      if (i < HUB_STARTS - 1) {
        await hub.stop();
      } else {
        servers.push(hub);
      }
    }
    const baseline = await startServer({
      name: 'baseline',
      main: BASELINE_MAIN,
      readyPath: '/api/health',
      env: { DATABASE_URL: database.url, SECRET_KEY: secretKey, DB_POOL_SIZE: '10' },
    });
    servers.push(baseline);
    log(`hub ready in ${startToReadyMs.map((ms) => ms.toFixed(0)).join(', ')} ms; baseline ready`);
    const argon = await argon2Bound(settings);
    log(`argon2 hash ${argon.hashMs.toFixed(1)} ms → bound ${argon.loginsPerSecond.toFixed(1)} logins/s`);
    const since = new Date();
    const context: LoadContext = {
      servers: { hub: servers[0], baseline },
      inputs,
      rounds: settings.rounds,
      seconds: settings.seconds,
      warmupSeconds: settings.warmupSeconds,
      workDir,
      log,
      successes: new Map(),
      unanswered: new Map(),
      claimedIds: [],
    };
    const scenarios: ScenarioReport[] = [];
    for (const scenario of selected) {
      log(`${scenario.id}: ${scenario.title}, ${scenario.connections} connections`);
      const answers = await sampleBoth(context, scenario);
      const result = await runScenario(context, scenario);
      const target = scenario.target && {
        text: scenario.target.text,
        met: scenario.target.met({ ratio: result.ratio, hubP99: result.hub.p99Ms, hubRps: result.hub.rps }),
      };
      scenarios.push({ ...result, ...answers, target });
    }
    const checks = {
      claims: selected.some((s) => s.id === 'claim')
        ? await checkClaims(db, since, context.claimedIds, context.unanswered.get('claim') ?? 0)
        : undefined,
      outbox: selected.some((s) => s.id === 'status-change')
        ? await checkOutbox(
            db,
            since,
            context.successes.get('status-change') ?? 0,
            context.unanswered.get('status-change') ?? 0,
          )
        : undefined,
    };
    for (const server of servers.splice(0)) {
      await server.stop();
    }
    let dispatch: DispatchResult | undefined;
    if (settings.only.length === 0 || settings.only.includes('dispatch')) {
      log('dispatch latency: long-polling claims against agents polling every second');
      dispatch = await measureDispatch(log);
    }
    let events: EventFanoutResult | undefined;
    if (settings.only.length === 0 || settings.only.includes('events')) {
      log('event fan-out: 100 SSE streams on one instance, writes on another, against the same writes unwatched');
      events = await measureEventFanout(log);
    }
    log('hub idle on the embedded database');
    // A failed measurement here must not cost the rounds already measured: it is reported as missing.
    const embeddedIdle = await embeddedIdleRss().catch((error: Error) => {
      log(`embedded database measurement failed: ${error.message}`);
      return { rssMb: NaN, startToReadyMs: NaN };
    });
    const worst = [...scenarios].sort((a, b) => a.ratio - b.ratio)[0];
    let profile: BenchResults['profile'];
    if (settings.profile === 'worst' && worst) {
      log(`CPU profile of the hub on the worst ratio: ${worst.id}`);
      const scenario = SCENARIOS.find((s) => s.id === worst.id)!;
      profile = await profileScenario(hubStart, scenario, await inputs(), settings, profileDir(), workDir).catch(
        (error: Error) => {
          log(`CPU profile failed: ${error.message}`);
          return undefined;
        },
      );
    }
    const [{ server_version: postgresVersion }] = (await db.query<{ server_version: string }>('SHOW server_version'))
      .rows;
    const partial: Omit<BenchResults, 'targets'> = {
      startedAt: new Date(started).toISOString(),
      durationSeconds: (Date.now() - started) / 1000,
      machine: {
        node: process.version,
        cpus: cpus().length,
        postgres: `PostgreSQL ${postgresVersion}`,
        loadGenerator: `wrk ${/wrk ([\d.]+)/.exec(execFileSync('sh', ['-c', 'wrk --version 2>&1 || true'], { encoding: 'utf8' }))?.[1] ?? '?'}`,
        note: 'Servers pinned to core 0; wrk, PostgreSQL and the runner on core 1.',
      },
      hubCommit: `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--', 'src').length ? '+dirty' : ''}`,
      settings: {
        tasks: settings.tasks,
        users: settings.users,
        agents: settings.agents,
        rounds: settings.rounds,
        seconds: settings.seconds,
        warmupSeconds: settings.warmupSeconds,
      },
      environment: { argon2: argon, startToReadyMs, embeddedIdle },
      scenarios,
      checks,
      dispatch,
      events,
      profile,
    };
    await writeResults({ ...partial, targets: targetChecks(partial) });
    log(`results in ${RESULTS_DIR}: results.md, results.json, chart.svg`);
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    restore();
    await db.end();
    await database.drop();
    await rm(workDir, { recursive: true, force: true });
  }
}

const profileDir = (): string => join(RESULTS_DIR, 'profile');

async function profileOnlyRun(
  hubStart: ServerStart,
  scenario: Scenario,
  inputs: PlanInputs,
  timing: { seconds: number; warmupSeconds: number },
  workDir: string,
): Promise<void> {
  log(`CPU profile of the hub on ${scenario.id}`);
  const profile = await profileScenario(hubStart, scenario, inputs, timing, profileDir(), workDir);
  const file = join(RESULTS_DIR, `profile-${scenario.id}.md`);
  const heading = `# CPU profile of the hub: ${scenario.id}\n\n${scenario.title}; \`${profile.file}\`, ${profile.rps.toFixed(0)} req/s while profiled, one answer ${profile.bodyBytes} bytes.\n\n`;
  await writeFile(file, heading + profileMarkdown(profile.summary));
  log(`profile summary in ${file}`);
}

await main();
