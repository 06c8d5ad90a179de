import type { RequestContext } from '../../common/auth/request-context.js';
import { ForbiddenError, ValidationFailedError } from '../../common/errors/domain-errors.js';
import { notYourTask } from './task-errors.js';
import type { TaskEntity } from './task.entity.js';

/*
 * The tasks module's access rules that depend on the caller and the task's data. Who may call a route at all
 * is the route level's business (archive, restore, assign and unassign are `@PeopleOrHubToken`). Pure: the services load what a rule needs and act on its answer.
 */

/** Agents change only tasks assigned to them; people (and the hub token) any task. */
export function assertMayChange(ctx: RequestContext, task: Pick<TaskEntity, 'assignedAgentId'>): void {
  if (ctx.principal.kind === 'agent' && task.assignedAgentId !== ctx.principal.id) {
    throw notYourTask();
  }
}

/** Who a claim is for; `named` when an administrator named the agent, whose existence the caller must check. */
export interface Claimant {
  agentId: string;
  named: boolean;
}

/** An agent claims for itself; the hub token or an admin claims on behalf of the agent it names. */
export function claimantOf(ctx: RequestContext, agentId?: string): Claimant {
  if (ctx.principal.kind === 'agent') {
    if (agentId && agentId !== ctx.principal.id) {
      throw new ForbiddenError('An agent may only claim for itself');
    }
    return { agentId: ctx.principal.id, named: false };
  }
  if (!ctx.isAdmin) {
    throw new ForbiddenError('Only agents (or the hub token and admins, naming an agent) claim tasks');
  }
  if (!agentId) {
    throw new ValidationFailedError([
      { field: 'agentId', message: 'agentId is required when an administrator claims' },
    ]);
  }
  return { agentId, named: true };
}

/**
 * Whose lease a renewal extends: an agent renews its own (refused later if it holds none); anyone else
 * renews the current holder's. Null when nobody holds a lease to renew.
 */
export function leaseToRenew(ctx: RequestContext, task: Pick<TaskEntity, 'leaseHolderId'>): string | null {
  return ctx.principal.kind === 'agent' ? ctx.principal.id : task.leaseHolderId;
}

/** A lease has expired once its end lies in the past; a task without a lease has none to expire. */
export const leaseHasExpired = (task: Pick<TaskEntity, 'leaseExpiresAt'>, now: Date): boolean =>
  task.leaseExpiresAt !== null && task.leaseExpiresAt.getTime() < now.getTime();

/** An attempt has timed out once it has been `in_progress` longer than the task's `timeoutSeconds`. */
export const attemptHasTimedOut = (
  task: Pick<TaskEntity, 'status' | 'startedAt' | 'timeoutSeconds'>,
  now: Date,
): boolean =>
  task.status === 'in_progress' &&
  task.startedAt !== null &&
  task.timeoutSeconds !== null &&
  task.startedAt.getTime() + task.timeoutSeconds * 1000 < now.getTime();
