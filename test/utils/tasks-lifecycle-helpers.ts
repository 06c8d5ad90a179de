import type { TaskPriority, TaskStatus } from './payloads.js';

// What the task tests expect of tasks (SPEC sections 7 and 12), written down independently of the hub's code.

/** Exactly the fields a task object carries (SPEC section 12), sorted. */
export const TASK_FIELDS = [
  'assignedAgentId',
  'assignedRoleId',
  'attempt',
  'availableAt',
  'callbackUrl',
  'concurrencyKey',
  'createdAt',
  'dependsOn',
  'description',
  'failureReason',
  'history',
  'id',
  'lastExitCode',
  'lastOutput',
  'leaseExpiresAt',
  'maxAttempts',
  'parentTaskId',
  'priority',
  'retryBackoffSeconds',
  'startedAt',
  'status',
  'teamId',
  'timeoutSeconds',
  'title',
  'updatedAt',
  'version',
];

export const STATUSES: readonly TaskStatus[] = [
  'todo',
  'assigned',
  'in_progress',
  'blocked',
  'completed',
  'failed',
  'cancelled',
];

/** SPEC section 12, copied from the text (not imported from src): anything else is 409 invalid_transition. */
export const ALLOWED_TRANSITIONS: Record<TaskStatus, readonly TaskStatus[]> = {
  todo: ['assigned', 'in_progress', 'blocked', 'cancelled'],
  assigned: ['in_progress', 'todo', 'blocked', 'cancelled'],
  in_progress: ['completed', 'failed', 'blocked', 'todo', 'cancelled'],
  blocked: ['todo', 'assigned', 'in_progress', 'cancelled'],
  failed: ['todo'],
  completed: [],
  cancelled: [],
};

/** The shortest allowed path from a new (todo) task to each status. */
export const PATH_TO: Record<TaskStatus, readonly TaskStatus[]> = {
  todo: [],
  assigned: ['assigned'],
  in_progress: ['in_progress'],
  blocked: ['blocked'],
  completed: ['in_progress', 'completed'],
  failed: ['in_progress', 'failed'],
  cancelled: ['cancelled'],
};

export const PRIORITY_RANK: Record<TaskPriority, number> = { low: 1, medium: 2, high: 3, critical: 4 };

/** A date one millisecond after an ISO timestamp. */
export const plusMs = (iso: string, ms: number): string => new Date(new Date(iso).getTime() + ms).toISOString();
