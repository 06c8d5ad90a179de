import { Injectable, Logger } from '@nestjs/common';
import { Counter } from 'prom-client';
import { type RequestContext, systemContext } from '../../common/auth/request-context.js';
import { ConflictError } from '../../common/errors/domain-errors.js';
import { HubMetricsService } from '../system/metrics/hub-metrics.service.js';
import { TasksService } from '../tasks/tasks.service.js';
import { TemplatesService } from '../templates/templates.service.js';
import type { RunOutcome } from './scheduled-task-run.entity.js';
import type { ScheduledTaskEntity } from './scheduled-task.entity.js';
import { ScheduledTasksRepository } from './scheduled-tasks.repository.js';
import { planCatchUp } from './schedule-catchup.js';
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

/** Catch-up steps (of CATCH_UP_BATCH occurrences) per schedule and pass: bounded work, the rest next pass. */
const CATCH_UP_STEPS_PER_PASS = 5;

/**
 * Turns occurrences into tasks. Each occurrence is claimed through its unique run row, so it creates one
 * task whatever the number of instances; after downtime a schedule runs once, or, with a catch-up window,
 * once per occurrence within it (older ones recorded as missed); a failing run is recorded and the schedule
 * carries on. A run's task has the run's id, so a run taken over after its instance died creates it once.
 */
@Injectable()
export class ScheduleRunnerService {
  private readonly logger = new Logger('Scheduler');

  private readonly occurrences: Counter<'outcome'>;

  constructor(
    private readonly schedules: ScheduledTasksRepository,
    private readonly tasks: TasksService,
    private readonly templates: TemplatesService,
    metrics: HubMetricsService,
  ) {
    this.occurrences = new Counter({
      name: 'ananta_schedule_occurrences_total',
      help: 'Schedule occurrences this instance handled, by outcome (succeeded, failed, skipped, buffered, missed)',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });
  }

  /**
   * Runs the occurrences of every due schedule, then the occurrences `buffer_one` held back whose previous task
   * has finished; resolves to the number of occurrences this instance ran.
   */
  async runDue(now = new Date()): Promise<number> {
    let ran = 0;
    for (const schedule of await this.schedules.due(now)) {
      ran +=
        schedule.catchupWindowSeconds === null ? await this.runOnce(schedule, now) : await this.catchUp(schedule, now);
    }
    return ran + (await this.runBuffered());
  }

  /**
   * SPEC section 8's rule: however many occurrences passed while every instance was down, the schedule runs
   * once (its due occurrence), and its next run is computed from now, not from the missed slots.
   */
  private async runOnce(schedule: ScheduledTaskEntity, now: Date): Promise<number> {
    const scheduledAt = schedule.nextRunAt!;
    const handled = await this.handleOccurrence(schedule, scheduledAt);
    if (handled) {
      await this.schedules.advance(schedule.id, scheduledAt, nextOccurrence(schedule, now), handled.outcome);
    }
    return handled?.ran ? 1 : 0;
  }

  /**
   * The catch-up window: each overdue occurrence within it runs once, oldest first; older ones are recorded as
   * missed. In steps of a bounded number of occurrences, each moving the schedule on (so an instance that dies
   * midway leaves the rest to the next pass, and nothing handled twice: run rows are unique per occurrence).
   */
  private async catchUp(schedule: ScheduledTaskEntity, now: Date): Promise<number> {
    let ran = 0;
    let due = schedule.nextRunAt!;
    for (let step = 0; step < CATCH_UP_STEPS_PER_PASS; step += 1) {
      const plan = planCatchUp(schedule, due, now, schedule.catchupWindowSeconds!);
      const missed = await this.schedules.recordMissed(schedule.id, plan.missed);
      this.occurrences.inc({ outcome: 'missed' }, missed);
      let outcome: RunOutcome | null = plan.missed.length > 0 ? 'missed' : null;
      for (const scheduledAt of plan.run) {
        const handled = await this.handleOccurrence(schedule, scheduledAt);
        if (!handled) {
          // Another instance is running this occurrence right now and moves the schedule on after it.
          return ran;
        }
        outcome = handled.outcome;
        ran += handled.ran ? 1 : 0;
      }
      if (!(await this.schedules.advance(schedule.id, due, plan.next, outcome)) || plan.caughtUp) {
        return ran;
      }
      due = plan.next;
    }
    return ran;
  }

  /**
   * One timetable occurrence, claimed through its unique run row: run it, or let the overlap policy hold it
   * back. Null when another instance holds it; `ran` false when it had been handled before or was held back.
   */
  private async handleOccurrence(
    schedule: ScheduledTaskEntity,
    scheduledAt: Date,
  ): Promise<{ outcome: RunOutcome; ran: boolean } | null> {
    const claim = await this.schedules.claimOccurrence(schedule.id, scheduledAt, ABANDONED_RUN_SECONDS);
    if (!claim) {
      return null;
    }
    if (claim.outcome) {
      return { outcome: claim.outcome, ran: false };
    }
    // A resumed run already passed the policy when its first instance claimed it.
    const held = claim.resumed ? null : await this.heldBack(schedule, claim.runId, scheduledAt);
    if (held) {
      return { outcome: held, ran: false };
    }
    return { outcome: (await this.execute(schedule, claim.runId, claim.resumed)).outcome, ran: true };
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
    this.occurrences.inc({ outcome });
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
      this.occurrences.inc({ outcome: 'succeeded' });
      return { runId, taskId, outcome: 'succeeded', error: null };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.warn(`Scheduled task ${schedule.id} (${schedule.name}) failed: ${message}`);
      await this.schedules.recordRun(runId, null, 'failed', message);
      this.occurrences.inc({ outcome: 'failed' });
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
