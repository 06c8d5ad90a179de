/**
 * Every statement the raw baseline sends, copied from what the hub sends for the same request (its
 * repositories in src/modules/*, checked against PostgreSQL's statement log with `log_statement = 'all'`).
 * Same text, same parameters, same transactions: the database does the same work for both servers, so the
 * ratio measures only what the hub's layers cost. When a hub repository changes its SQL, change it here.
 */

/** Columns in the order TypeORM selects them for each entity (column list of the entity, primary key last). */
const TASK_COLUMNS = [
  'title',
  'description',
  'status',
  'priority',
  'team_id',
  'assigned_agent_id',
  'assigned_role_id',
  'parent_task_id',
  'depends_on',
  'history',
  'last_output',
  'last_exit_code',
  'callback_url',
  'callback_secret_sealed',
  'version',
  'lease_holder_id',
  'lease_expires_at',
  'max_attempts',
  'attempt',
  'retry_backoff_seconds',
  'timeout_seconds',
  'available_at',
  'started_at',
  'failure_reason',
  'concurrency_key',
  'created_at',
  'updated_at',
  'id',
] as const;
const AGENT_COLUMNS = [
  'id',
  'url',
  'name',
  'role',
  'status',
  'capabilities',
  'version',
  'load',
  'max_concurrent_tasks',
  'last_seen_at',
  'key_hash',
  'outbound_token_sealed',
  'created_at',
  'updated_at',
] as const;
const USER_COLUMNS = [
  'id',
  'username',
  'password_hash',
  'role',
  'disabled',
  'mfa_secret_encrypted',
  'mfa_enabled',
  'mfa_backup_code_hashes',
  'mfa_last_used_step',
  'failed_login_count',
  'locked_until',
  'token_version',
  'created_at',
  'updated_at',
] as const;

export type TaskColumn = (typeof TASK_COLUMNS)[number];
export type UserColumn = (typeof USER_COLUMNS)[number];
/** A row as TypeORM's aliases name its columns: `<alias>_<column>`. */
export type AliasedRow = Record<string, unknown>;

const select = (alias: string, columns: readonly string[]): string =>
  columns.map((column) => `"${alias}"."${column}" AS "${alias}_${column}"`).join(', ');

/**
 * The hub's plain-SQL task columns (TasksRepository: the entity's columns, in its order, named as its
 * properties), so rows arrive shaped like the entity.
 */
const TASK_PROPERTIES: ReadonlyArray<[TaskColumn, string]> = TASK_COLUMNS.map((column) => [
  column,
  column.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase()),
]);
const plainTaskColumns = (withHistory: boolean): string =>
  TASK_PROPERTIES.filter(([column]) => withHistory || column !== 'history')
    .map(([column, property]) => `t."${column}" AS "${property}"`)
    .join(', ');
export const TASK_SELECT = plainTaskColumns(true);

/** GET /api/tasks/:id and every read before a change (TasksRepository.getById). */
export const TASK_BY_ID = `SELECT ${TASK_SELECT} FROM tasks t WHERE t.id = $1`;

/** The row lock and the re-read inside TasksRepository.applyChange, still through TypeORM's entity manager. */
export const ENTITY_ALIAS = 'TaskEntity';
export const ENTITY_BY_ID = `SELECT ${select(ENTITY_ALIAS, TASK_COLUMNS)} FROM "tasks" "TaskEntity" WHERE (("TaskEntity"."id" = $1)) LIMIT 1`;
export const ENTITY_BY_ID_FOR_UPDATE = `${ENTITY_BY_ID} FOR UPDATE`;

/** The token-version check (SessionVersionsService → UsersRepository.sessionState). */
export const SESSION_STATE = `SELECT "UserEntity"."token_version" AS "UserEntity_token_version", "UserEntity"."disabled" AS "UserEntity_disabled", "UserEntity"."id" AS "UserEntity_id" FROM "users" "UserEntity" WHERE (("UserEntity"."id" = $1)) LIMIT 1`;

/** An agent key, by its SHA-256 hex (AgentKeyStrategy → AgentsRepository.getByKeyHash). */
export const AGENT_BY_KEY_HASH = `SELECT ${select('AgentEntity', AGENT_COLUMNS)} FROM "agents" "AgentEntity" WHERE (("AgentEntity"."key_hash" = $1)) LIMIT 1`;

/** POST /api/tasks (TasksRepository.insert): $1 id … $11 the history, answered from RETURNING. */
export const INSERT_TASK = `INSERT INTO tasks AS t (id, title, description, priority, team_id, assigned_role_id, parent_task_id,
         depends_on, callback_url, callback_secret_sealed, max_attempts, retry_backoff_seconds, timeout_seconds,
         concurrency_key, status, history)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::uuid[], $9, $10, $11, $12, $13, $14, 'todo', $15::jsonb)
       RETURNING ${TASK_SELECT}`;

/** The list filters the scenarios use (TasksRepository.search builds the same WHERE for them). */
export interface TaskListFilter {
  status?: string[];
  priority?: string[];
}

/** The hub counts up to offset + limit + this many matches (task-search.ts TOTAL_LOOKAHEAD). */
export const TOTAL_LOOKAHEAD = 1000;
const UPDATED_AT_KEY = `to_char(t.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * GET /api/tasks, newest first without history (task-search.ts, TasksRepository.search): the page, one row
 * beyond the limit, and the capped count, which the hub runs concurrently on two pooled connections.
 */
export function taskListQueries(
  filter: TaskListFilter,
  limit: number,
  offset: number,
): { count: string; page: string; params: unknown[]; countLimit: number } {
  const params: unknown[] = [];
  const where: string[] = [];
  for (const column of ['status', 'priority'] as const) {
    const values = filter[column];
    if (values?.length) {
      params.push(values);
      where.push(`t.${column} = ANY($${params.length}::varchar[])`);
    }
  }
  const condition = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const countLimit = offset + limit + TOTAL_LOOKAHEAD;
  return {
    page: `SELECT ${plainTaskColumns(false)}, ${UPDATED_AT_KEY} AS "sortKey" FROM tasks t ${condition} ORDER BY t.updated_at DESC, t.id DESC
         LIMIT ${limit + 1} OFFSET ${offset}`,
    count: `SELECT count(*)::int AS total FROM (SELECT 1 FROM tasks t ${condition} LIMIT ${countLimit}) matches`,
    params,
    countLimit,
  };
}

/** tasks.repository.ts appendHistorySql with its entry parameter at `n`. */
const appendHistory = (n: string): string => `(SELECT COALESCE(jsonb_agg(entry ORDER BY position), '[]'::jsonb)
   FROM jsonb_array_elements(history || ${n}::jsonb) WITH ORDINALITY AS h(entry, position)
   WHERE position > jsonb_array_length(history) + 1 - 200)`;

/** POST /api/tasks/:id/status to `blocked`: $1 status, $2/$3 lease (null), $4 the history entry, $5 the id. */
export const UPDATE_STATUS_CLEARING_LEASE = `UPDATE "tasks" SET "status" = $1, "lease_holder_id" = $2, "lease_expires_at" = $3, "history" = ${appendHistory('$4')}, "version" = "version" + 1, "updated_at" = CURRENT_TIMESTAMP WHERE "id" = $5`;
/** POST /api/tasks/:id/status to `in_progress` (the lease stays): $1 status, $2 entry, $3 id. */
export const UPDATE_STATUS = `UPDATE "tasks" SET "status" = $1, "history" = ${appendHistory('$2')}, "version" = "version" + 1, "updated_at" = CURRENT_TIMESTAMP WHERE "id" = $3`;

/** tasks.repository.ts callbackOutboxSql: the outbox row of each task of `source` with a callback. */
const callbackOutbox = (
  source: string,
  occurredAt: string,
): string => `INSERT INTO callback_deliveries (id, task_id, event, url, body, secret_sealed)
    SELECT d.id, s.id, 'task.status_changed', s.callback_url,
      json_build_object('event', 'task.status_changed',
        'task', json_build_object('id', s.id, 'status', s.status, 'parentTaskId', s.parent_task_id,
          'lastOutput', s.last_output, 'lastExitCode', s.last_exit_code),
        'occurredAt', ${occurredAt}::text, 'deliveryId', d.id)::text,
      s.callback_secret_sealed
    FROM ${source} s CROSS JOIN LATERAL (SELECT gen_random_uuid() AS id) d
    WHERE s.callback_url IS NOT NULL AND s.callback_secret_sealed IS NOT NULL`;

/** The outbox row of a status change (TasksRepository.enqueueCallback): $1 the task id, $2 when. */
export const INSERT_CALLBACK_DELIVERY = callbackOutbox('(SELECT * FROM tasks WHERE id = $1)', '$2');

/** The claiming agent's teams and roles (TeamsRepository.membershipsOfAgent), read before the claim. */
export const AGENT_MEMBERSHIPS =
  'SELECT team_id AS "teamId", role_id AS "roleId" FROM team_members WHERE agent_id = $1';
/**
 * POST /api/tasks/claim without team or role filters (TaskQueueRepository.claim), one statement: $1 the
 * agent id, $2 lease seconds, $3 the history entry, $4 when, $5/$6 the memberships. Only the hub's fast path:
 * the bench sets no concurrency limits, so no candidate is ever gated (the hub's second, locked step).
 */
export const CLAIM = `WITH agent_limit AS MATERIALIZED (
         SELECT (SELECT max_concurrent_tasks FROM agents WHERE id = $1) AS max_active
       ), saturated_keys AS MATERIALIZED (
         SELECT l.concurrency_key FROM concurrency_limits l
         WHERE l.concurrency_key IS NOT NULL AND l.max_active <= (SELECT count(*) FROM tasks a
           WHERE a.concurrency_key = l.concurrency_key AND a.status IN ('assigned', 'in_progress'))
       ), saturated_teams AS MATERIALIZED (
         SELECT l.team_id FROM concurrency_limits l
         WHERE l.team_id IS NOT NULL AND l.max_active <= (SELECT count(*) FROM tasks a
           WHERE a.team_id = l.team_id AND a.status IN ('assigned', 'in_progress'))
       ), candidate AS (
         SELECT t.id, NULLIF(array_remove(ARRAY[
             CASE WHEN (SELECT max_active FROM agent_limit) IS NOT NULL THEN 'agent:' || $1 END,
             CASE WHEN EXISTS (SELECT 1 FROM concurrency_limits l WHERE l.concurrency_key = t.concurrency_key)
               THEN 'key:' || t.concurrency_key END,
             CASE WHEN EXISTS (SELECT 1 FROM concurrency_limits l WHERE l.team_id = t.team_id)
               THEN 'team:' || t.team_id END], NULL), '{}') AS gated_by
         FROM tasks t
         WHERE t.status = 'todo'
           AND (t.assigned_agent_id IS NULL OR t.assigned_agent_id = $1)
           AND (t.available_at IS NULL OR t.available_at <= now())
           AND (t.team_id IS NULL OR EXISTS (
             SELECT 1 FROM unnest($5::uuid[], $6::uuid[]) AS m(team_id, role_id)
             WHERE m.team_id = t.team_id AND (t.assigned_role_id IS NULL OR m.role_id = t.assigned_role_id)))
           AND NOT EXISTS (
             SELECT 1 FROM unnest(t.depends_on) AS d(id)
             WHERE NOT EXISTS (SELECT 1 FROM tasks x WHERE x.id = d.id AND x.status = 'completed')
               AND NOT EXISTS (SELECT 1 FROM archived_tasks a WHERE a.id = d.id AND a.status = 'completed'))
           AND NOT EXISTS (SELECT 1 FROM saturated_keys s WHERE s.concurrency_key = t.concurrency_key)
           AND NOT EXISTS (SELECT 1 FROM saturated_teams s WHERE s.team_id = t.team_id)
           AND CASE WHEN (SELECT max_active FROM agent_limit) IS NULL THEN true
             ELSE (SELECT count(*) FROM tasks a WHERE a.assigned_agent_id = $1 AND a.status IN ('assigned', 'in_progress'))
               < (SELECT max_active FROM agent_limit) END
         ORDER BY t.status, CASE t.priority WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END DESC, t.fair_rank ASC, t.created_at ASC
         LIMIT 1
         FOR UPDATE OF t SKIP LOCKED
       ), claimed AS (
         UPDATE tasks SET status = 'assigned', assigned_agent_id = $1, lease_holder_id = $1,
           lease_expires_at = now() + make_interval(secs => $2), history = ${appendHistory('$3')},
           version = version + 1, updated_at = now()
         FROM candidate WHERE tasks.id = candidate.id AND candidate.gated_by IS NULL
         RETURNING tasks.*
       ), outbox AS (${callbackOutbox('claimed', '$4')})
       SELECT ${TASK_SELECT} FROM claimed t`;

/** POST /api/auth/login: the user (UsersRepository.getByUsername). */
export const USER_ALIAS = 'user';
export const USER_BY_USERNAME = `SELECT ${select(USER_ALIAS, USER_COLUMNS)} FROM "users" "user" WHERE lower("user"."username") = lower($1)`;
/** The IP's standing (LoginAttemptsRepository.standing): $1 ip, $2 short window, $3 long window (seconds). */
export const IP_STANDING = `SELECT
         (SELECT banned_until FROM banned_ips WHERE ip = $1 AND banned_until > now()) AS banned_until,
         count(*) FILTER (WHERE attempted_at > now() - make_interval(secs => $2)) AS short_count,
         count(*) AS long_count,
         min(attempted_at) FILTER (WHERE attempted_at > now() - make_interval(secs => $2)) AS oldest_short
       FROM login_attempts
       WHERE ip = $1 AND attempted_at > now() - make_interval(secs => $3)`;
/** The audit row of a login (AuditRepository.append, inside its own transaction as TypeORM sends it). */
export const INSERT_AUDIT = `INSERT INTO "audit_logs"("id", "at", "actor_type", "actor_id", "username", "ip", "action", "target_type", "target_id", "outcome", "request_id", "details") VALUES (DEFAULT, DEFAULT, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`;
/** The refresh token of a login (RefreshTokensRepository.insert). */
export const INSERT_REFRESH_TOKEN = `INSERT INTO "refresh_tokens"("id", "user_id", "family_id", "token_hash", "user_token_version", "expires_at", "rotated_at", "revoked_at", "created_at") VALUES (DEFAULT, $1, $2, $3, $4, $5, DEFAULT, DEFAULT, DEFAULT) RETURNING "id", "created_at"`;
