import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, type QueryDeepPartialEntity, Repository } from 'typeorm';
import { definedOnly } from '../../common/defined-only.js';
import { containsPattern } from '../../database/like-pattern.js';
import { dependencyCycle } from './task-errors.js';
import { CallbackDeliveryEntity } from './callbacks/callback-delivery.entity.js';
import type { TaskHistoryEntry } from './task-columns.js';
import { TaskEntity } from './task.entity.js';
import type { TaskStatus } from './task-status.js';

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
  /** The new dependsOn/parent targets: refused (dependency_cycle) if the task is reachable from them. */
  noCycleThrough?: string[];
}

// Serialises changes of dependency edges, so two concurrent PATCHes cannot close a cycle between them.
const DEPENDENCY_LOCK_KEY = 7_316_427_401;

export interface TaskSearch {
  status?: TaskStatus[];
  priority?: string[];
  teamId?: string;
  agentId?: string;
  parentTaskId?: string;
  q?: string;
  createdFrom?: Date;
  createdTo?: Date;
  updatedFrom?: Date;
  updatedTo?: Date;
  sort: { column: 'createdAt' | 'updatedAt' | 'priority' | 'title'; direction: 'ASC' | 'DESC' };
  limit: number;
  offset: number;
}

/** Appends an entry and keeps the newest HISTORY_LIMIT, in SQL, so concurrent writers never lose one. */
export const APPEND_HISTORY_SQL = `(SELECT COALESCE(jsonb_agg(entry ORDER BY position), '[]'::jsonb)
   FROM jsonb_array_elements(history || :entry::jsonb) WITH ORDINALITY AS h(entry, position)
   WHERE position > jsonb_array_length(history) + 1 - ${HISTORY_LIMIT})`;

@Injectable()
export class TasksRepository {
  constructor(@InjectRepository(TaskEntity) private readonly tasks: Repository<TaskEntity>) {}

  getById(id: string): Promise<TaskEntity | null> {
    return this.tasks.findOneBy({ id });
  }

  async insert(values: TaskInsert, event: TaskHistoryEntry): Promise<TaskEntity> {
    // insert, never save: an id that exists must fail (409), not overwrite the task (the original's upsert bug).
    const row = { ...values, status: 'todo', history: [event] } as QueryDeepPartialEntity<TaskEntity>;
    await this.tasks.insert(row);
    return (await this.getById(values.id))!;
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

  search(filter: TaskSearch): Promise<[TaskEntity[], number]> {
    const query = this.tasks.createQueryBuilder('task');
    if (filter.status?.length) {
      query.andWhere('task.status IN (:...status)', { status: filter.status });
    }
    if (filter.priority?.length) {
      query.andWhere('task.priority IN (:...priority)', { priority: filter.priority });
    }
    const equal = { teamId: 'team_id', agentId: 'assigned_agent_id', parentTaskId: 'parent_task_id' } as const;
    for (const [key, column] of Object.entries(equal) as Array<[keyof typeof equal, string]>) {
      if (filter[key]) {
        query.andWhere(`task.${column} = :${key}`, { [key]: filter[key] });
      }
    }
    if (filter.q) {
      query.andWhere(`task.title ILIKE :q ESCAPE '\\'`, { q: containsPattern(filter.q) });
    }
    const ranges = [
      ['created_at', '>=', filter.createdFrom],
      ['created_at', '<=', filter.createdTo],
      ['updated_at', '>=', filter.updatedFrom],
      ['updated_at', '<=', filter.updatedTo],
    ] as const;
    ranges.forEach(([column, operator, value], index) => {
      if (value) {
        query.andWhere(`task.${column} ${operator} :range${index}`, { [`range${index}`]: value });
      }
    });
    const direction = filter.sort.direction;
    const count = query.clone().select('COUNT(*)::int', 'count').getRawOne<{ count: number }>();
    if (filter.sort.column === 'priority') {
      query.orderBy(
        `CASE task.priority WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END`,
        direction,
      );
    } else {
      query.orderBy(`task.${filter.sort.column}`, direction);
    }
    // The id breaks ties in the same direction, so (updated_at, id) / (created_at, id) indexes serve the order.
    const rows = query.addOrderBy('task.id', direction).limit(filter.limit).offset(filter.offset).getMany();
    // A plain COUNT(*): TypeORM's getManyAndCount counts DISTINCT ids, which costs a sort of every match.
    return Promise.all([rows, count.then((row) => row?.count ?? 0)]);
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
        (change.leaseExpired && !(before.leaseExpiresAt && before.leaseExpiresAt.getTime() < Date.now()))
      ) {
        return null;
      }
      if (change.noCycleThrough) {
        await manager.query('SELECT pg_advisory_xact_lock($1)', [DEPENDENCY_LOCK_KEY]);
        if (await this.reaches(change.noCycleThrough, id, manager)) {
          throw dependencyCycle(change.fields.dependsOn ? 'dependsOn' : 'parentTaskId');
        }
      }
      await manager
        .createQueryBuilder()
        .update(TaskEntity)
        .set({ ...definedOnly(change.fields), history: () => APPEND_HISTORY_SQL, version: () => 'version + 1' })
        .where('id = :id', { id, entry: JSON.stringify([change.event]) })
        .execute();
      const after = await manager.findOneByOrFail(TaskEntity, { id });
      if (after.status !== before.status && after.callbackUrl && after.callbackSecretSealed) {
        await this.enqueueCallback(manager, after, change.event.at);
      }
      return after;
    });
  }

  async delete(id: string): Promise<boolean> {
    const { affected } = await this.tasks.delete({ id });
    return (affected ?? 0) > 0;
  }

  /** Writes the outbox row for a status change (SPEC section 7 payload; the body is what gets signed). */
  async enqueueCallback(manager: EntityManager, task: TaskEntity, occurredAt: string): Promise<void> {
    const deliveryId = randomUUID();
    const body = JSON.stringify({
      event: 'task.status_changed',
      task: {
        id: task.id,
        status: task.status,
        parentTaskId: task.parentTaskId,
        lastOutput: task.lastOutput,
        lastExitCode: task.lastExitCode,
      },
      occurredAt,
      deliveryId,
    });
    await manager.insert(CallbackDeliveryEntity, {
      id: deliveryId,
      taskId: task.id,
      event: 'task.status_changed',
      url: task.callbackUrl!,
      body,
      secretSealed: task.callbackSecretSealed!,
    });
  }
}
