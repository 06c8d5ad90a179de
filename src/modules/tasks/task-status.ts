export const TASK_STATUSES = [
  'todo',
  'assigned',
  'in_progress',
  'blocked',
  'completed',
  'failed',
  'cancelled',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TASK_PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

/** SPEC section 12: anything not listed is refused with 409 `invalid_transition`. */
export const TRANSITIONS: Record<TaskStatus, readonly TaskStatus[]> = {
  todo: ['assigned', 'in_progress', 'blocked', 'cancelled'],
  assigned: ['in_progress', 'todo', 'blocked', 'cancelled'],
  in_progress: ['completed', 'failed', 'blocked', 'todo', 'cancelled'],
  blocked: ['todo', 'assigned', 'in_progress', 'cancelled'],
  failed: ['todo'],
  completed: [],
  cancelled: [],
};

/** Why the hub itself failed a task (`GET /api/tasks?status=failed&reason=attempts_exhausted`: the dead letters). */
export const FAILURE_REASONS = ['attempts_exhausted', 'timed_out'] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

export const FINISHED_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'cancelled'];

// The original hub's spellings (shared/reference/original-ananta-hub.md §2.4) and a few obvious others.
const ALIASES: Record<string, TaskStatus> = {
  'to-do': 'todo',
  to_do: 'todo',
  backlog: 'todo',
  open: 'todo',
  created: 'todo',
  'in-progress': 'in_progress',
  'in progress': 'in_progress',
  inprogress: 'in_progress',
  running: 'in_progress',
  started: 'in_progress',
  done: 'completed',
  complete: 'completed',
  finished: 'completed',
  canceled: 'cancelled',
  error: 'failed',
};

/** The canonical status for an input spelling, or undefined when it names no status. */
export function normalizeStatus(input: string): TaskStatus | undefined {
  const value = input.trim().toLowerCase();
  if ((TASK_STATUSES as readonly string[]).includes(value)) {
    return value as TaskStatus;
  }
  return ALIASES[value] ?? ALIASES[value.replace(/[-\s]+/g, '_')];
}

export const canTransition = (from: TaskStatus, to: TaskStatus): boolean => TRANSITIONS[from].includes(to);
