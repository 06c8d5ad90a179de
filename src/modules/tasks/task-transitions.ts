import { invalidTransition } from './task-errors.js';
import { FINISHED_STATUSES, type TaskStatus } from './task-status.js';
import type { TaskFields } from './tasks.repository.js';

/*
 * What each workflow step writes besides the history entry, as pure functions of the task's current status.
 * Whether a status change is allowed at all is the table in task-status.ts.
 */

const NO_LEASE = { leaseHolderId: null, leaseExpiresAt: null } as const;

/** The fields of a status change to `to`, with the worker's output and exit code. */
export function statusChangeFields(to: TaskStatus, output?: string, exitCode?: number): TaskFields {
  return {
    status: to,
    lastOutput: output,
    lastExitCode: exitCode,
    // Nobody works on a finished, blocked or returned task, so its lease ends with the change.
    ...(FINISHED_STATUSES.includes(to) || to === 'todo' || to === 'blocked' ? NO_LEASE : {}),
    ...(to === 'todo' ? { assignedAgentId: null } : {}),
  };
}

/**
 * Assigning a task to an agent: a waiting (todo or blocked) task becomes `assigned`, one in progress stays
 * so; a finished task is refused (409 invalid_transition). Any lease ends: the new agent has not claimed it.
 */
export function assignmentFields(from: TaskStatus, agentId: string): TaskFields {
  if (FINISHED_STATUSES.includes(from)) {
    throw invalidTransition(from, 'assigned');
  }
  const status: TaskStatus = from === 'todo' || from === 'blocked' ? 'assigned' : from;
  return { status, assignedAgentId: agentId, ...NO_LEASE };
}

/** Taking a task away from its agent: assigned or in-progress work goes back to `todo`; other statuses stay. */
export function unassignmentFields(from: TaskStatus): TaskFields {
  const status: TaskStatus = from === 'assigned' || from === 'in_progress' ? 'todo' : from;
  return { status, assignedAgentId: null, ...NO_LEASE };
}

/** The statuses a lease can run out in: the ones a claim or an assignment leads to. */
export const LEASED_STATUSES: readonly TaskStatus[] = ['assigned', 'in_progress'];

/** An expired lease returns the task to the queue, for anyone to claim. */
export const LEASE_EXPIRED_FIELDS: TaskFields = { status: 'todo', assignedAgentId: null, ...NO_LEASE };
