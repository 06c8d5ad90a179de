import { type DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from '../../config/app-config.js';
import { AgentsModule } from '../agents/agents.module.js';
import { TasksModule } from '../tasks/tasks.module.js';
import { AgentOfflineSweepJob } from './jobs/agent-offline-sweep.job.js';
import { CallbackDeliveryWorker } from './jobs/callback-delivery.worker.js';
import { LeaseExpiryJob } from './jobs/lease-expiry.job.js';
import { TaskRetentionJob } from './jobs/task-retention.job.js';
import { SystemJobRunEntity } from './system-job-run.entity.js';
import { SystemJobRunsRepository } from './system-job-runs.repository.js';
import { SystemJobs } from './system-jobs.js';

/**
 * System jobs. The timers (`ScheduleModule`) run only where SCHEDULER_ENABLED is true; the job classes exist
 * everywhere, so a tick can also be driven directly (tests, operations).
 */
@Module({})
export class SchedulerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: SchedulerModule,
      imports: [
        TypeOrmModule.forFeature([SystemJobRunEntity]),
        AgentsModule,
        TasksModule,
        ...(config.scheduler.enabled ? [ScheduleModule.forRoot()] : []),
      ],
      providers: [
        SystemJobs,
        SystemJobRunsRepository,
        AgentOfflineSweepJob,
        LeaseExpiryJob,
        TaskRetentionJob,
        CallbackDeliveryWorker,
      ],
    };
  }
}
