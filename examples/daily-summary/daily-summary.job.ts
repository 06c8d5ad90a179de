import { Injectable, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { SystemJobsService } from '../../src/public-api.js';
import { DailySummaryOptions } from './daily-summary.options.js';
import { DailySummaryService } from './daily-summary.service.js';
import { DAY_SECONDS, utcDayBefore } from './summary-day.js';

export const DAILY_SUMMARY_JOB = 'daily-summary.send';

/**
 * Sends yesterday's summary on the configured cron (UTC). Every instance with SCHEDULER_ENABLED=true fires
 * it; the claim of (job, day) in PostgreSQL lets exactly one of them send, once per day.
 */
@Injectable()
export class DailySummaryJob implements OnApplicationBootstrap {
  constructor(
    private readonly jobs: SystemJobsService,
    private readonly summaries: DailySummaryService,
    private readonly options: DailySummaryOptions,
    // The hub imports ScheduleModule only where SCHEDULER_ENABLED=true; elsewhere there is no registry and so
    // no timer, and the job can still be driven through tick().
    @Optional() private readonly registry?: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.registry) {
      return;
    }
    const timer = CronJob.from({
      cronTime: this.options.cron,
      timeZone: 'UTC',
      onTick: async () => {
        await this.tick(new Date());
      },
    });
    // Registered jobs are stopped by ScheduleModule when the application shuts down.
    this.registry.addCronJob(DAILY_SUMMARY_JOB, timer);
    timer.start();
  }

  /** Sends the summary of the UTC day before `now` unless an instance already has; true when this one did. */
  tick(now: Date): Promise<boolean> {
    const day = utcDayBefore(now);
    return this.jobs.runTick(
      DAILY_SUMMARY_JOB,
      DAY_SECONDS,
      (ctx) => this.summaries.send(ctx, day.date, 'schedule'),
      day.start,
    );
  }
}
