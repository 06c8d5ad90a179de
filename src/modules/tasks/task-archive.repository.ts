import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ArchivedTaskEntity } from './archived-task.entity.js';
import { TaskEntity } from './task.entity.js';

// Every column both tables share; moving a row copies exactly these.
const SHARED_COLUMNS = [
  'id',
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
  'created_at',
  'updated_at',
  'max_attempts',
  'attempt',
  'retry_backoff_seconds',
  'timeout_seconds',
  'available_at',
  'started_at',
  'failure_reason',
  'concurrency_key',
]
  .map((column) => `"${column}"`)
  .join(', ');

/** What a task points at in other modules' tables. */
export type TaskReferences = Pick<TaskEntity, 'teamId' | 'assignedAgentId' | 'assignedRoleId'>;

/** Moves tasks between `tasks` and `archived_tasks`, and purges the archive. */
@Injectable()
export class TaskArchiveRepository {
  constructor(@InjectRepository(ArchivedTaskEntity) private readonly archived: Repository<ArchivedTaskEntity>) {}

  getById(id: string): Promise<ArchivedTaskEntity | null> {
    return this.archived.findOneBy({ id });
  }

  list(limit: number, offset: number): Promise<[ArchivedTaskEntity[], number]> {
    return this.archived.findAndCount({ order: { archivedAt: 'DESC', id: 'ASC' }, take: limit, skip: offset });
  }

  /** Moves one task into the archive (one statement); false when there was no such task. */
  async archive(id: string): Promise<boolean> {
    const rows = await this.archived.query<unknown[]>(
      `WITH moved AS (DELETE FROM tasks WHERE id = $1 RETURNING ${SHARED_COLUMNS})
       INSERT INTO archived_tasks (${SHARED_COLUMNS}) SELECT ${SHARED_COLUMNS} FROM moved RETURNING id`,
      [id],
    );
    return rows.length === 1;
  }

  /**
   * Moves an archived task back with the given team, agent and role (the caller clears those that no longer
   * exist, since the active table enforces them); the status is kept. Null when there is no such archived task.
   */
  async restore(id: string, references: TaskReferences): Promise<TaskEntity | null> {
    return this.archived.manager.transaction(async (manager) => {
      const rows = await manager.query<unknown[]>(
        `WITH moved AS (DELETE FROM archived_tasks WHERE id = $1 RETURNING *)
         INSERT INTO tasks (${SHARED_COLUMNS})
         SELECT id, title, description, status, priority, $2, $3, $4,
           parent_task_id, depends_on, history, last_output, last_exit_code, callback_url, callback_secret_sealed,
           version + 1, NULL, NULL, created_at, now(),
           max_attempts, attempt, retry_backoff_seconds, timeout_seconds, available_at,
           -- A restored attempt under way counts its timeout from now, not from before it was archived.
           CASE WHEN status = 'in_progress' THEN now() END, failure_reason, concurrency_key
         FROM moved RETURNING id`,
        [id, references.teamId, references.assignedAgentId, references.assignedRoleId],
      );
      return rows.length === 1 ? manager.findOneByOrFail(TaskEntity, { id }) : null;
    });
  }

  /** The retention job: finished tasks untouched for `days` move to the archive. Returns how many moved. */
  async archiveFinishedOlderThan(days: number, batch = 1000): Promise<number> {
    const rows = await this.archived.query<unknown[]>(
      `WITH moved AS (
         DELETE FROM tasks WHERE id IN (
           SELECT id FROM tasks WHERE status IN ('completed', 'failed', 'cancelled')
             AND updated_at < now() - make_interval(days => $1) LIMIT $2)
         RETURNING ${SHARED_COLUMNS})
       INSERT INTO archived_tasks (${SHARED_COLUMNS}) SELECT ${SHARED_COLUMNS} FROM moved RETURNING id`,
      [days, batch],
    );
    return rows.length;
  }

  /** The retention job: archived tasks older than `days` are deleted for good. Returns how many. */
  async purgeOlderThan(days: number): Promise<number> {
    const rows = await this.archived.query<[unknown[], number]>(
      `DELETE FROM archived_tasks WHERE archived_at < now() - make_interval(days => $1) RETURNING id`,
      [days],
    );
    return rows[1];
  }
}
