import type pg from 'pg';
import { accessTokens, agentKey, type SeededUser } from './credentials.js';
import { CALLBACKS_TEAM, CLAIMERS, USER_PASSWORD } from './database/seed-sql.js';
import type { PlanInputs } from './scenarios.js';

const SAMPLED_TASKS = 20_000;
const TOKEN_USERS = 100;
const LOGIN_USERS = 2_000;

/**
 * Reads what the plans need from the run's database once, and hands out fresh inputs before every load:
 * new access tokens (they live 15 minutes) and the pool's current statuses (the status scenario moves them).
 */
export async function planInputs(db: pg.Pool, secretKey: string): Promise<() => Promise<PlanInputs>> {
  const [{ estimate }] = (
    await db.query<{ estimate: number }>(`SELECT reltuples::float8 AS estimate FROM pg_class WHERE relname = 'tasks'`)
  ).rows;
  // Block sampling reads only the sampled pages; twice the share needed, as some blocks hold fewer rows.
  const percent = Math.min(100, (200 * SAMPLED_TASKS) / Math.max(estimate, 1));
  const taskIds = (
    await db.query<{ id: string }>(`SELECT id FROM tasks TABLESAMPLE SYSTEM ($1) LIMIT $2`, [percent, SAMPLED_TASKS])
  ).rows.map((row) => row.id);
  const users = (
    await db.query<SeededUser>(
      `SELECT id, username, role, token_version AS "tokenVersion" FROM users
       WHERE role = 'user' AND username LIKE 'bench-user-%' ORDER BY username LIMIT $1`,
      [Math.max(TOKEN_USERS, LOGIN_USERS)],
    )
  ).rows;
  const agentKeys = Array.from({ length: CLAIMERS }, (_, index) => agentKey(index + 1));
  return async () => ({
    tokens: accessTokens(secretKey, users.slice(0, TOKEN_USERS)),
    taskIds,
    pool: (
      await db.query<{ id: string; status: string }>(
        `SELECT t.id, t.status FROM tasks t JOIN teams g ON g.id = t.team_id WHERE g.name = $1 ORDER BY t.id`,
        [CALLBACKS_TEAM],
      )
    ).rows,
    agentKeys,
    usernames: users.slice(0, LOGIN_USERS).map((user) => user.username),
    password: USER_PASSWORD,
  });
}
