/** The benchmark's knobs, from the environment (and `--profile <scenario>`), with the defaults of a full run. */
export interface BenchSettings {
  tasks: number;
  users: number;
  agents: number;
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  /** Scenario ids to run (BENCH_ONLY=read,claim); all when empty. */
  only: string[];
  /**
   * `worst` (default): after the rounds, profile the scenario with the lowest ratio; `off`: no profile;
   * a scenario id: only profile that scenario, no rounds.
   */
  profile: string;
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
}

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer, not ${raw}`);
  }
  return value;
}

export function benchSettings(argv: string[]): BenchSettings {
  const flag = argv.indexOf('--profile');
  return {
    tasks: positive('BENCH_TASKS', 1_000_000),
    users: positive('BENCH_USERS', 10_000),
    agents: positive('BENCH_AGENTS', 1_000),
    rounds: positive('BENCH_ROUNDS', 5),
    seconds: positive('BENCH_SECONDS', 8),
    warmupSeconds: positive('BENCH_WARMUP_SECONDS', 2),
    only: (process.env.BENCH_ONLY ?? '').split(',').filter(Boolean),
    profile: flag >= 0 ? argv[flag + 1] : (process.env.BENCH_PROFILE ?? 'worst'),
    // The hub's defaults (SPEC section 11); set ARGON2_* to benchmark other parameters on both servers.
    argon2: {
      memoryCost: positive('ARGON2_MEMORY_KIB', 19_456),
      timeCost: positive('ARGON2_TIME_COST', 2),
      parallelism: positive('ARGON2_PARALLELISM', 1),
    },
  };
}
