import { Injectable, Logger } from '@nestjs/common';
import { systemContext } from '../../common/auth/request-context.js';
import { TasksService } from '../tasks/tasks.service.js';
import { TemplatesService } from '../templates/templates.service.js';
import type { ScheduledTaskEntity } from './scheduled-task.entity.js';
import { ScheduledTasksRepository } from './scheduled-tasks.repository.js';
import { nextOccurrence } from './schedule-timing.js';

export interface RunResult {
  runId: string;
  taskId: string | null;
  outcome: 'succeeded' | 'failed';
  error: string | null;
}

/**
 * Turns occurrences into tasks. Each occurrence is claimed through its unique run row, so it creates one
 * task whatever the number of instances; after downtime a schedule runs once (its next run is computed from
 * now, not from the missed slots); a failing run is recorded and the schedule carries on.
 */
@Injectable()
export class ScheduleRunner {
  private readonly logger = new Logger('Scheduler');

  constructor(
    private readonly schedules: ScheduledTasksRepository,
    private readonly tasks: TasksService,
    private readonly templates: TemplatesService,
  ) {}

  /** Runs every due schedule once; resolves to the number of occurrences this instance ran. */
  async runDue(now = new Date()): Promise<number> {
    let ran = 0;
    for (const schedule of await this.schedules.due(now)) {
      const scheduledAt = schedule.nextRunAt!;
      const run = await this.schedules.claimOccurrence(schedule.id, scheduledAt);
      if (!run) {
        continue;
      }
      const result = await this.execute(schedule, run.id);
      await this.schedules.advance(schedule.id, scheduledAt, nextOccurrence(schedule, now), result.outcome);
      ran += 1;
    }
    return ran;
  }

  /** Run now: an extra occurrence at the current time; the regular timetable is left alone. */
  async runNow(schedule: ScheduledTaskEntity): Promise<RunResult> {
    const run = await this.schedules.startManualRun(schedule.id);
    const result = await this.execute(schedule, run.id);
    await this.schedules.recordManualRun(schedule.id, result.outcome);
    return result;
  }

  private async execute(schedule: ScheduledTaskEntity, runId: string): Promise<RunResult> {
    const ctx = systemContext(`schedule:${schedule.id}`);
    try {
      const { title, priority, teamId, assignedRoleId, templateId, variables } = schedule.task;
      const description = templateId
        ? (await this.templates.render(templateId, variables ?? {})).text
        : schedule.task.description;
      const task = await this.tasks.create(ctx, { title, description, priority, teamId, assignedRoleId });
      await this.schedules.recordRun(runId, task.id, 'succeeded', null);
      return { runId, taskId: task.id, outcome: 'succeeded', error: null };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.warn(`Scheduled task ${schedule.id} (${schedule.name}) failed: ${message}`);
      await this.schedules.recordRun(runId, null, 'failed', message);
      return { runId, taskId: null, outcome: 'failed', error: message };
    }
  }
}
