import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type pg from 'pg';
import type { Caller, Credentials } from './credentials.js';
import { fail, success } from './envelope.js';
import {
  type AliasedRow,
  CLAIM_CANDIDATE,
  CLAIM_UPDATE,
  INSERT_CALLBACK_DELIVERY,
  INSERT_TASK,
  TASK_BY_ID,
  TASK_BY_ID_ALIAS,
  TASK_BY_ID_FOR_UPDATE,
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

/** toTaskResponse of src/modules/tasks/dto/task.response.dto.ts, from TypeORM-aliased columns. */
function toTask(row: AliasedRow, alias: string): Record<string, unknown> {
  const column = (name: string): unknown => row[`${alias}_${name}`];
  const leaseExpiresAt = column('lease_expires_at') as Date | null;
  return {
    id: column('id'),
    title: column('title'),
    description: column('description'),
    status: column('status'),
    priority: column('priority'),
    teamId: column('team_id'),
    assignedAgentId: column('assigned_agent_id'),
    assignedRoleId: column('assigned_role_id'),
    parentTaskId: column('parent_task_id'),
    dependsOn: column('depends_on'),
    history: column('history'),
    lastOutput: column('last_output'),
    lastExitCode: column('last_exit_code'),
    callbackUrl: column('callback_url'),
    version: column('version'),
    leaseExpiresAt: leaseExpiresAt?.toISOString() ?? null,
    createdAt: (column('created_at') as Date).toISOString(),
    updatedAt: (column('updated_at') as Date).toISOString(),
  };
}

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
    const { rows } = await pool.query<AliasedRow>(TASK_BY_ID, [request.params.id]);
    return rows[0] ? success(reply, 200, toTask(rows[0], TASK_BY_ID_ALIAS)) : fail(reply, 404, 'task_not_found');
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
        pool.query<AliasedRow>(sql.page, values),
        pool.query<{ count: number }>(sql.count, values),
      ]);
      const items = page.rows.map((row) => toTask(row, sql.alias));
      return success(reply, 200, { items, total: count.rows[0].count, limit, offset });
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
      body.title,
      body.description ?? null,
      'todo',
      body.priority ?? 'medium',
      body.teamId ?? null,
      body.assignedRoleId ?? null,
      body.parentTaskId ?? null,
      [],
      JSON.stringify([historyEntry(caller, 'created', { title: body.title })]),
      null,
      null,
      id,
    ];
    await pool.query(INSERT_TASK, values);
    const { rows } = await pool.query<AliasedRow>(TASK_BY_ID, [id]);
    return success(reply, 201, toTask(rows[0], TASK_BY_ID_ALIAS));
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
      const before = (await pool.query<AliasedRow>(TASK_BY_ID, [id])).rows[0];
      if (!before) {
        return fail(reply, 404, 'task_not_found');
      }
      const from = before[`${TASK_BY_ID_ALIAS}_status`];
      if (!change || change.from !== from) {
        return fail(reply, 409, 'invalid_transition');
      }
      const entry = historyEntry(caller, 'status_changed', { from, to });
      const after = await inTransaction(pool, async (client) => {
        const locked = (await client.query<AliasedRow>(TASK_BY_ID_FOR_UPDATE, [id])).rows[0];
        if (locked?.[`${TASK_BY_ID_ALIAS}_status`] !== from) {
          return null;
        }
        await (change.clearsLease
          ? client.query(UPDATE_STATUS_CLEARING_LEASE, [to, null, null, JSON.stringify([entry]), id])
          : client.query(UPDATE_STATUS, [to, JSON.stringify([entry]), id]));
        const row = (await client.query<AliasedRow>(TASK_BY_ID, [id])).rows[0];
        await enqueueCallback(client, row, entry.at);
        return row;
      });
      return after ? success(reply, 200, toTask(after, TASK_BY_ID_ALIAS)) : fail(reply, 409, 'version_conflict');
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
      const task = await inTransaction(pool, async (client) => {
        const candidate = (await client.query<{ id: string }>(CLAIM_CANDIDATE, [caller.id])).rows[0];
        if (!candidate) {
          return null;
        }
        const values = ['assigned', caller.id, caller.id, leaseSeconds, JSON.stringify([entry]), candidate.id];
        await client.query(CLAIM_UPDATE, values);
        const row = (await client.query<AliasedRow>(TASK_BY_ID, [candidate.id])).rows[0];
        await enqueueCallback(client, row, entry.at);
        return row;
      });
      return task ? success(reply, 200, toTask(task, TASK_BY_ID_ALIAS)) : reply.code(204).send();
    },
  );
}

/** The outbox row, for tasks with a callback URL and secret, with the body the hub signs. */
async function enqueueCallback(client: pg.PoolClient, row: AliasedRow, occurredAt: string): Promise<void> {
  const column = (name: string): unknown => row[`${TASK_BY_ID_ALIAS}_${name}`];
  if (!column('callback_url') || !column('callback_secret_sealed')) {
    return;
  }
  const deliveryId = randomUUID();
  const body = JSON.stringify({
    event: 'task.status_changed',
    task: {
      id: column('id'),
      status: column('status'),
      parentTaskId: column('parent_task_id'),
      lastOutput: column('last_output'),
      lastExitCode: column('last_exit_code'),
    },
    occurredAt,
    deliveryId,
  });
  await client.query(INSERT_CALLBACK_DELIVERY, [
    deliveryId,
    column('id'),
    'task.status_changed',
    column('callback_url'),
    body,
    column('callback_secret_sealed'),
  ]);
}
