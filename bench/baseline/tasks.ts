import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type pg from 'pg';
import type { Caller, Credentials } from './credentials.js';
import { fail, success } from './envelope.js';
import {
  type AliasedRow,
  AGENT_MEMBERSHIPS,
  CLAIM,
  ENTITY_ALIAS,
  ENTITY_BY_ID,
  ENTITY_BY_ID_FOR_UPDATE,
  INSERT_CALLBACK_DELIVERY,
  INSERT_TASK,
  TASK_BY_ID,
  type TaskListFilter,
  taskListQueries,
  UPDATE_STATUS,
  UPDATE_STATUS_CLEARING_LEASE,
} from './queries.js';
import { inTransaction } from './transaction.js';

const PRIORITIES = ['low', 'medium', 'high', 'critical'];
const UUID = { type: 'string', format: 'uuid' } as const;
const nullable = (schema: object) => ({ anyOf: [schema, { type: 'null' }] });
// The body of POST /api/tasks with the hub's limits; unknown fields are refused, as the hub's ValidationPipe does.
const CREATE_TASK_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['title'],
  properties: {
    id: UUID,
    title: { type: 'string', minLength: 1, maxLength: 200 },
    description: nullable({ type: 'string', maxLength: 65_536 }),
    priority: { type: 'string', enum: PRIORITIES },
    teamId: nullable(UUID),
    assignedRoleId: nullable(UUID),
    parentTaskId: nullable(UUID),
  },
} as const;
const STATUS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['status'],
  properties: { status: { type: 'string', minLength: 1, maxLength: 32 } },
} as const;
const CLAIM_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: { leaseSeconds: { type: 'integer', minimum: 10, maximum: 3600 } },
} as const;
const ID_PARAMS = { type: 'object', properties: { id: UUID }, required: ['id'] } as const;
const LIST_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string' },
    priority: { type: 'string' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    offset: { type: 'integer', minimum: 0, default: 0 },
  },
} as const;

/** The two status changes of the benchmark's pool; the hub allows both ways (in_progress ↔ blocked). */
const STATUS_CHANGES: Record<string, { from: string; clearsLease: boolean }> = {
  blocked: { from: 'in_progress', clearsLease: true },
  in_progress: { from: 'blocked', clearsLease: false },
};
const DEFAULT_LEASE_SECONDS = 120;

/** A row of the hub's plain-SQL statements: the entity's columns named as its properties. */
type TaskRow = Record<string, unknown>;

/** toTaskListItem / toTaskResponse of src/modules/tasks/dto/task.response.dto.ts. */
function toTask(row: TaskRow): Record<string, unknown> {
  const task: Record<string, unknown> = {
    id: row.id,
    title: row.title,
    description: row.description,
    status: row.status,
    priority: row.priority,
    teamId: row.teamId,
    assignedAgentId: row.assignedAgentId,
    assignedRoleId: row.assignedRoleId,
    parentTaskId: row.parentTaskId,
    dependsOn: row.dependsOn,
    lastOutput: row.lastOutput,
    lastExitCode: row.lastExitCode,
    callbackUrl: row.callbackUrl,
    version: row.version,
    leaseExpiresAt: (row.leaseExpiresAt as Date | null)?.toISOString() ?? null,
    attempt: row.attempt,
    maxAttempts: row.maxAttempts,
    retryBackoffSeconds: row.retryBackoffSeconds,
    timeoutSeconds: row.timeoutSeconds,
    availableAt: (row.availableAt as Date | null)?.toISOString() ?? null,
    startedAt: (row.startedAt as Date | null)?.toISOString() ?? null,
    failureReason: row.failureReason,
    concurrencyKey: row.concurrencyKey,
    createdAt: (row.createdAt as Date).toISOString(),
    updatedAt: (row.updatedAt as Date).toISOString(),
  };
  if (row.history !== undefined) {
    task.history = row.history;
  }
  return task;
}

/** The same answer from the TypeORM-aliased row the change's transaction re-reads. */
const entityRow = (row: AliasedRow): TaskRow =>
  Object.fromEntries(
    Object.entries(row).map(([key, value]) => [
      key.slice(ENTITY_ALIAS.length + 1).replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase()),
      value,
    ]),
  );

const encodeCursor = (sort: string, key: string, id: string): string =>
  Buffer.from(JSON.stringify([sort, key, id]), 'utf8').toString('base64url');

interface HistoryEntry {
  at: string;
  type: string;
  actor: { type: string; id: string; name: string };
  details: Record<string, unknown>;
}

const historyEntry = (caller: Caller, type: string, details: Record<string, unknown>): HistoryEntry => ({
  at: new Date().toISOString(),
  type,
  actor: { type: caller.kind, id: caller.id, name: caller.kind === 'user' ? caller.username : caller.name },
  details,
});

interface CreateTaskBody {
  id?: string;
  title: string;
  description?: string | null;
  priority?: string;
  teamId?: string | null;
  assignedRoleId?: string | null;
  parentTaskId?: string | null;
}

const list = (value: string | undefined): string[] | undefined =>
  value
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** The task endpoints of the benchmark, each with the hub's SQL, checks and answer. */
export function registerTaskRoutes(app: FastifyInstance, pool: pg.Pool, credentials: Credentials): void {
  const authenticate = async (authorization: string | undefined, reply: FastifyReply): Promise<Caller | null> => {
    const caller = await credentials.caller(authorization);
    if (!caller) {
      fail(reply, 401, 'unauthenticated', 'Authentication required');
    }
    return caller;
  };

  app.get<{ Params: { id: string } }>('/api/tasks/:id', { schema: { params: ID_PARAMS } }, async (request, reply) => {
    if (!(await authenticate(request.headers.authorization, reply))) {
      return reply;
    }
    const { rows } = await pool.query<TaskRow>(TASK_BY_ID, [request.params.id]);
    return rows[0] ? success(reply, 200, toTask(rows[0])) : fail(reply, 404, 'task_not_found');
  });

  app.get<{ Querystring: { status?: string; priority?: string; limit: number; offset: number } }>(
    '/api/tasks',
    { schema: { querystring: LIST_QUERY } },
    async (request, reply) => {
      if (!(await authenticate(request.headers.authorization, reply))) {
        return reply;
      }
      const { limit, offset } = request.query;
      const filter: TaskListFilter = { status: list(request.query.status), priority: list(request.query.priority) };
      const sql = taskListQueries(filter, limit, offset);
      const values = sql.params.length ? sql.params : undefined;
      const [page, count] = await Promise.all([
        pool.query<TaskRow & { sortKey: string }>(sql.page, values),
        pool.query<{ total: number }>(sql.count, values),
      ]);
      const rows = page.rows.slice(0, limit);
      const last = rows.at(-1);
      const total = count.rows[0].total;
      return success(reply, 200, {
        items: rows.map(toTask),
        total,
        totalIsExact: total < sql.countLimit,
        limit,
        offset,
        nextCursor:
          page.rows.length > limit && last ? encodeCursor('-updatedAt', last.sortKey, last.id as string) : null,
      });
    },
  );

  app.post<{ Body: CreateTaskBody }>('/api/tasks', { schema: { body: CREATE_TASK_SCHEMA } }, async (request, reply) => {
    const caller = await authenticate(request.headers.authorization, reply);
    if (!caller) {
      return reply;
    }
    const body = request.body;
    const id = body.id ?? randomUUID();
    const values = [
      id,
      body.title,
      body.description ?? null,
      body.priority ?? 'medium',
      body.teamId ?? null,
      body.assignedRoleId ?? null,
      body.parentTaskId ?? null,
      [],
      null,
      null,
      1,
      10,
      null,
      null,
      JSON.stringify([historyEntry(caller, 'created', { title: body.title })]),
    ];
    const { rows } = await pool.query<TaskRow>(INSERT_TASK, values);
    return success(reply, 201, toTask(rows[0]));
  });

  app.post<{ Params: { id: string }; Body: { status: string } }>(
    '/api/tasks/:id/status',
    { schema: { params: ID_PARAMS, body: STATUS_SCHEMA } },
    async (request, reply) => {
      const caller = await authenticate(request.headers.authorization, reply);
      if (!caller) {
        return reply;
      }
      const { id } = request.params;
      const to = request.body.status;
      const change = STATUS_CHANGES[to];
      const before = (await pool.query<TaskRow>(TASK_BY_ID, [id])).rows[0];
      if (!before) {
        return fail(reply, 404, 'task_not_found');
      }
      const from = before.status;
      if (!change || change.from !== from) {
        return fail(reply, 409, 'invalid_transition');
      }
      const entry = historyEntry(caller, 'status_changed', { from, to });
      const after = await inTransaction(pool, async (client) => {
        const locked = (await client.query<AliasedRow>(ENTITY_BY_ID_FOR_UPDATE, [id])).rows[0];
        if (locked?.[`${ENTITY_ALIAS}_status`] !== from) {
          return null;
        }
        await (change.clearsLease
          ? client.query(UPDATE_STATUS_CLEARING_LEASE, [to, null, null, JSON.stringify([entry]), id])
          : client.query(UPDATE_STATUS, [to, JSON.stringify([entry]), id]));
        const row = entityRow((await client.query<AliasedRow>(ENTITY_BY_ID, [id])).rows[0]);
        if (row.callbackUrl && row.callbackSecretSealed) {
          await client.query(INSERT_CALLBACK_DELIVERY, [id, entry.at]);
        }
        return row;
      });
      return after ? success(reply, 200, toTask(after)) : fail(reply, 409, 'version_conflict');
    },
  );

  app.post<{ Body: { leaseSeconds?: number } | undefined }>(
    '/api/tasks/claim',
    { schema: { body: CLAIM_SCHEMA } },
    async (request, reply) => {
      const caller = await authenticate(request.headers.authorization, reply);
      if (!caller) {
        return reply;
      }
      if (caller.kind !== 'agent') {
        return fail(reply, 403, 'forbidden');
      }
      const leaseSeconds = request.body?.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
      const entry = historyEntry(caller, 'claimed', { agentId: caller.id, leaseSeconds });
      const memberships = await pool.query<{ teamId: string; roleId: string }>(AGENT_MEMBERSHIPS, [caller.id]);
      const { rows } = await pool.query<TaskRow>({
        // Prepared once per connection, as the hub prepares it (PreparedStatementsService).
        name: 'task_claim',
        text: CLAIM,
        values: [
          caller.id,
          leaseSeconds,
          JSON.stringify([entry]),
          entry.at,
          memberships.rows.map((row) => row.teamId),
          memberships.rows.map((row) => row.roleId),
        ],
      });
      return rows[0] ? success(reply, 200, toTask(rows[0])) : reply.code(204).send();
    },
  );
}
