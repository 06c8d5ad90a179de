import { Injectable } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { TaskWorkflowService } from '../../tasks/task-workflow.service.js';
import { SystemJobsService } from '../system-jobs.service.js';

export const LEASE_EXPIRY = 'tasks.lease-expiry';
const PERIOD_SECONDS = 15;

/** Returns tasks whose lease ran out to `todo`; once per tick cluster-wide. */
@Injectable()
export class LeaseExpiryJob {
  constructor(
    private readonly jobs: SystemJobsService,
    private readonly workflow: TaskWorkflowService,
  ) {}

  @Cron(`*/${PERIOD_SECONDS} * * * * *`, { name: LEASE_EXPIRY, waitForCompletion: true })
  onSchedule(): Promise<boolean> {
    return this.tick(new Date());
  }

  tick(now: Date): Promise<boolean> {
    return this.jobs.runTick(LEASE_EXPIRY, PERIOD_SECONDS, (ctx) => this.workflow.expireLeases(ctx), now);
  }
}
