import { CreateUsers1795660800000 } from './1795660800000-CreateUsers.js';
import { CreateIdentityAndAudit1795660900000 } from './1795660900000-CreateIdentityAndAudit.js';
import { CreateAgentsTeamsTemplates1795661000000 } from './1795661000000-CreateAgentsTeamsTemplates.js';
import { CreateTasks1795661100000 } from './1795661100000-CreateTasks.js';
import { CreateSchedulerAndSystem1795661200000 } from './1795661200000-CreateSchedulerAndSystem.js';
import { TaskListIndexes1795661300000 } from './1795661300000-TaskListIndexes.js';
import { ManualScheduledRuns1795661400000 } from './1795661400000-ManualScheduledRuns.js';
import { TaskFilterIndex1795661500000 } from './1795661500000-TaskFilterIndex.js';

/** Every migration, oldest first; an explicit list so a renamed file is a compile error, not a skipped step. */
export const migrations = [
  CreateUsers1795660800000,
  CreateIdentityAndAudit1795660900000,
  CreateAgentsTeamsTemplates1795661000000,
  CreateTasks1795661100000,
  CreateSchedulerAndSystem1795661200000,
  TaskListIndexes1795661300000,
  ManualScheduledRuns1795661400000,
  TaskFilterIndex1795661500000,
];
