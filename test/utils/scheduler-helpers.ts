import { DateTime } from 'luxon';
import type { TaskPriority } from './payloads.js';

/** Shapes of the scheduler payloads (SPEC section 12). */
export interface TaskBlueprint {
  title: string;
  description?: string;
  priority?: TaskPriority;
  teamId?: string;
  assignedRoleId?: string;
  templateId?: string;
  variables?: Record<string, string | number | boolean>;
}

export interface ScheduleDto {
  id: string;
  name: string;
  cron: string | null;
  timezone: string;
  intervalSeconds: number | null;
  enabled: boolean;
  overlapPolicy: 'allow' | 'skip' | 'buffer_one';
  catchupWindowSeconds: number | null;
  task: TaskBlueprint;
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastOutcome: 'succeeded' | 'failed' | 'skipped' | 'buffered' | 'missed' | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ScheduleRunDto {
  id: string;
  scheduledAt: string;
  startedAt: string;
  taskId: string | null;
  outcome: 'succeeded' | 'failed' | 'skipped' | 'buffered' | 'missed' | null;
  error: string | null;
}

export const SCHEDULE_FIELDS = [
  'catchupWindowSeconds',
  'createdAt',
  'createdBy',
  'cron',
  'enabled',
  'id',
  'intervalSeconds',
  'lastOutcome',
  'lastRunAt',
  'name',
  'nextRunAt',
  'overlapPolicy',
  'task',
  'timezone',
  'updatedAt',
];

export const RUN_FIELDS = ['error', 'id', 'outcome', 'scheduledAt', 'startedAt', 'taskId'];

/**
 * The first instant strictly after `after` at which the wall clock in `zone` shows `hour:minute`, computed
 * with luxon's zone rules (independent of the `cron` package the hub uses).
 */
export function nextWallClockTime(after: Date, zone: string, hour: number, minute = 0): Date {
  const local = DateTime.fromJSDate(after, { zone });
  const atTime = (day: DateTime): DateTime => day.set({ hour, minute, second: 0, millisecond: 0 });
  let candidate = atTime(local);
  if (candidate.toMillis() <= after.getTime()) {
    candidate = atTime(local.plus({ days: 1 }));
  }
  return candidate.toJSDate();
}

/** The wall-clock `HH:mm` of an instant in a zone. */
export const wallClockOf = (instant: Date | string, zone: string): string =>
  DateTime.fromJSDate(new Date(instant), { zone }).toFormat('HH:mm');

/** A date `ms` milliseconds from now, truncated to whole milliseconds (as the hub stores its own dates). */
export const fromNow = (ms: number): Date => new Date(Date.now() + ms);
