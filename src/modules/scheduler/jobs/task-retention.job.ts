import { Injectable } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { TaskArchiveService } from '../../tasks/task-archive.service.js';
import { SystemJobsService } from '../system-jobs.service.js';

export const TASK_RETENTION = 'tasks.retention';
const PERIOD_SECONDS = 600;

/** Archives finished tasks and purges old archived ones; once per tick cluster-wide. */
@Injectable()
export class TaskRetentionJob {
  constructor(
    private readonly jobs: SystemJobsService,
    private readonly archive: TaskArchiveService,
  ) {}

  @Cron('0 */10 * * * *', { name: TASK_RETENTION, waitForCompletion: true })
  onSchedule(): Promise<boolean> {
    return this.tick(new Date());
  }

  tick(now: Date): Promise<boolean> {
    return this.jobs.runTick(TASK_RETENTION, PERIOD_SECONDS, (ctx) => this.archive.applyRetention(ctx), now);
  }
}
