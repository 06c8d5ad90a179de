/**
 * The benchmark data set, generated in PostgreSQL with generate_series (no rows travel over the wire).
 * Everything the load needs is derivable: agent keys from their number (see credentials.ts), users share one
 * password hash, and the scenario pools are found by their team's name.
 */
export interface SeedSize {
  tasks: number;
  users: number;
  agents: number;
}

/** How many tasks form the status-change pool (the first ones, so the oldest). */
export const statusPoolSize = (tasks: number): number => Math.max(2_000, Math.floor(tasks / 100));

/** Agents 1..CLAIMERS are the claiming agents: each its own key, all members of the claimers' team. */
export const CLAIMERS = 32;
export const CLAIMERS_TEAM = 'bench-claimers';
/** Tasks of this team are the status-change pool: they have a callback URL and move in_progress ↔ blocked. */
export const CALLBACKS_TEAM = 'bench-callbacks';
const OTHER_TEAMS = 20;
/** Where the callbacks of the status-change pool would go: the discard port; nothing sends them (no scheduler). */
export const CALLBACK_URL = 'http://127.0.0.1:9/bench-callback';
/** Every user's password; the hash of it is made once by the runner at the configured argon2 parameters. */
export const USER_PASSWORD = 'Bench-Password-1!';
export const userName = (index: number): string => `bench-user-${String(index).padStart(5, '0')}`;

/** SQL fragment: the agent key of agent number `expr`, the same formula as agentKey() in credentials.ts. */
const AGENT_KEY_SQL = (expr: string): string =>
  `'ak_' || translate(rtrim(encode(sha256(convert_to('bench-agent-' || ${expr}, 'UTF8')), 'base64'), '='), '+/', '-_')`;

/**
 * The seed, in order. `$1` is the shared password hash where a statement needs it. Status mix (per 20 tasks):
 * 6 todo (teamless or the claimers' team, so claims never skip rows they may not take), 6 completed, 2 failed,
 * 2 cancelled, 2 in_progress, 1 assigned, 1 blocked; the status-change pool is 1 % of the tasks (at least
 * 2 000), in_progress with a callback URL. Histories have 2–7 entries, every 200th task 200 (the cap).
 */
export function seedStatements(size: SeedSize, passwordHash: string): Array<{ sql: string; params?: unknown[] }> {
  const pool = statusPoolSize(size.tasks);
  return [
    {
      sql: `INSERT INTO users (username, password_hash, role, created_at, updated_at)
            SELECT 'bench-user-' || lpad(i::text, 5, '0'), $1, CASE WHEN i <= 10 THEN 'admin' ELSE 'user' END,
                   now() - make_interval(days => 400 - i % 365), now() - make_interval(days => i % 30)
            FROM generate_series(1, ${size.users}) AS i`,
      params: [passwordHash],
    },
    {
      sql: `INSERT INTO agents (url, name, role, status, capabilities, version, last_seen_at, key_hash)
            SELECT 'http://127.0.0.1:9/bench-agent-' || i, 'bench-agent-' || i, 'worker',
                   CASE WHEN i <= ${CLAIMERS} OR i % 4 <> 0 THEN 'online' ELSE 'offline' END,
                   '["code", "review"]'::jsonb, '1.' || (i % 7), now() - make_interval(secs => i % 600),
                   encode(sha256(convert_to(${AGENT_KEY_SQL('i')}, 'UTF8')), 'hex')
            FROM generate_series(1, ${size.agents}) AS i`,
    },
    { sql: `INSERT INTO roles (name, description) VALUES ('bench-worker', 'Benchmark worker role')` },
    {
      sql: `INSERT INTO teams (name, description)
            SELECT name, 'Benchmark team' FROM (VALUES ('${CLAIMERS_TEAM}'), ('${CALLBACKS_TEAM}')) AS t(name)
            UNION ALL SELECT 'bench-team-' || i, 'Benchmark team ' || i FROM generate_series(1, ${OTHER_TEAMS}) AS i`,
    },
    {
      // The claimers in their team; every other agent in one of the other teams.
      sql: `INSERT INTO team_members (team_id, agent_id, role_id)
            SELECT t.id, a.id, r.id
            FROM (SELECT id, substring(name FROM 13)::int AS n FROM agents WHERE name LIKE 'bench-agent-%') a
            JOIN roles r ON r.name = 'bench-worker'
            JOIN teams t ON t.name = CASE WHEN a.n <= ${CLAIMERS} THEN '${CLAIMERS_TEAM}'
                                          ELSE 'bench-team-' || (1 + a.n % ${OTHER_TEAMS}) END`,
    },
    {
      sql: `WITH numbered AS (
              SELECT i,
                     (ARRAY['todo','todo','todo','todo','todo','todo','completed','completed','completed','completed',
                            'completed','completed','failed','failed','cancelled','cancelled','in_progress',
                            'in_progress','assigned','blocked'])[1 + i % 20] AS status,
                     (ARRAY['low','medium','medium','high','critical'])[1 + (i / 7) % 5] AS priority,
                     CASE WHEN i % 200 = 0 THEN 200 ELSE 2 + (i / 3) % 6 END AS entries,
                     now() - make_interval(secs => (${size.tasks} - i) * 2.5) AS created
              FROM generate_series(1, ${size.tasks}) AS i
            ),
            refs AS (
              SELECT (SELECT array_agg(id ORDER BY name) FROM agents) AS agents,
                     (SELECT array_agg(id ORDER BY name) FROM teams WHERE name LIKE 'bench-team-%') AS teams,
                     (SELECT id FROM teams WHERE name = '${CLAIMERS_TEAM}') AS claimers,
                     (SELECT id FROM teams WHERE name = '${CALLBACKS_TEAM}') AS callbacks
            ),
            shaped AS (
              SELECT n.*, r.claimers, r.callbacks,
                     CASE WHEN n.i <= ${pool} THEN 'pool' ELSE n.status END AS kind,
                     r.agents[1 + n.i % ${size.agents}] AS agent_id,
                     r.teams[1 + n.i % ${OTHER_TEAMS}] AS other_team
              FROM numbered n CROSS JOIN refs r
            )
            INSERT INTO tasks (id, title, description, status, priority, team_id, assigned_agent_id, history,
                               last_output, last_exit_code, callback_url, callback_secret_sealed, version,
                               lease_holder_id, lease_expires_at, created_at, updated_at)
            SELECT gen_random_uuid(),
                   'Task ' || s.i || ' ' || left(md5(s.i::text), 12),
                   CASE WHEN s.i % 2 = 0 THEN repeat('Step ' || s.i % 97 || ': do the work and report back. ', 4) END,
                   CASE WHEN s.kind = 'pool' THEN 'in_progress' ELSE s.status END,
                   s.priority,
                   CASE WHEN s.kind = 'pool' THEN s.callbacks
                        WHEN s.kind = 'todo' THEN CASE WHEN s.i % 2 = 0 THEN s.claimers END
                        WHEN s.i % 3 <> 0 THEN s.other_team END,
                   CASE WHEN s.kind IN ('todo', 'cancelled') THEN NULL ELSE s.agent_id END,
                   (SELECT jsonb_agg(jsonb_build_object(
                             'at', to_char((s.created + make_interval(secs => e)) AT TIME ZONE 'UTC',
                                           'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                             'type', CASE WHEN e = 1 THEN 'created' ELSE 'status_changed' END,
                             'actor', jsonb_build_object('type', 'user', 'id', NULL, 'name', 'bench-user-00001'),
                             'details', CASE WHEN e = 1 THEN jsonb_build_object('title', 'Task ' || s.i)
                                             ELSE jsonb_build_object('from', 'todo', 'to', 'in_progress') END)
                           ORDER BY e)
                    FROM generate_series(1, s.entries) AS e),
                   CASE WHEN s.kind IN ('completed', 'failed') THEN 'exit ' || s.i % 2 || ': output of task ' || s.i END,
                   CASE WHEN s.kind = 'completed' THEN 0 WHEN s.kind = 'failed' THEN 1 END,
                   CASE WHEN s.kind = 'pool' THEN '${CALLBACK_URL}' END,
                   -- Never opened: callbacks are only sent by the scheduler's worker, which is off in the benchmark.
                   CASE WHEN s.kind = 'pool' THEN 'bench-placeholder-not-sealed' END,
                   s.entries,
                   CASE WHEN s.kind IN ('assigned', 'in_progress') AND s.kind <> 'pool' THEN s.agent_id END,
                   CASE WHEN s.kind IN ('assigned', 'in_progress') THEN now() + interval '1 day' END,
                   s.created,
                   s.created + make_interval(secs => s.entries)
            FROM shaped s`,
    },
    { sql: `VACUUM (ANALYZE)` },
  ];
}
