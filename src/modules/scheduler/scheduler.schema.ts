import type { ModuleSchema } from '../../database/module-schema.js';
import { CreateSchedulerAndSystem1795661200000 } from './migrations/1795661200000-CreateSchedulerAndSystem.js';
import { ManualScheduledRuns1795661400000 } from './migrations/1795661400000-ManualScheduledRuns.js';
import { ScheduleOverlapPolicy1796500000000 } from './migrations/1796500000000-ScheduleOverlapPolicy.js';
import { ScheduleCatchupWindow1796900000000 } from './migrations/1796900000000-ScheduleCatchupWindow.js';
import { ScheduledTaskRunEntity } from './scheduled-task-run.entity.js';
import { ScheduledTaskEntity } from './scheduled-task.entity.js';
import { SystemJobRunEntity } from './system-job-run.entity.js';

/**
 * Scheduled tasks, their runs and the system jobs' claims. Its first migration predates per-module schemas
 * and also created the system module's config and stats tables; it stays whole, since installations have
 * applied it by name.
 */
export const SCHEDULER_SCHEMA: ModuleSchema = {
  entities: [ScheduledTaskEntity, ScheduledTaskRunEntity, SystemJobRunEntity],
  migrations: [
    CreateSchedulerAndSystem1795661200000,
    ManualScheduledRuns1795661400000,
    ScheduleOverlapPolicy1796500000000,
    ScheduleCatchupWindow1796900000000,
  ],
};
