import type { ModuleSchema } from '../../database/module-schema.js';
import { ArchivedTaskEntity } from './archived-task.entity.js';
import { CallbackDeliveryEntity } from './callbacks/callback-delivery.entity.js';
import { ConcurrencyKeyRankEntity, ConcurrencyLimitEntity } from './concurrency/concurrency-limit.entity.js';
import { CreateTasks1795661100000 } from './migrations/1795661100000-CreateTasks.js';
import { TaskListIndexes1795661300000 } from './migrations/1795661300000-TaskListIndexes.js';
import { TaskFilterIndex1795661500000 } from './migrations/1795661500000-TaskFilterIndex.js';
import { NotifyClaimableTasks1796300000000 } from './migrations/1796300000000-NotifyClaimableTasks.js';
import { TaskAttempts1796310000000 } from './migrations/1796310000000-TaskAttempts.js';
import { ConcurrencyLimits1796850000000 } from './migrations/1796850000000-ConcurrencyLimits.js';
import { TaskEntity } from './task.entity.js';

/** Tasks, the archive, the callback outbox and the queue's concurrency limits. */
export const TASKS_SCHEMA: ModuleSchema = {
  entities: [TaskEntity, ArchivedTaskEntity, CallbackDeliveryEntity, ConcurrencyLimitEntity, ConcurrencyKeyRankEntity],
  migrations: [
    CreateTasks1795661100000,
    TaskListIndexes1795661300000,
    TaskFilterIndex1795661500000,
    NotifyClaimableTasks1796300000000,
    TaskAttempts1796310000000,
    ConcurrencyLimits1796850000000,
  ],
};
