import { Injectable, Logger } from '@nestjs/common';
import { type RequestContext, systemContext } from '../../common/auth/request-context.js';
import { ConflictError } from '../../common/errors/domain-errors.js';
import { TasksService } from '../tasks/tasks.service.js';
import { TemplatesService } from '../templates/templates.service.js';
import type { RunOutcome } from './scheduled-task-run.entity.js';
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

  /**
   * Runs every due schedule once, then the occurrences `buffer_one` held back whose previous task has
   * finished; resolves to the number of occurrences this instance ran.
   */
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
        // A resumed run already passed the policy when its first instance claimed it.
        outcome = claim.resumed ? null : await this.heldBack(schedule, claim.runId, scheduledAt);
      }
      if (!outcome) {
        outcome = (await this.execute(schedule, claim.runId, claim.resumed)).outcome;
        ran += 1;
      }
      await this.schedules.advance(schedule.id, scheduledAt, nextOccurrence(schedule, now), outcome);
    }
    return ran + (await this.runBuffered());
  }

  /**
   * The overlap policy for an occurrence while the previous occurrence's task is unfinished: `skip` records
   * it as skipped, `buffer_one` holds it back (or skips it when one is held back already). Null: run it.
   */
  private async heldBack(schedule: ScheduledTaskEntity, runId: string, scheduledAt: Date): Promise<RunOutcome | null> {
    if (schedule.overlapPolicy === 'allow') {
      return null;
    }
    const previous = await this.schedules.previousTaskId(schedule.id, scheduledAt);
    if (!previous || !(await this.tasks.isUnfinished(previous))) {
      return null;
    }
    const outcome: RunOutcome =
      schedule.overlapPolicy === 'buffer_one' && !(await this.schedules.hasBufferedRun(schedule.id))
        ? 'buffered'
        : 'skipped';
    await this.schedules.recordRun(runId, null, outcome, `the previous occurrence's task ${previous} is not finished`);
    return outcome;
  }

  /** Runs each held-back occurrence whose previous task has finished, on exactly one instance. */
  private async runBuffered(): Promise<number> {
    let ran = 0;
    for (const { run, schedule } of await this.schedules.bufferedRuns(ABANDONED_RUN_SECONDS)) {
      const previous = await this.schedules.previousTaskId(schedule.id, run.scheduledAt);
      if (previous && (await this.tasks.isUnfinished(previous))) {
        continue;
      }
      if (await this.schedules.takeBufferedRun(run.id, ABANDONED_RUN_SECONDS)) {
        // Resumed: the task's id is the run's, so a run taken over after its instance died creates it once.
        await this.execute(schedule, run.id, true);
        ran += 1;
      }
    }
    return ran;
  }

  /**
   * Backfill: runs the given past occurrences of the timetable, each at most once however often or wherever
   * it is asked for (the same unique run row as a regular occurrence). Resolves to how many this call ran and
   * how many had run before (or are running elsewhere).
   */
  async backfill(schedule: ScheduledTaskEntity, occurrences: Date[]): Promise<{ ran: number; existing: number }> {
    let ran = 0;
    for (const scheduledAt of occurrences) {
      const claim = await this.schedules.claimOccurrence(schedule.id, scheduledAt, ABANDONED_RUN_SECONDS);
      if (claim && !claim.outcome) {
        await this.execute(schedule, claim.runId, claim.resumed);
        ran += 1;
      }
    }
    return { ran, existing: occurrences.length - ran };
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
