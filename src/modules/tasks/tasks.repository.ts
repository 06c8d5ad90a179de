import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, Repository } from 'typeorm';
import { definedOnly } from '../../common/defined-only.js';
import { attemptHasTimedOut, leaseHasExpired } from './task-access.policy.js';
import { dependencyCycle } from './task-errors.js';
import type { TaskHistoryEntry } from './task-columns.entity.js';
import { TaskEntity } from './task.entity.js';
import type { TaskStatus } from './task-status.js';
import { type TaskSearch, taskSearchSql, TOTAL_LOOKAHEAD } from './task-search.js';

export const HISTORY_LIMIT = 200;

export type TaskInsert = Pick<
  TaskEntity,
  | 'id'
  | 'title'
  | 'description'
  | 'priority'
  | 'teamId'
  | 'assignedRoleId'
  | 'parentTaskId'
  | 'dependsOn'
  | 'callbackUrl'
  | 'callbackSecretSealed'
  | 'maxAttempts'
  | 'retryBackoffSeconds'
  | 'timeoutSeconds'
  | 'concurrencyKey'
>;

export type TaskFields = Partial<
  Pick<
    TaskEntity,
    | 'title'
    | 'description'
    | 'status'
    | 'priority'
    | 'teamId'
    | 'assignedAgentId'
    | 'assignedRoleId'
    | 'parentTaskId'
    | 'dependsOn'
    | 'lastOutput'
    | 'lastExitCode'
    | 'callbackUrl'
    | 'callbackSecretSealed'
    | 'leaseHolderId'
    | 'leaseExpiresAt'
    | 'maxAttempts'
    | 'attempt'
    | 'retryBackoffSeconds'
    | 'timeoutSeconds'
    | 'availableAt'
    | 'startedAt'
    | 'failureReason'
  >
>;

/** One change to a task: its fields, the history entry, and the conditions it depends on. */
export interface TaskChange {
  fields: TaskFields;
  event: TaskHistoryEntry;
  /** Optimistic concurrency: the version the caller read. */
  version?: number;
  /** The statuses the task must still be in (a transition checked against a state that may have moved). */
  fromStatuses?: readonly TaskStatus[];
  /** Apply only if the task's lease has run out (the lease-expiry job racing a renewal). */
  leaseExpired?: boolean;
  /** Apply only if the attempt under way has outlived its timeout (the timeout job racing a status report). */
  timedOut?: boolean;
  /** The new dependsOn/parent targets: refused (dependency_cycle) if the task is reachable from them. */
  noCycleThrough?: string[];
  /**
   * Decides the change from the task as locked (a retry depends on its attempt count at that moment); null
   * keeps `fields` and `event`.
   */
  decide?: (before: TaskEntity) => Pick<TaskChange, 'fields' | 'event'> | null;
}

// Serialises changes of dependency edges, so two concurrent PATCHes cannot close a cycle between them.
const DEPENDENCY_LOCK_KEY = 7_316_427_401;

/**
 * The history with the entries of `entry` (a JSON array parameter) appended, keeping the newest
 * HISTORY_LIMIT, in SQL, so concurrent writers never lose one.
 */
export const appendHistorySql = (
  entry: string,
): string => `(SELECT COALESCE(jsonb_agg(entry ORDER BY position), '[]'::jsonb)
   FROM jsonb_array_elements(history || ${entry}::jsonb) WITH ORDINALITY AS h(entry, position)
   WHERE position > jsonb_array_length(history) + 1 - ${HISTORY_LIMIT})`;

/** One page of a task search: the tasks, the printed sort key of each (for the cursor), and the count. */
export interface TaskSearchResult {
  rows: Array<TaskEntity & { sortKey: string }>;
  /** Matching tasks, counted up to `countLimit`. */
  total: number;
  totalIsExact: boolean;
  /** Whether tasks follow this page (one row beyond the limit was read). */
  more: boolean;
}

@Injectable()
export class TasksRepository {
  // Reads and inserts on the hot paths are plain SQL with the entity's own column list: TypeORM's query
  // building and hydration cost more CPU than the query itself (bench/README.md, "Where the time goes").
  private readonly columns: string;
  private readonly columnsWithoutHistory: string;

  constructor(@InjectRepository(TaskEntity) private readonly tasks: Repository<TaskEntity>) {
    const select = (columns: typeof tasks.metadata.columns): string =>
      columns.map((column) => `t."${column.databaseName}" AS "${column.propertyName}"`).join(', ');
    // Columns marked `select: false` (the trigger-kept fair_rank) stay out, as they do in TypeORM's reads.
    const readable = tasks.metadata.columns.filter((column) => column.isSelect);
    this.columns = select(readable);
    this.columnsWithoutHistory = select(readable.filter((column) => column.propertyName !== 'history'));
  }

  async getById(id: string): Promise<TaskEntity | null> {
    const [task] = await this.tasks.query<TaskEntity[]>(`SELECT ${this.columns} FROM tasks t WHERE t.id = $1`, [id]);
    return task ?? null;
  }

  async insert(values: TaskInsert, event: TaskHistoryEntry): Promise<TaskEntity> {
    // INSERT, never an upsert: an id that exists must fail (409), not overwrite the task (the original's bug).
    const [task] = await this.tasks.query<TaskEntity[]>(
      `INSERT INTO tasks AS t (id, title, description, priority, team_id, assigned_role_id, parent_task_id,
         depends_on, callback_url, callback_secret_sealed, max_attempts, retry_backoff_seconds, timeout_seconds,
         concurrency_key, status, history)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::uuid[], $9, $10, $11, $12, $13, $14, 'todo', $15::jsonb)
       RETURNING ${this.columns}`,
      [
        values.id,
        values.title,
        values.description,
        values.priority,
        values.teamId,
        values.assignedRoleId,
        values.parentTaskId,
        values.dependsOn,
        values.callbackUrl,
        values.callbackSecretSealed,
        values.maxAttempts,
        values.retryBackoffSeconds,
        values.timeoutSeconds,
        values.concurrencyKey,
        JSON.stringify([event]),
      ],
    );
    return task;
  }

  /** Ids among these that exist, as active or archived tasks. */
  async existingIds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) {
      return new Set();
    }
    const rows = await this.tasks.query<Array<{ id: string }>>(
      `SELECT id FROM tasks WHERE id = ANY($1::uuid[]) UNION SELECT id FROM archived_tasks WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return new Set(rows.map((row) => row.id));
  }

  /** Ids among these dependencies that are not completed (an archived completed task counts as completed). */
  async unfinishedDependencies(ids: string[]): Promise<string[]> {
    if (ids.length === 0) {
      return [];
    }
    const rows = await this.tasks.query<Array<{ id: string }>>(
      `SELECT d.id FROM unnest($1::uuid[]) AS d(id)
       WHERE NOT EXISTS (SELECT 1 FROM tasks t WHERE t.id = d.id AND t.status = 'completed')
         AND NOT EXISTS (SELECT 1 FROM archived_tasks a WHERE a.id = d.id AND a.status = 'completed')`,
      [ids],
    );
    return rows.map((row) => row.id);
  }

  /** Whether `taskId` can be reached from `targets` along dependsOn and parent edges (a cycle if linked). */
  async reaches(targets: string[], taskId: string, manager: EntityManager = this.tasks.manager): Promise<boolean> {
    if (targets.length === 0) {
      return false;
    }
    const rows = await manager.query<unknown[]>(
      `WITH RECURSIVE reachable(id) AS (
         SELECT unnest($1::uuid[])
         UNION
         SELECT next.id FROM reachable r
         JOIN tasks t ON t.id = r.id
         CROSS JOIN LATERAL (SELECT unnest(t.depends_on) UNION ALL SELECT t.parent_task_id) AS next(id)
         WHERE next.id IS NOT NULL
       )
       SELECT 1 FROM reachable WHERE id = $2 LIMIT 1`,
      [targets, taskId],
    );
    return rows.length > 0;
  }

  /**
   * A page of tasks and their count. The count stops at `offset + limit + TOTAL_LOOKAHEAD` matches: exact for
   * every list a person pages through, and never a scan of a million rows to say "more than a thousand".
   * Page and count run side by side on two connections.
   */
  async search(filter: TaskSearch): Promise<TaskSearchResult> {
    const { where, orderBy, sortKey, params } = taskSearchSql(filter);
    const columns = filter.withHistory ? this.columns : this.columnsWithoutHistory;
    const countLimit = (filter.after ? 0 : filter.offset) + filter.limit + TOTAL_LOOKAHEAD;
    const [rows, [{ total }]] = await Promise.all([
      this.tasks.query<TaskSearchResult['rows']>(
        `SELECT ${columns}, ${sortKey} AS "sortKey" FROM tasks t ${where} ${orderBy}
         LIMIT ${filter.limit + 1} OFFSET ${filter.after ? 0 : filter.offset}`,
        params,
      ),
      this.tasks.query<Array<{ total: number }>>(
        `SELECT count(*)::int AS total FROM (SELECT 1 FROM tasks t ${where} LIMIT ${countLimit}) matches`,
        params,
      ),
    ]);
    return {
      rows: rows.slice(0, filter.limit),
      total,
      totalIsExact: total < countLimit,
      more: rows.length > filter.limit,
    };
  }

  /**
   * Applies a change in one statement (fields, history, version + 1) and, when the status changed on a task
   * with a callback URL, writes the callback delivery in the same transaction (the outbox). Resolves to the
   * updated task, or null when the row no longer matches the expected version or status.
   */
  applyChange(id: string, change: TaskChange): Promise<TaskEntity | null> {
    return this.tasks.manager.transaction(async (manager) => {
      const before = await manager.findOne(TaskEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (
        !before ||
        (change.version !== undefined && before.version !== change.version) ||
        (change.fromStatuses && !change.fromStatuses.includes(before.status)) ||
        (change.leaseExpired && !leaseHasExpired(before, new Date())) ||
        (change.timedOut && !attemptHasTimedOut(before, new Date()))
      ) {
        return null;
      }
      const { fields, event } = change.decide?.(before) ?? change;
      if (change.noCycleThrough) {
        await manager.query('SELECT pg_advisory_xact_lock($1)', [DEPENDENCY_LOCK_KEY]);
        if (await this.reaches(change.noCycleThrough, id, manager)) {
          throw dependencyCycle(fields.dependsOn ? 'dependsOn' : 'parentTaskId');
        }
      }
      await manager
        .createQueryBuilder()
        .update(TaskEntity)
        .set({ ...definedOnly(fields), history: () => appendHistorySql(':entry'), version: () => 'version + 1' })
        .where('id = :id', { id, entry: JSON.stringify([event]) })
        .execute();
      const after = await manager.findOneByOrFail(TaskEntity, { id });
      if (after.status !== before.status && after.callbackUrl && after.callbackSecretSealed) {
        await this.enqueueCallback(manager, after, event.at);
      }
      return after;
    });
  }

  async delete(id: string): Promise<boolean> {
    const { affected } = await this.tasks.delete({ id });
    return (affected ?? 0) > 0;
  }

  /** Writes the outbox row for a status change of the task (in the change's transaction). */
  async enqueueCallback(manager: EntityManager, task: TaskEntity, occurredAt: string): Promise<void> {
    await manager.query(callbackOutboxSql('(SELECT * FROM tasks WHERE id = $1)', '$2'), [task.id, occurredAt]);
  }

  /** The task columns selected from `t`, named as the entity's properties (for plain-SQL statements). */
  selectColumns(): string {
    return this.columns;
  }
}

/**
 * The outbox row of a status change, for each task of `source` (snake_case task rows) that has a callback
 * URL and secret: SPEC section 7's payload, built in the statement that changes the status, so the claim can
 * do both in one round trip. The body is stored as sent and signed; `deliveryId` is the row's id.
 */
export function callbackOutboxSql(source: string, occurredAt: string): string {
  return `INSERT INTO callback_deliveries (id, task_id, event, url, body, secret_sealed)
    SELECT d.id, s.id, 'task.status_changed', s.callback_url,
      json_build_object('event', 'task.status_changed',
        'task', json_build_object('id', s.id, 'status', s.status, 'parentTaskId', s.parent_task_id,
          'lastOutput', s.last_output, 'lastExitCode', s.last_exit_code),
        'occurredAt', ${occurredAt}::text, 'deliveryId', d.id)::text,
      s.callback_secret_sealed
    FROM ${source} s CROSS JOIN LATERAL (SELECT gen_random_uuid() AS id) d
    WHERE s.callback_url IS NOT NULL AND s.callback_secret_sealed IS NOT NULL`;
}
