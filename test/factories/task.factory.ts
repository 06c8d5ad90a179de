import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { TaskHistoryEntry } from '../../src/modules/tasks/task-columns.entity.js';
import type { TaskPriority, TaskStatus } from '../../src/modules/tasks/task-status.js';
import { TaskEntity } from '../../src/modules/tasks/task.entity.js';
import { TasksRepository } from '../../src/modules/tasks/tasks.repository.js';

let sequence = 0;

/** A history entry as the hub writes them, by a system actor unless told otherwise. */
export const buildHistoryEntry = (type = 'created', details: Record<string, unknown> = {}): TaskHistoryEntry => ({
  at: new Date().toISOString(),
  type,
  actor: { type: 'system', id: 'factory', name: null },
  details,
});

/** A task as the repository returns it, for unit tests: a new todo task unless overridden. */
export function buildTask(overrides: Partial<TaskEntity> = {}): TaskEntity {
  sequence += 1;
  const now = new Date();
  return Object.assign(new TaskEntity(), {
    id: randomUUID(),
    title: `Task ${sequence}`,
    description: null,
    status: 'todo',
    priority: 'medium',
    teamId: null,
    assignedAgentId: null,
    assignedRoleId: null,
    parentTaskId: null,
    dependsOn: [],
    history: [buildHistoryEntry()],
    lastOutput: null,
    lastExitCode: null,
    callbackUrl: null,
    callbackSecretSealed: null,
    version: 1,
    leaseHolderId: null,
    leaseExpiresAt: null,
    maxAttempts: 1,
    attempt: 1,
    retryBackoffSeconds: 10,
    timeoutSeconds: null,
    availableAt: null,
    startedAt: null,
    failureReason: null,
    concurrencyKey: null,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  } satisfies TaskEntity);
}

export interface TaskRowOverrides {
  id?: string;
  title?: string;
  priority?: TaskPriority;
  teamId?: string | null;
  assignedRoleId?: string | null;
  parentTaskId?: string | null;
  dependsOn?: string[];
  callbackUrl?: string | null;
  callbackSecretSealed?: string | null;
  maxAttempts?: number;
  retryBackoffSeconds?: number;
  timeoutSeconds?: number | null;
  concurrencyKey?: string | null;
  /** State the API reaches only through several steps, written straight into the row. */
  status?: TaskStatus;
  assignedAgentId?: string | null;
  leaseHolderId?: string | null;
  leaseExpiresAt?: Date | null;
  createdSecondsAgo?: number;
}

/**
 * Inserts a task through the hub's own repository (as POST /api/tasks would), then sets the state fields
 * asked for in SQL. Returns the stored task.
 */
export async function createTask(source: DataSource, overrides: TaskRowOverrides = {}): Promise<TaskEntity> {
  sequence += 1;
  const repository = new TasksRepository(source.getRepository(TaskEntity));
  const task = await repository.insert(
    {
      id: overrides.id ?? randomUUID(),
      title: overrides.title ?? `Task ${sequence}`,
      description: null,
      priority: overrides.priority ?? 'medium',
      teamId: overrides.teamId ?? null,
      assignedRoleId: overrides.assignedRoleId ?? null,
      parentTaskId: overrides.parentTaskId ?? null,
      dependsOn: overrides.dependsOn ?? [],
      callbackUrl: overrides.callbackUrl ?? null,
      callbackSecretSealed: overrides.callbackSecretSealed ?? null,
      maxAttempts: overrides.maxAttempts ?? 1,
      retryBackoffSeconds: overrides.retryBackoffSeconds ?? 10,
      timeoutSeconds: overrides.timeoutSeconds ?? null,
      concurrencyKey: overrides.concurrencyKey ?? null,
    },
    buildHistoryEntry('created', { title: overrides.title }),
  );
  const { status, assignedAgentId, leaseHolderId, leaseExpiresAt, createdSecondsAgo } = overrides;
  if ([status, assignedAgentId, leaseHolderId, leaseExpiresAt, createdSecondsAgo].every((v) => v === undefined)) {
    return task;
  }
  await source.query(
    `UPDATE tasks SET status = COALESCE($2, status),
       assigned_agent_id = CASE WHEN $3 THEN $4::uuid ELSE assigned_agent_id END,
       lease_holder_id = CASE WHEN $5 THEN $6::uuid ELSE lease_holder_id END,
       lease_expires_at = CASE WHEN $7 THEN $8::timestamptz ELSE lease_expires_at END,
       created_at = CASE WHEN $9::int IS NULL THEN created_at ELSE now() - make_interval(secs => $9::int) END
     WHERE id = $1`,
    [
      task.id,
      status ?? null,
      assignedAgentId !== undefined,
      assignedAgentId ?? null,
      leaseHolderId !== undefined,
      leaseHolderId ?? null,
      leaseExpiresAt !== undefined,
      leaseExpiresAt ?? null,
      createdSecondsAgo ?? null,
    ],
  );
  return (await repository.getById(task.id))!;
}
