import { Module } from '@nestjs/common';
import { AuditModule } from '../modules/audit/audit.module.js';
import { SystemJobsModule } from '../modules/scheduler/system-jobs.module.js';
import { TasksModule } from '../modules/tasks/tasks.module.js';

/**
 * What an extension module imports to inject the hub's public providers: AuditService, TasksFacade,
 * WebhookSenderService and SystemJobsService (AppConfig is global). It adds no instances of its own: the modules it
 * re-exports are the ones the hub already runs.
 */
@Module({
  imports: [AuditModule, TasksModule, SystemJobsModule],
  exports: [AuditModule, TasksModule, SystemJobsModule],
})
export class HubServicesModule {}
