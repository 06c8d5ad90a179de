import { type DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from '../../config/app-config.js';
import { AgentsModule } from '../agents/agents.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { SystemModule } from '../system/system.module.js';
import { TasksModule } from '../tasks/tasks.module.js';
import { TemplatesModule } from '../templates/templates.module.js';
import { AgentOfflineSweepJob } from './jobs/agent-offline-sweep.job.js';
import { CallbackDeliveryWorker } from './jobs/callback-delivery.worker.js';
import { HousekeepingJob } from './jobs/housekeeping.job.js';
import { EventsModule } from '../events/events.module.js';
import { LeaseExpiryJob } from './jobs/lease-expiry.job.js';
import { TaskTimeoutJob } from './jobs/task-timeout.job.js';
import { ScheduledTasksJob } from './jobs/scheduled-tasks.job.js';
import { StatsSnapshotJob } from './jobs/stats-snapshot.job.js';
import { TaskRetentionJob } from './jobs/task-retention.job.js';
import { ScheduleRunnerService } from './schedule-runner.service.js';
import { ScheduledTaskRunEntity } from './scheduled-task-run.entity.js';
import { ScheduledTaskEntity } from './scheduled-task.entity.js';
import { ScheduledTasksController } from './scheduled-tasks.controller.js';
import { ScheduledTasksRepository } from './scheduled-tasks.repository.js';
import { ScheduledTasksService } from './scheduled-tasks.service.js';
import { SystemJobsModule } from './system-jobs.module.js';

/**
 * Scheduled tasks and the system jobs. The timers (`ScheduleModule`) run only where SCHEDULER_ENABLED is
 * true; the API and the job classes exist everywhere, so a tick can also be driven directly (tests,
 * operations).
 */
@Module({})
export class SchedulerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: SchedulerModule,
      imports: [
        TypeOrmModule.forFeature([ScheduledTaskEntity, ScheduledTaskRunEntity]),
        SystemJobsModule,
        AgentsModule,
        TasksModule,
        TemplatesModule,
        AuditModule,
        AuthModule,
        SystemModule,
        EventsModule,
        ...(config.scheduler.enabled ? [ScheduleModule.forRoot()] : []),
      ],
      controllers: [ScheduledTasksController],
      providers: [
        ScheduledTasksRepository,
        ScheduledTasksService,
        ScheduleRunnerService,
        AgentOfflineSweepJob,
        LeaseExpiryJob,
        TaskTimeoutJob,
        TaskRetentionJob,
        CallbackDeliveryWorker,
        ScheduledTasksJob,
        StatsSnapshotJob,
        HousekeepingJob,
      ],
    };
  }
}
