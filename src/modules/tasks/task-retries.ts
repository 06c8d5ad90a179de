import type { TaskHistoryEntry } from './task-columns.entity.js';
import type { FailureReason } from './task-status.js';
import type { TaskEntity } from './task.entity.js';
import type { TaskFields } from './tasks.repository.js';

/** Bounds of the retry settings: a day of backoff or a week of runtime is already beyond any agent's task. */
export const MAX_ATTEMPTS = 100;
export const MAX_RETRY_BACKOFF_SECONDS = 86_400;
export const MAX_TIMEOUT_SECONDS = 604_800;
/** The first retry's delay when a task names none. */
export const DEFAULT_RETRY_BACKOFF_SECONDS = 10;
/** No retry waits longer than this, however many attempts came before. */
export const MAX_RETRY_DELAY_SECONDS = 3_600;

/** What ended an attempt without success. */
export type FailureCause = 'failed' | 'lease_expired' | 'timed_out';

export type RetrySettings = Pick<TaskEntity, 'attempt' | 'maxAttempts' | 'retryBackoffSeconds' | 'status'>;

/**
 * The delay before attempt `attempt + 1`: the base doubled for every attempt before, capped, then "equal
 * jitter" (between half and all of it), so retries of tasks that failed together do not return together.
 */
export function retryDelaySeconds(baseSeconds: number, attempt: number, random: () => number = Math.random): number {
  const exponential = Math.min(MAX_RETRY_DELAY_SECONDS, baseSeconds * 2 ** (attempt - 1));
  return Math.max(1, Math.round(exponential * (0.5 + random() / 2)));
}

/** The fields and history entry of an attempt that ended without success, and whether it will be retried. */
export interface FailurePlan {
  fields: TaskFields;
  type: string;
  details: Record<string, unknown>;
}

const NO_WORKER = { assignedAgentId: null, leaseHolderId: null, leaseExpiresAt: null, startedAt: null } as const;

/**
 * What happens when an attempt ends without success. With attempts left (`maxAttempts` above 1), the task goes
 * back to `todo` with `attempt + 1`, claimable after the backoff. Without: it ends `failed`, with reason
 * `attempts_exhausted` when it had retries (the dead-letter list), `timed_out` for a single timed-out attempt.
 * Null for the two cases that stay as SPEC section 7 has them without retries: a reported failure is an
 * ordinary status change to `failed`, and an expired lease returns the task to `todo`, uncounted.
 */
export function failurePlan(
  task: RetrySettings,
  cause: FailureCause,
  now: Date,
  random?: () => number,
): FailurePlan | null {
  if (task.attempt < task.maxAttempts) {
    const delaySeconds = retryDelaySeconds(task.retryBackoffSeconds, task.attempt, random);
    const availableAt = new Date(now.getTime() + delaySeconds * 1000);
    return {
      fields: { status: 'todo', ...NO_WORKER, attempt: task.attempt + 1, availableAt },
      type: 'retry_scheduled',
      details: { cause, from: task.status, to: 'todo', attempt: task.attempt + 1, delaySeconds, availableAt },
    };
  }
  if (task.maxAttempts === 1 && cause !== 'timed_out') {
    return null;
  }
  const reason: FailureReason = task.maxAttempts > 1 ? 'attempts_exhausted' : 'timed_out';
  return {
    fields: { status: 'failed', ...NO_WORKER, failureReason: reason },
    type: cause === 'failed' ? 'status_changed' : cause,
    details: { cause, from: task.status, to: 'failed', reason, attempt: task.attempt },
  };
}

/** The history entry of a plan, by `actor` at `at`. */
export const planEntry = (plan: FailurePlan, base: TaskHistoryEntry): TaskHistoryEntry => ({
  ...base,
  type: plan.type,
  details: { ...base.details, ...plan.details },
});

/** A task re-queued by hand after it failed starts over: attempts, backoff and reason are reset. */
export const REQUEUE_FIELDS: TaskFields = { attempt: 1, availableAt: null, failureReason: null };
