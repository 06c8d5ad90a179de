import { Injectable } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { TaskWorkflowService } from '../../tasks/task-workflow.service.js';
import { SystemJobsService } from '../system-jobs.service.js';

export const TASK_TIMEOUTS = 'tasks.timeouts';
const PERIOD_SECONDS = 15;

/** Fails (or retries) attempts in progress longer than their task's timeout; once per tick cluster-wide. */
@Injectable()
export class TaskTimeoutJob {
  constructor(
    private readonly jobs: SystemJobsService,
    private readonly workflow: TaskWorkflowService,
  ) {}

  @Cron(`*/${PERIOD_SECONDS} * * * * *`, { name: TASK_TIMEOUTS, waitForCompletion: true })
  onSchedule(): Promise<boolean> {
    return this.tick(new Date());
  }

  tick(now: Date): Promise<boolean> {
    return this.jobs.runTick(TASK_TIMEOUTS, PERIOD_SECONDS, (ctx) => this.workflow.failTimedOut(ctx), now);
  }
}
