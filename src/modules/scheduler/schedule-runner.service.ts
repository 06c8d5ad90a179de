import { Injectable, Logger } from '@nestjs/common';
import { type RequestContext, systemContext } from '../../common/auth/request-context.js';
import { ConflictError } from '../../common/errors/domain-errors.js';
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
 * A run takes a template render and one insert; one still unfinished this long after it started was left by
 * an instance that died or lost the database, and another instance takes it over (three scheduler ticks).
 */
export const ABANDONED_RUN_SECONDS = 15;

/**
 * Turns occurrences into tasks. Each occurrence is claimed through its unique run row, so it creates one
 * task whatever the number of instances; after downtime a schedule runs once (its next run is computed from
 * now, not from the missed slots); a failing run is recorded and the schedule carries on. A run's task has
 * the run's id, so a run taken over after its instance died creates its task at most once.
 */
@Injectable()
export class ScheduleRunnerService {
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
      const claim = await this.schedules.claimOccurrence(schedule.id, scheduledAt, ABANDONED_RUN_SECONDS);
      if (!claim) {
        continue;
      }
      let outcome = claim.outcome;
      if (!outcome) {
        outcome = (await this.execute(schedule, claim.runId, claim.resumed)).outcome;
        ran += 1;
      }
      await this.schedules.advance(schedule.id, scheduledAt, nextOccurrence(schedule, now), outcome);
    }
    return ran;
  }

  /** Run now: an extra occurrence at the current time; the regular timetable is left alone. */
  async runNow(schedule: ScheduledTaskEntity): Promise<RunResult> {
    const run = await this.schedules.startManualRun(schedule.id);
    const result = await this.execute(schedule, run.id, false);
    await this.schedules.recordManualRun(schedule.id, result.outcome);
    return result;
  }

  private async execute(schedule: ScheduledTaskEntity, runId: string, resumed: boolean): Promise<RunResult> {
    const ctx = systemContext(`schedule:${schedule.id}`);
    try {
      const taskId = await this.createTask(ctx, schedule, runId, resumed);
      await this.schedules.recordRun(runId, taskId, 'succeeded', null);
      return { runId, taskId, outcome: 'succeeded', error: null };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.warn(`Scheduled task ${schedule.id} (${schedule.name}) failed: ${message}`);
      await this.schedules.recordRun(runId, null, 'failed', message);
      return { runId, taskId: null, outcome: 'failed', error: message };
    }
  }

  private async createTask(
    ctx: RequestContext,
    schedule: ScheduledTaskEntity,
    runId: string,
    resumed: boolean,
  ): Promise<string> {
    const { title, priority, teamId, assignedRoleId, templateId, variables } = schedule.task;
    const description = templateId
      ? (await this.templates.render(templateId, variables ?? {})).text
      : schedule.task.description;
    try {
      const fields = { id: runId, title, description, priority: priority ?? undefined, teamId, assignedRoleId };
      return (await this.tasks.create(ctx, fields)).id;
    } catch (error) {
      // The abandoned attempt created the task and died before recording it: the occurrence is done.
      if (resumed && error instanceof ConflictError) {
        return runId;
      }
      throw error;
    }
  }
}
