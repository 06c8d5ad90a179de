import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, LessThanOrEqual, Not, Repository } from 'typeorm';
import { definedOnly } from '../../common/defined-only.js';
import { PgErrorCode, sqlState } from '../../common/errors/database-errors.js';
import { type RunOutcome, ScheduledTaskRunEntity } from './scheduled-task-run.entity.js';
import { ScheduledTaskEntity } from './scheduled-task.entity.js';

export type ScheduleValues = Pick<
  ScheduledTaskEntity,
  | 'name'
  | 'cron'
  | 'timezone'
  | 'intervalSeconds'
  | 'task'
  | 'enabled'
  | 'overlapPolicy'
  | 'catchupWindowSeconds'
  | 'nextRunAt'
  | 'createdBy'
>;

/** What `claimOccurrence` hands to the instance that may go on with an occurrence. */
export interface OccurrenceClaim {
  runId: string;
  /** Set when the run had finished already: only the schedule is left to move on. */
  outcome: RunOutcome | null;
  /** The run was started before by an instance that did not finish it. */
  resumed: boolean;
}

@Injectable()
export class ScheduledTasksRepository {
  constructor(
    @InjectRepository(ScheduledTaskEntity) private readonly schedules: Repository<ScheduledTaskEntity>,
    @InjectRepository(ScheduledTaskRunEntity) private readonly runs: Repository<ScheduledTaskRunEntity>,
  ) {}

  getById(id: string): Promise<ScheduledTaskEntity | null> {
    return this.schedules.findOneBy({ id });
  }

  list(limit: number, offset: number): Promise<[ScheduledTaskEntity[], number]> {
    return this.schedules.findAndCount({ order: { name: 'ASC', id: 'ASC' }, take: limit, skip: offset });
  }

  create(values: ScheduleValues): Promise<ScheduledTaskEntity> {
    return this.schedules.save(this.schedules.create(values));
  }

  async update(id: string, values: Partial<ScheduleValues>): Promise<ScheduledTaskEntity | null> {
    await this.schedules.update({ id }, definedOnly(values));
    return this.getById(id);
  }

  async delete(id: string): Promise<boolean> {
    const { affected } = await this.schedules.delete({ id });
    return (affected ?? 0) > 0;
  }

  due(now: Date, limit = 100): Promise<ScheduledTaskEntity[]> {
    return this.schedules.find({ where: { enabled: true, nextRunAt: LessThanOrEqual(now) }, take: limit });
  }

  /**
   * Claims one occurrence: the unique (schedule, scheduled time) row can be inserted once, so of all the
   * instances that found the schedule due, one runs it. When the row exists, the occurrence is handed out again
   * in two cases only: its run never finished and started more than `abandonedAfterSeconds` ago (the instance
   * died or lost the database mid-run; one instance takes it over, `resumed`), or it finished but the schedule
   * was not moved on (the caller only has to move it on). Null when another instance holds the occurrence.
   */
  async claimOccurrence(
    scheduledTaskId: string,
    scheduledAt: Date,
    abandonedAfterSeconds: number,
  ): Promise<OccurrenceClaim | null> {
    try {
      const run = await this.runs.save(this.runs.create({ scheduledTaskId, scheduledAt, manual: false }));
      return { runId: run.id, outcome: null, resumed: false };
    } catch (error) {
      if (sqlState(error) !== PgErrorCode.UniqueViolation) {
        throw error;
      }
    }
    const occurrence = { scheduledTaskId, scheduledAt, manual: false };
    const taken = await this.runs
      .createQueryBuilder()
      .update(ScheduledTaskRunEntity)
      .set({ startedAt: () => 'now()' })
      .where('scheduled_task_id = :scheduledTaskId AND scheduled_at = :scheduledAt AND NOT manual', occurrence)
      .andWhere('outcome IS NULL AND started_at < now() - make_interval(secs => :abandonedAfterSeconds)', {
        abandonedAfterSeconds,
      })
      .returning('id')
      .execute();
    const [resumed] = taken.raw as Array<{ id: string }>;
    if (resumed) {
      return { runId: resumed.id, outcome: null, resumed: true };
    }
    const finished = await this.runs.findOneBy({ ...occurrence, outcome: Not(IsNull()) });
    return finished ? { runId: finished.id, outcome: finished.outcome, resumed: false } : null;
  }

  /** A manual run ("run now"): always recorded, outside the timetable's uniqueness. */
  startManualRun(scheduledTaskId: string): Promise<ScheduledTaskRunEntity> {
    return this.runs.save(this.runs.create({ scheduledTaskId, scheduledAt: new Date(), manual: true }));
  }

  getRun(id: string): Promise<ScheduledTaskRunEntity | null> {
    return this.runs.findOneBy({ id });
  }

  /**
   * Moves the schedule on, unless someone else already did (or changed it) since `expected`; false then.
   * Compared at millisecond precision, which is what the hub writes and what a JavaScript Date can carry. A
   * null outcome (nothing ran or was missed) only moves the next run.
   */
  async advance(id: string, expected: Date, next: Date, outcome: RunOutcome | null): Promise<boolean> {
    const result = await this.schedules
      .createQueryBuilder()
      .update(ScheduledTaskEntity)
      .set(outcome ? { nextRunAt: next, lastRunAt: () => 'now()', lastOutcome: outcome } : { nextRunAt: next })
      .where(`id = :id AND date_trunc('milliseconds', next_run_at) = :expected`, { id, expected })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /**
   * Records occurrences as missed (no task), in one statement; an occurrence with a run row already keeps it.
   * Resolves to how many this call recorded.
   */
  async recordMissed(scheduledTaskId: string, occurrences: Date[]): Promise<number> {
    if (occurrences.length === 0) {
      return 0;
    }
    const rows = await this.runs.query<unknown[]>(
      `INSERT INTO scheduled_task_runs (scheduled_task_id, scheduled_at, manual, outcome, error)
       SELECT $1, at, false, 'missed', 'no instance ran the scheduler at this time, and it is older than the catch-up window'
       FROM unnest($2::timestamptz[]) AS at
       ON CONFLICT (scheduled_task_id, scheduled_at) WHERE NOT manual DO NOTHING
       RETURNING id`,
      [scheduledTaskId, occurrences],
    );
    return rows.length;
  }

  async recordRun(runId: string, taskId: string | null, outcome: RunOutcome, error: string | null): Promise<void> {
    await this.runs.update({ id: runId }, { taskId, outcome, error: error?.slice(0, 2000) ?? null });
  }

  /** The task of the schedule's latest timetable run before `before` that made one (what an overlap is about). */
  async previousTaskId(scheduledTaskId: string, before: Date): Promise<string | null> {
    const [row] = await this.runs.query<Array<{ task_id: string }>>(
      `SELECT task_id FROM scheduled_task_runs
       WHERE scheduled_task_id = $1 AND NOT manual AND task_id IS NOT NULL AND scheduled_at < $2
       ORDER BY scheduled_at DESC LIMIT 1`,
      [scheduledTaskId, before],
    );
    return row?.task_id ?? null;
  }

  /** Whether the schedule holds an occurrence back already (`buffer_one` keeps at most one). */
  async hasBufferedRun(scheduledTaskId: string): Promise<boolean> {
    return (await this.runs.countBy({ scheduledTaskId, manual: false, outcome: 'buffered' })) > 0;
  }

  /**
   * Occurrences held back by `buffer_one`, and buffered runs an instance began but did not finish (it died; the
   * schedule had moved on, so no other path resumes them), with their schedules.
   */
  async bufferedRuns(
    abandonedAfterSeconds: number,
  ): Promise<Array<{ run: ScheduledTaskRunEntity; schedule: ScheduledTaskEntity }>> {
    const runs = await this.runs
      .createQueryBuilder('run')
      .innerJoinAndSelect('run.scheduledTask', 'schedule')
      .where('NOT run.manual')
      // The partial index's own predicate, so the planner can use scheduled_task_runs_pending_idx.
      .andWhere(`(run.outcome IS NULL OR run.outcome = 'buffered')`)
      .andWhere(
        `(run.outcome = 'buffered' OR (run.outcome IS NULL AND run.started_at < now() - make_interval(secs => :abandonedAfterSeconds)
          AND schedule.next_run_at > run.scheduled_at))`,
        { abandonedAfterSeconds },
      )
      .orderBy('run.scheduled_at', 'ASC')
      .getMany();
    return runs.map((run) => ({ run, schedule: run.scheduledTask! }));
  }

  /** Takes a buffered run for this instance to execute; false when another instance took it first. */
  async takeBufferedRun(runId: string, abandonedAfterSeconds: number): Promise<boolean> {
    const taken = await this.runs
      .createQueryBuilder()
      .update(ScheduledTaskRunEntity)
      .set({ outcome: null, startedAt: () => 'now()' })
      .where('id = :runId', { runId })
      .andWhere(
        `(outcome = 'buffered' OR (outcome IS NULL AND started_at < now() - make_interval(secs => :abandonedAfterSeconds)))`,
        { abandonedAfterSeconds },
      )
      .execute();
    return (taken.affected ?? 0) > 0;
  }

  async recordManualRun(id: string, outcome: 'succeeded' | 'failed'): Promise<void> {
    await this.schedules.update({ id }, { lastRunAt: new Date(), lastOutcome: outcome });
  }

  runsOf(scheduledTaskId: string, limit: number, offset: number): Promise<[ScheduledTaskRunEntity[], number]> {
    return this.runs.findAndCount({
      where: { scheduledTaskId },
      order: { scheduledAt: 'DESC' },
      take: limit,
      skip: offset,
    });
  }
}
