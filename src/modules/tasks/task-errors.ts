import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationFailedError,
} from '../../common/errors/domain-errors.js';
import type { TaskStatus } from './task-status.js';

export const taskNotFound = (): NotFoundError => new NotFoundError('task');

export const versionConflict = (): ConflictError =>
  new ConflictError('The task was changed by someone else; read it again and retry', 'version_conflict');

export const invalidTransition = (from: TaskStatus, to: TaskStatus): ConflictError =>
  new ConflictError(`A task cannot go from ${from} to ${to}`, 'invalid_transition', { from, to });

export const leaseNotHeld = (): ConflictError =>
  new ConflictError('The caller holds no active lease on this task', 'lease_not_held');

export const notYourTask = (): ForbiddenError => new ForbiddenError('An agent may only change tasks assigned to it');

export const unknownTasks = (field: string, ids: string[]): ValidationFailedError =>
  new ValidationFailedError(
    ids.map((id) => ({ field, message: `${field} names an unknown task: ${id}` })),
    'Unknown task ids',
  );

/** 400 `dependency_cycle`: the change would let a task (transitively) depend on or descend from itself. */
export const dependencyCycle = (field: string): ValidationFailedError =>
  new ValidationFailedError(
    [{ field, message: 'The change would create a dependency cycle' }],
    'Dependency cycle',
    'dependency_cycle',
  );
